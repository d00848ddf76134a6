/**
 * Tickets: support requests on a customer with priority, assignee, comments and a status flow
 * (TICKET_TRANSITIONS in contracts). Technicians hold the ticket permissions with scope
 * `assigned`: a ticket not assigned to them answers 404, exactly like a missing id.
 */
import {
  TICKET_TRANSITIONS,
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
import { TRPCError } from '@trpc/server';
import { and, asc, eq, gte, isNull, lt, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';
import type { CurrentUser } from '../../trpc/context';
import type { AuditContext } from '../subscriptions/service';
import { addCustomerActivity } from '../activities';

/** The caller as the procedure tier resolved them: who, and how far the permission reaches. */
export type TicketActor = AuditContext & { user: CurrentUser; scope: Scope };

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

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'Ticket not found' });

/** The record-level condition of the caller's scope; `assigned` sees only their own tickets. */
function visibleTo(actor: Pick<TicketActor, 'user' | 'scope'>): SQL | undefined {
  return actor.scope === 'assigned' ? eq(tickets.assigneeId, actor.user.id) : undefined;
}

const isVisible = (actor: Pick<TicketActor, 'user' | 'scope'>, row: TicketRow) =>
  actor.scope !== 'assigned' || row.assigneeId === actor.user.id;

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

export async function getTicket(db: Database, actor: Pick<TicketActor, 'user' | 'scope'>, id: string): Promise<TicketDetail> {
  const ticket = await loadTicket(db, id);
  if (!ticket || (actor.scope === 'assigned' && ticket.assigneeId !== actor.user.id)) throw notFound();
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

export async function listTickets(db: Database, actor: Pick<TicketActor, 'user' | 'scope'>, input: ListTicketsInput): Promise<Page<Ticket>> {
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
        visibleTo(actor),
        input.status ? eq(tickets.status, input.status) : undefined,
        input.priority ? eq(tickets.priority, input.priority) : undefined,
        assigneeFilter,
        input.customerId ? eq(tickets.customerId, input.customerId) : undefined,
        input.createdFrom ? gte(tickets.createdAt, new Date(input.createdFrom)) : undefined,
        input.createdTo ? lt(tickets.createdAt, new Date(input.createdTo)) : undefined,
        searchAny(input.search, [tickets.subject]),
        ks.where,
      ),
    )
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, toTicket);
}

/** An assignee is an active staff member whose role works tickets (admin, manager, support, technician). */
async function assertAssignable(db: Database, userId: string) {
  const [user] = await db.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, userId));
  if (!user || user.status !== 'active' || !can(user.role, 'tickets.update')) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The assignee must be an active staff member who works tickets' });
  }
}

export async function createTicket(db: Database, actor: TicketActor, input: CreateTicketInput): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, input.customerId));
    if (!customer) throw new TRPCError({ code: 'NOT_FOUND', message: 'Customer not found' });
    if (input.assigneeId) await assertAssignable(tx, input.assigneeId);
    const [row] = await tx
      .insert(tickets)
      .values({
        customerId: customer.id,
        subject: input.subject,
        description: input.description ?? null,
        priority: input.priority,
        status: 'new',
        assigneeId: input.assigneeId ?? null,
        createdById: actor.user.id,
      })
      .returning();
    if (!row) throw new Error('ticket insert returned nothing');
    await addCustomerActivity(tx, actor, customer.id, `Ticket opened: ${row.subject}`, { ticketId: row.id, priority: row.priority }, 'ticket');
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

async function lockVisibleTicket(tx: Database, actor: TicketActor, id: string): Promise<TicketRow> {
  const [row] = await tx.select().from(tickets).where(eq(tickets.id, id)).for('update');
  if (!row || !isVisible(actor, row)) throw notFound();
  return row;
}

export async function updateTicket(db: Database, actor: TicketActor, input: UpdateTicketInput): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const current = await lockVisibleTicket(tx, actor, input.id);
    const set: Partial<typeof tickets.$inferInsert> = {};
    const changes: Record<string, { from: unknown; to: unknown }> = {};

    if (input.assigneeId !== undefined && input.assigneeId !== current.assigneeId) {
      // A technician works the tickets given to them; handing them on is a dispatcher's call.
      if (actor.scope !== 'all') {
        throw new TRPCError({ code: 'FORBIDDEN', message: 'You cannot reassign tickets' });
      }
      if (input.assigneeId) await assertAssignable(tx, input.assigneeId);
      set.assigneeId = input.assigneeId;
      changes.assigneeId = { from: current.assigneeId, to: input.assigneeId };
    }
    if (input.status !== undefined && input.status !== current.status) {
      if (!TICKET_TRANSITIONS[current.status].includes(input.status)) {
        throw new TRPCError({ code: 'CONFLICT', message: `Cannot move a ${current.status} ticket to ${input.status}` });
      }
      set.status = input.status;
      changes.status = { from: current.status, to: input.status };
      if (input.status === 'resolved') set.resolvedAt = new Date();
      else if (current.status === 'resolved' && input.status === 'open') set.resolvedAt = null;
    }
    collectFieldChanges(current, input, set, changes);
    // Closed is final: not even the priority or the wording changes afterwards.
    if (current.status === 'closed' && Object.keys(changes).length > 0) {
      throw new TRPCError({ code: 'CONFLICT', message: 'This ticket is closed' });
    }
    if (Object.keys(changes).length === 0) {
      const unchanged = await loadTicket(tx, current.id);
      if (!unchanged) throw notFound();
      return unchanged;
    }

    await tx.update(tickets).set(set).where(eq(tickets.id, current.id));
    if (changes.status) {
      await addCustomerActivity(
        tx,
        actor,
        current.customerId,
        `Ticket "${current.subject}": ${current.status} → ${input.status ?? current.status}`,
        { ticketId: current.id },
        'ticket',
      );
    }
    await audit(tx, actor, { action: 'ticket.update', entityType: 'ticket', entityId: current.id, changes });
    const ticket = await loadTicket(tx, current.id);
    if (!ticket) throw notFound();
    return ticket;
  });
}

/** Priority, subject and description: copies real changes into `set` and `changes`. */
function collectFieldChanges(
  current: TicketRow,
  input: UpdateTicketInput,
  set: Partial<typeof tickets.$inferInsert>,
  changes: Record<string, { from: unknown; to: unknown }>,
) {
  if (input.priority !== undefined && input.priority !== current.priority) {
    set.priority = input.priority;
    changes.priority = { from: current.priority, to: input.priority };
  }
  if (input.subject !== undefined && input.subject !== current.subject) {
    set.subject = input.subject;
    changes.subject = { from: current.subject, to: input.subject };
  }
  if (input.description !== undefined && input.description !== (current.description ?? '')) {
    set.description = input.description;
    changes.description = { from: current.description, to: input.description };
  }
}

export async function addTicketComment(db: Database, actor: TicketActor, input: AddTicketCommentInput): Promise<TicketComment> {
  return db.transaction(async (tx) => {
    const ticket = await lockVisibleTicket(tx, actor, input.id);
    if (ticket.status === 'closed') throw new TRPCError({ code: 'CONFLICT', message: 'This ticket is closed' });
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
