/**
 * Customers: account holders with a unique account number (NF-000123, what they type when paying
 * by M-Pesa). Owns creation, editing, lists and the detail view, which gathers subscriptions,
 * recent payments and open tickets straight from their tables.
 */
import {
  can,
  CUSTOMER_RECENT_PAYMENTS,
  scopeOf,
  type Customer,
  type CustomerCreateInput,
  type CustomerDetail,
  type CustomerFilterInput,
  type CustomerListInput,
  type CustomerUpdateInput,
} from '@netflow/contracts';
import { activities, customers, payments, plans, subscriptions, tickets, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, desc, eq, gte, inArray, lt, notInArray, sql, type SQL } from 'drizzle-orm';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';
import type { Context, CurrentUser } from '../../trpc/context';

export type CustomerActor = Pick<Context, 'ip' | 'requestId'> & { user: CurrentUser };

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'Customer not found' });

export const customerColumns = {
  id: customers.id,
  accountNumber: customers.accountNumber,
  name: customers.name,
  phone: customers.phone,
  email: customers.email,
  address: customers.address,
  location: customers.location,
  status: customers.status,
  balanceCents: customers.balanceCents,
  leadId: customers.leadId,
  createdAt: customers.createdAt,
  updatedAt: customers.updatedAt,
};

type CustomerRow = typeof customers.$inferSelect;

export function toCustomer(row: Pick<CustomerRow, keyof typeof customerColumns>): Customer {
  return { ...row, createdAt: row.createdAt.toISOString(), updatedAt: row.updatedAt.toISOString() };
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
  conditions.push(searchAny(input.search, [customers.name, customers.email, customers.accountNumber], [customers.phone]));
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
    .select({ ...customerColumns, cursorKey: page.cursorKey })
    .from(customers)
    .where(and(customerFilters(input), page.where))
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, toCustomer);
}

async function findCustomer(db: Database, id: string): Promise<Customer> {
  const [row] = await db.select(customerColumns).from(customers).where(eq(customers.id, id)).limit(1);
  if (!row) throw notFound();
  return toCustomer(row);
}

/**
 * The detail view. Each section is read only when the caller's role may read that kind of record
 * (otherwise null); technicians see only the tickets assigned to them.
 */
export async function getCustomer(db: Database, actor: CustomerActor, id: string): Promise<CustomerDetail> {
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
            ticketScope === 'assigned' ? eq(tickets.assigneeId, actor.user.id) : undefined,
          ),
        )
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
    : null;

  return {
    ...customer,
    subscriptions:
      subscriptionRows?.map((s) => ({ ...s, startsAt: s.startsAt?.toISOString() ?? null, expiresAt: s.expiresAt?.toISOString() ?? null })) ??
      null,
    recentPayments: paymentRows?.map((p) => ({ ...p, paidAt: p.paidAt.toISOString() })) ?? null,
    openTickets: ticketRows?.map((t) => ({ ...t, createdAt: t.createdAt.toISOString() })) ?? null,
  };
}

export async function createCustomer(db: Database, actor: CustomerActor, input: CustomerCreateInput): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(customers)
      .values({
        name: input.name,
        phone: input.phone,
        email: input.email ?? null,
        address: input.address ?? null,
        location: input.location ?? null,
        createdById: actor.user.id,
      })
      .returning(customerColumns);
    if (!row) throw new Error('customer insert returned nothing');
    await audit(tx, actor, {
      action: 'customer.create',
      entityType: 'customer',
      entityId: row.id,
      changes: { ...input, accountNumber: row.accountNumber },
    });
    return toCustomer(row);
  });
}

const EDITABLE = ['name', 'phone', 'email', 'address', 'location', 'status'] as const;

export async function updateCustomer(db: Database, actor: CustomerActor, input: CustomerUpdateInput): Promise<Customer> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(customers).where(eq(customers.id, input.id)).for('update').limit(1);
    if (!current) throw notFound();
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of EDITABLE) {
      const next = input[field];
      if (next !== undefined && next !== current[field]) changes[field] = { from: current[field], to: next };
    }
    if (Object.keys(changes).length === 0) return toCustomer(current);
    const patch = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])) as Partial<
      Pick<CustomerUpdateInput, (typeof EDITABLE)[number]>
    >;
    const [row] = await tx.update(customers).set(patch).where(eq(customers.id, current.id)).returning(customerColumns);
    if (!row) throw notFound();
    if (changes.status) {
      await tx.insert(activities).values({
        customerId: current.id,
        kind: 'status_change',
        body: `Status ${current.status} → ${String(changes.status.to)}`,
        data: { from: current.status, to: changes.status.to },
        actorId: actor.user.id,
      });
    }
    await audit(tx, actor, { action: 'customer.update', entityType: 'customer', entityId: current.id, changes });
    return toCustomer(row);
  });
}

/** Used by the activities module: 404 unless the customer exists. */
export async function assertCustomerExists(db: Database, id: string): Promise<void> {
  const [row] = await db.select({ id: customers.id }).from(customers).where(eq(customers.id, id)).limit(1);
  if (!row) throw notFound();
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
