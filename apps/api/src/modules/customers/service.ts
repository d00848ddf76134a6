/**
 * Customers: account holders with a unique account number (NF-000123, what they type when paying
 * by M-Pesa). Owns creation, editing, lists and the detail view, which gathers subscriptions,
 * recent payments and open tickets straight from their tables.
 */
import {
  can,
  CUSTOMER_FIELDS,
  CUSTOMER_RECENT_PAYMENTS,
  CUSTOMER_UPDATE_FIELDS,
  scopeOf,
  type Customer,
  type CustomerCreateInput,
  type CustomerDetail,
  type CustomerFilterInput,
  type CustomerListInput,
  type CustomerUpdateInput,
} from '@netflow/contracts';
import { customers, payments, plans, subscriptions, tickets, type Database } from '@netflow/db';
import { and, desc, eq, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import type { StaffActor } from '../../lib/actor';
import { notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { columnValues, patchRecord } from '../../lib/patch';
import { CUSTOMER_SEARCH_FIELDS, searchIndexed } from '../../lib/search';
import { addCustomerActivity } from '../activities';
import { audit } from '../audit';
import { visibleTickets } from '../tickets';

const customerNotFound = () => notFound('Customer');

type CustomerRow = typeof customers.$inferSelect;

/** The output of a row: every column but the internal `createdById`, timestamps as ISO strings. */
export function toCustomer({ createdById: _createdById, createdAt, updatedAt, ...fields }: CustomerRow): Customer {
  return { ...fields, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
}

const SORT_COLUMNS = {
  createdAt: { column: customers.createdAt, type: 'timestamptz' },
  updatedAt: { column: customers.updatedAt, type: 'timestamptz' },
  name: { column: customers.name, type: 'text' },
  accountNumber: { column: customers.accountNumber, type: 'text' },
} as const;

export function customerFilters(input: CustomerFilterInput): SQL | undefined {
  const conditions: (SQL | undefined)[] = [];
  if (input.status) conditions.push(eq(customers.status, input.status));
  if (input.planId) {
    conditions.push(
      inArray(
        customers.id,
        sql`(select ${subscriptions.customerId} from ${subscriptions} where ${subscriptions.planId} = ${input.planId} and ${subscriptions.status} <> 'cancelled')`,
      ),
    );
  }
  if (input.createdFrom) conditions.push(gte(customers.createdAt, new Date(input.createdFrom)));
  if (input.createdTo) conditions.push(lt(customers.createdAt, new Date(input.createdTo)));
  conditions.push(searchIndexed(input.search, CUSTOMER_SEARCH_FIELDS, true));
  return and(...conditions);
}

export function customerKeyset(input: Pick<CustomerListInput, 'sort' | 'order'> & { cursor?: string | undefined }) {
  const sort = SORT_COLUMNS[input.sort];
  return keyset({
    name: `${input.sort}.${input.order}`,
    column: sort.column,
    type: sort.type,
    id: customers.id,
    direction: input.order,
    cursor: input.cursor,
  });
}

export async function listCustomers(db: Database, input: CustomerListInput): Promise<Page<Customer>> {
  const page = customerKeyset(input);
  const rows = await db
    .select({ customer: customers, id: customers.id, cursorKey: page.cursorKey })
    .from(customers)
    .where(and(customerFilters(input), page.where))
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, (r) => toCustomer(r.customer));
}

async function findCustomer(db: Database, id: string): Promise<Customer> {
  const [row] = await db.select().from(customers).where(eq(customers.id, id)).limit(1);
  if (!row) throw customerNotFound();
  return toCustomer(row);
}

/**
 * The detail view. Each section is read only when the caller's role may read that kind of record
 * (otherwise null); technicians see only the tickets assigned to them.
 */
export async function getCustomer(db: Database, actor: Pick<StaffActor, 'user'>, id: string): Promise<CustomerDetail> {
  const customer = await findCustomer(db, id);
  const role = actor.user.role;

  const subscriptionRows = can(role, 'subscriptions.read')
    ? await db
        .select({
          id: subscriptions.id,
          planId: subscriptions.planId,
          planName: plans.name,
          status: subscriptions.status,
          pppoeUsername: subscriptions.pppoeUsername,
          startsAt: subscriptions.startsAt,
          expiresAt: subscriptions.expiresAt,
        })
        .from(subscriptions)
        .innerJoin(plans, eq(plans.id, subscriptions.planId))
        .where(eq(subscriptions.customerId, id))
        .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
    : null;

  const paymentRows = can(role, 'payments.read')
    ? await db
        .select({
          id: payments.id,
          method: payments.method,
          reference: payments.reference,
          amountCents: payments.amountCents,
          status: payments.status,
          paidAt: payments.paidAt,
        })
        .from(payments)
        .where(eq(payments.customerId, id))
        .orderBy(desc(payments.paidAt), desc(payments.id))
        .limit(CUSTOMER_RECENT_PAYMENTS)
    : null;

  const ticketScope = scopeOf(role, 'tickets.read');
  const ticketRows = ticketScope
    ? await db
        .select({
          id: tickets.id,
          subject: tickets.subject,
          priority: tickets.priority,
          status: tickets.status,
          assigneeId: tickets.assigneeId,
          createdAt: tickets.createdAt,
        })
        .from(tickets)
        .where(
          and(
            eq(tickets.customerId, id),
            notInArray(tickets.status, ['resolved', 'closed']),
            visibleTickets({ user: actor.user, scope: ticketScope }),
          ),
        )
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
    : null;

  return {
    ...customer,
    subscriptions:
      subscriptionRows?.map((s) => ({
        ...s,
        startsAt: s.startsAt?.toISOString() ?? null,
        expiresAt: s.expiresAt?.toISOString() ?? null,
      })) ?? null,
    recentPayments: paymentRows?.map((p) => ({ ...p, paidAt: p.paidAt.toISOString() })) ?? null,
    openTickets: ticketRows?.map((t) => ({ ...t, createdAt: t.createdAt.toISOString() })) ?? null,
  };
}

/**
 * Opens a customer account (the database assigns the next account number). `origin.leadId` links
 * the customer to the lead it was converted from: lead conversion calls this inside its own
 * transaction, so the customer, the lead's change and their audit rows commit together.
 */
export async function createCustomer(
  db: Database,
  actor: StaffActor,
  input: CustomerCreateInput,
  origin: { leadId?: string } = {},
): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(customers)
      .values({ ...columnValues(customers, input, CUSTOMER_FIELDS), leadId: origin.leadId ?? null, createdById: actor.user.id })
      .returning();
    if (!row) throw new Error('customer insert returned nothing');
    await audit(tx, actor, {
      action: 'customer.create',
      entityType: 'customer',
      entityId: row.id,
      changes: { ...input, ...origin, accountNumber: row.accountNumber },
    });
    return toCustomer(row);
  });
}

/** Edits the contract's editable fields; a status change also goes on the customer's timeline. */
export async function updateCustomer(db: Database, actor: StaffActor, input: CustomerUpdateInput): Promise<Customer> {
  const { row } = await patchRecord(db, actor, {
    table: customers,
    id: input.id,
    notFound: customerNotFound,
    fields: CUSTOMER_UPDATE_FIELDS,
    input,
    action: 'customer.update',
    entityType: 'customer',
    afterUpdate: async (tx, _row, current, changes) => {
      if (!changes.status) return;
      const { from, to } = changes.status;
      await addCustomerActivity(tx, actor, current.id, `Status ${from} → ${to}`, { from, to }, 'status_change');
    },
  });
  return toCustomer(row);
}

/** Used by the activities module: 404 unless the customer exists. */
export async function assertCustomerExists(db: Database, id: string): Promise<void> {
  const [row] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, id)).limit(1);
  if (!row) throw customerNotFound();
}

/** Every customer matching the filters, page by page along the keyset (for CSV export). */
export async function* customerPages(db: Database, filters: CustomerFilterInput, pageSize = 500): AsyncGenerator<Customer[]> {
  let cursor: string | undefined;
  do {
    const page = await listCustomers(db, { ...filters, limit: pageSize, cursor });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
