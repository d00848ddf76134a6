/**
 * Tickets: support requests on a customer with priority, assignee, comments and a status flow
 * (TICKET_TRANSITIONS in contracts). Technicians hold the ticket permissions with scope
 * `assigned`: a ticket not assigned to them answers 404, exactly like a missing id.
 */
import {
  TICKET_FIELDS,
  TICKET_UPDATE_FIELDS,
  canMoveTicket,
  can,
  type AddTicketCommentInput,
  type CreateTicketInput,
  type ListTicketsInput,
  type Scope,
  type Ticket,
  type TicketComment,
  type TicketDetail,
  type UpdateTicketInput,
} from '@netflow/contracts';
import { customers, ticketComments, tickets, users, type Database } from '@netflow/db';
import { and, asc, eq, gte, inArray, isNull, lt, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { CurrentUser, StaffActor } from '../../lib/actor';
import { conflict, forbidden, invalid, notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { columnValues, patchRecord } from '../../lib/patch';
import { CUSTOMER_SEARCH_FIELDS, searchAny, searchIndexed } from '../../lib/search';
import { addCustomerActivity } from '../activities';
import { audit } from '../audit';

/** Who reads tickets, and how far their grant reaches (`assigned`: only tickets assigned to them). */
export type TicketReader = { user: CurrentUser; scope: Scope };
/** Who changes tickets: a reader named in the audit trail (the procedure tier passes its context). */
export type TicketActor = StaffActor & { scope: Scope };

type TicketRow = typeof tickets.$inferSelect;

const assignee = alias(users, 'assignee');
const ticketColumns = {
  ticket: tickets,
  id: tickets.id,
  customerName: customers.name,
  accountNumber: customers.accountNumber,
  assigneeName: assignee.name,
};

interface JoinedTicket {
  ticket: TicketRow;
  customerName: string;
  accountNumber: string;
  assigneeName: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toTicket(r: JoinedTicket): Ticket {
  const t = r.ticket;
  return {
    id: t.id,
    customerId: t.customerId,
    customerName: r.customerName,
    accountNumber: r.accountNumber,
    subject: t.subject,
    description: t.description,
    priority: t.priority,
    status: t.status,
    assigneeId: t.assigneeId,
    assigneeName: r.assigneeName,
    createdById: t.createdById,
    resolvedAt: iso(t.resolvedAt),
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}

const ticketNotFound = () => notFound('Ticket');

/** The record-level condition of the caller's scope; `assigned` sees only their own tickets. */
export function visibleTickets(actor: TicketReader): SQL | undefined {
  return actor.scope === 'assigned' ? eq(tickets.assigneeId, actor.user.id) : undefined;
}

async function loadTicket(db: Database, id: string): Promise<Ticket | null> {
  const [row] = await db
    .select(ticketColumns)
    .from(tickets)
    .innerJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
    .where(eq(tickets.id, id))
    .limit(1);
  return row ? toTicket(row) : null;
}

export async function getTicket(db: Database, actor: TicketReader, id: string): Promise<TicketDetail> {
  const ticket = await loadTicket(db, id);
  if (!ticket || (actor.scope === 'assigned' && ticket.assigneeId !== actor.user.id)) throw ticketNotFound();
  const comments = await db
    .select({
      id: ticketComments.id,
      ticketId: ticketComments.ticketId,
      authorId: ticketComments.authorId,
      authorName: users.name,
      body: ticketComments.body,
      createdAt: ticketComments.createdAt,
    })
    .from(ticketComments)
    .leftJoin(users, eq(users.id, ticketComments.authorId))
    .where(eq(ticketComments.ticketId, id))
    .orderBy(asc(ticketComments.createdAt), asc(ticketComments.id));
  return { ...ticket, comments: comments.map((c) => ({ ...c, createdAt: c.createdAt.toISOString() })) };
}

export async function listTickets(db: Database, actor: TicketReader, input: ListTicketsInput): Promise<Page<Ticket>> {
  const ks = keyset({
    name: `${input.sort}.${input.order}`,
    column: input.sort === 'updatedAt' ? tickets.updatedAt : tickets.createdAt,
    type: 'timestamptz',
    id: tickets.id,
    direction: input.order,
    cursor: input.cursor,
  });
  const assigneeFilter =
    input.assignee === undefined
      ? undefined
      : input.assignee === 'me'
        ? eq(tickets.assigneeId, actor.user.id)
        : input.assignee === 'unassigned'
          ? isNull(tickets.assigneeId)
          : eq(tickets.assigneeId, input.assignee);
  const rows = await db
    .select({ ...ticketColumns, cursorKey: ks.cursorKey })
    .from(tickets)
    .innerJoin(customers, eq(customers.id, tickets.customerId))
    .leftJoin(assignee, eq(assignee.id, tickets.assigneeId))
    .where(
      and(
        visibleTickets(actor),
        input.status ? eq(tickets.status, input.status) : undefined,
        input.priority ? eq(tickets.priority, input.priority) : undefined,
        assigneeFilter,
        input.customerId ? eq(tickets.customerId, input.customerId) : undefined,
        input.createdFrom ? gte(tickets.createdAt, new Date(input.createdFrom)) : undefined,
        input.createdTo ? lt(tickets.createdAt, new Date(input.createdTo)) : undefined,
        ticketSearch(db, input.search),
        ks.where,
      ),
    )
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, toTicket);
}

/**
 * Over the subject and the customer's name, account number and phone (any Kenyan spelling). Written
 * as `id IN (subject matches UNION tickets of matching customers)` rather than an OR across the
 * join, so each arm is served by its own index (trigram GIN on subject and on the customer columns,
 * then tickets by customer) instead of a filter on every ticket.
 */
function ticketSearch(db: Database, term: string | undefined): SQL | undefined {
  const bySubject = searchAny(term, [tickets.subject]);
  const byCustomer = searchIndexed(term, CUSTOMER_SEARCH_FIELDS, true);
  if (!bySubject || !byCustomer) return undefined;
  // The inner FROM "tickets"/"customers" shadow the outer query's tables of the same name.
  const matching = db
    .select({ id: tickets.id })
    .from(tickets)
    .where(bySubject)
    .union(
      db
        .select({ id: tickets.id })
        .from(tickets)
        .where(inArray(tickets.customerId, db.select({ id: customers.id }).from(customers).where(byCustomer))),
    );
  return inArray(tickets.id, matching);
}

/** An assignee is an active staff member whose role works tickets (admin, manager, support, technician). */
async function assertAssignable(db: Database, userId: string) {
  const [user] = await db.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, userId));
  if (!user || user.status !== 'active' || !can(user.role, 'tickets.update')) {
    throw invalid('The assignee must be an active staff member who works tickets');
  }
}

export async function createTicket(db: Database, actor: TicketActor, input: CreateTicketInput): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw notFound('Customer');
    if (input.assigneeId) await assertAssignable(tx, input.assigneeId);
    const [row] = await tx
      .insert(tickets)
      .values({ ...columnValues(tickets, input, TICKET_FIELDS), customerId: customer.id, status: 'new', createdById: actor.user.id })
      .returning();
    if (!row) throw new Error('ticket insert returned nothing');
    await addCustomerActivity(
      tx,
      actor,
      customer.id,
      `Ticket opened: ${row.subject}`,
      { ticketId: row.id, priority: row.priority },
      'ticket',
    );
    await audit(tx, actor, {
      action: 'ticket.create',
      entityType: 'ticket',
      entityId: row.id,
      changes: { customerId: row.customerId, subject: row.subject, priority: row.priority, assigneeId: row.assigneeId },
    });
    const ticket = await loadTicket(tx, row.id);
    if (!ticket) throw new Error('created ticket vanished');
    return ticket;
  });
}

async function lockVisibleTicket(tx: Database, actor: TicketReader, id: string): Promise<TicketRow> {
  const [row] = await tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.id, id), visibleTickets(actor)))
    .for('update');
  if (!row) throw ticketNotFound();
  return row;
}

export async function updateTicket(db: Database, actor: TicketActor, input: UpdateTicketInput): Promise<Ticket> {
  await patchRecord(db, actor, {
    table: tickets,
    id: input.id,
    where: visibleTickets(actor),
    notFound: ticketNotFound,
    fields: TICKET_UPDATE_FIELDS,
    input,
    action: 'ticket.update',
    entityType: 'ticket',
    check: async (tx, current, changes) => {
      const follows: Partial<typeof tickets.$inferInsert> = {};
      if (changes.assigneeId) {
        // A technician works the tickets given to them; handing them on is a dispatcher's call.
        if (actor.scope !== 'all') throw forbidden('You cannot reassign tickets');
        if (changes.assigneeId.to) await assertAssignable(tx, changes.assigneeId.to);
      }
      const to = changes.status?.to;
      if (to) {
        if (!canMoveTicket(current.status, to)) throw conflict(`Cannot move a ${current.status} ticket to ${to}`);
        if (to === 'resolved') follows.resolvedAt = new Date();
        else if (current.status === 'resolved' && to === 'open') follows.resolvedAt = null;
      }
      // Closed is final: not even the priority or the wording changes afterwards.
      if (current.status === 'closed') throw conflict('This ticket is closed');
      return follows;
    },
    afterUpdate: async (tx, _row, current, changes) => {
      if (!changes.status) return;
      await addCustomerActivity(
        tx,
        actor,
        current.customerId,
        `Ticket "${current.subject}": ${changes.status.from} → ${changes.status.to}`,
        { ticketId: current.id },
        'ticket',
      );
    },
  });
  const ticket = await loadTicket(db, input.id);
  if (!ticket) throw ticketNotFound();
  return ticket;
}

export async function addTicketComment(db: Database, actor: TicketActor, input: AddTicketCommentInput): Promise<TicketComment> {
  return db.transaction(async (tx) => {
    const ticket = await lockVisibleTicket(tx, actor, input.id);
    if (ticket.status === 'closed') throw conflict('This ticket is closed');
    const [comment] = await tx
      .insert(ticketComments)
      .values({ ticketId: ticket.id, authorId: actor.user.id, body: input.body })
      .returning();
    if (!comment) throw new Error('comment insert returned nothing');
    await tx.update(tickets).set({ updatedAt: new Date() }).where(eq(tickets.id, ticket.id));
    await audit(tx, actor, {
      action: 'ticket.comment',
      entityType: 'ticket',
      entityId: ticket.id,
      changes: { commentId: comment.id, length: comment.body.length },
    });
    return {
      id: comment.id,
      ticketId: comment.ticketId,
      authorId: comment.authorId,
      authorName: actor.user.name,
      body: comment.body,
      createdAt: comment.createdAt.toISOString(),
    };
  });
}
