/**
 * The audit trail as auditors read it (GET /api/audit: filters, cursor pages, admin and manager
 * only). Writing and verifying the chain live in `chain.ts`.
 */
import type { AuditEntry as AuditEntryView, ListAuditInput } from '@netflow/contracts';
import { auditLog, customers, leads, payments, plans, subscriptions, tickets, users, type Database } from '@netflow/db';
import { and, desc, eq, gte, inArray, like, lt, or, sql, type SQL } from 'drizzle-orm';
import { invalid } from '../../lib/errors';
import { escapeLike } from '../../lib/search';
import { hashedFieldsOf, type AuditRow } from './chain';

type Names = Map<string, string>;

function toEntry(row: AuditRow, names: { actors: Names; entities: Names }): AuditEntryView {
  return {
    id: row.id,
    ...hashedFieldsOf(row),
    at: row.at.toISOString(),
    actorName: row.actorId ? (names.actors.get(row.actorId) ?? null) : null,
    entityName: row.entityId ? (names.entities.get(`${row.entityType}:${row.entityId}`) ?? null) : null,
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Display names of a page's actors and entities: one batched query per entity type present on the
 * page (never one per row), so the trail reads "Jane Wanjiku (NF-000012)" instead of a uuid.
 */
async function resolveNames(db: Database, rows: AuditRow[]): Promise<{ actors: Names; entities: Names }> {
  const idsOf = (type: string) => [
    ...new Set(rows.filter((r) => r.entityType === type && r.entityId && UUID.test(r.entityId)).map((r) => r.entityId as string)),
  ];
  const entities: Names = new Map();
  const put = (type: string, list: { id: string; name: string }[]) => {
    for (const r of list) entities.set(`${type}:${r.id}`, r.name);
  };
  const actorIds = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => id !== null))];
  const userIds = [...new Set([...actorIds, ...idsOf('user')])];
  const actors: Names = new Map();
  if (userIds.length) {
    const list = await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, userIds));
    for (const u of list) actors.set(u.id, u.name);
    put('user', list);
  }
  const customerIds = idsOf('customer');
  if (customerIds.length) {
    put(
      'customer',
      await db
        .select({ id: customers.id, name: sql<string>`${customers.name} || ' (' || ${customers.accountNumber} || ')'` })
        .from(customers)
        .where(inArray(customers.id, customerIds)),
    );
  }
  const subscriptionIds = idsOf('subscription');
  if (subscriptionIds.length) {
    put(
      'subscription',
      await db
        .select({
          id: subscriptions.id,
          name: sql<string>`${plans.name} || ' — ' || ${customers.name} || ' (' || ${customers.accountNumber} || ')'`,
        })
        .from(subscriptions)
        .innerJoin(customers, eq(customers.id, subscriptions.customerId))
        .innerJoin(plans, eq(plans.id, subscriptions.planId))
        .where(inArray(subscriptions.id, subscriptionIds)),
    );
  }
  const paymentIds = idsOf('payment');
  if (paymentIds.length) {
    put(
      'payment',
      await db
        .select({
          id: payments.id,
          name: sql<string>`${payments.reference} || coalesce(' — ' || ${customers.name} || ' (' || ${customers.accountNumber} || ')', ' (unmatched)')`,
        })
        .from(payments)
        .leftJoin(customers, eq(customers.id, payments.customerId))
        .where(inArray(payments.id, paymentIds)),
    );
  }
  const ticketIds = idsOf('ticket');
  if (ticketIds.length) {
    put(
      'ticket',
      await db
        .select({ id: tickets.id, name: sql<string>`${tickets.subject} || ' — ' || ${customers.name}` })
        .from(tickets)
        .innerJoin(customers, eq(customers.id, tickets.customerId))
        .where(inArray(tickets.id, ticketIds)),
    );
  }
  const leadIds = idsOf('lead');
  if (leadIds.length) put('lead', await db.select({ id: leads.id, name: leads.name }).from(leads).where(inArray(leads.id, leadIds)));
  const planIds = idsOf('plan');
  if (planIds.length) put('plan', await db.select({ id: plans.id, name: plans.name }).from(plans).where(inArray(plans.id, planIds)));
  return { actors, entities };
}

/**
 * Entries about a customer: the customer's own rows and those of its subscriptions, payments and
 * tickets — each an `(entity_type, entity_id)` lookup on the entity index — and the moves of
 * payments away from it.
 */
function aboutCustomer(customerId: string): SQL | undefined {
  // `= any(array(…))`: the ids are computed once (an init plan), so each arm is an index condition
  // of a bitmap OR, where `in (subquery)` inside an OR would filter every row of the trail.
  const related = (type: string, ids: SQL) => and(eq(auditLog.entityType, type), sql`${auditLog.entityId} = any(array(${ids}))`);
  return or(
    and(eq(auditLog.entityType, 'customer'), eq(auditLog.entityId, customerId)),
    related('subscription', sql`select ${subscriptions.id}::text from ${subscriptions} where ${subscriptions.customerId} = ${customerId}`),
    related('payment', sql`select ${payments.id}::text from ${payments} where ${payments.customerId} = ${customerId}`),
    related('ticket', sql`select ${tickets.id}::text from ${tickets} where ${tickets.customerId} = ${customerId}`),
    // A payment moved away from the customer belongs to another now; its move stays in this trail
    // (few rows: found through the action index).
    and(eq(auditLog.action, 'payment.move'), sql`${auditLog.changes}->'customerId'->>'from' = ${customerId}`),
  );
}

/** The cursor of the audit list: the last row's id (ids only grow), base64url so it stays opaque. */
function encodeAuditCursor(id: number): string {
  return Buffer.from(`audit:${id}`).toString('base64url');
}
function decodeAuditCursor(cursor: string): number {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalid('Invalid cursor');
  return Number(match[1]);
}

/** Newest first; every filter is a fixed column compared with a bound value. */
export async function listAudit(db: Database, input: ListAuditInput): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const action = input.action?.endsWith('.*')
    ? like(auditLog.action, `${escapeLike(input.action.slice(0, -1))}%`)
    : input.action
      ? eq(auditLog.action, input.action)
      : undefined;
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        action,
        input.entityType ? eq(auditLog.entityType, input.entityType) : undefined,
        input.entityId ? eq(auditLog.entityId, input.entityId) : undefined,
        input.customerId ? aboutCustomer(input.customerId) : undefined,
        input.actorId ? eq(auditLog.actorId, input.actorId) : undefined,
        input.outcome ? eq(auditLog.outcome, input.outcome) : undefined,
        input.from ? gte(auditLog.at, new Date(input.from)) : undefined,
        input.to ? lt(auditLog.at, new Date(input.to)) : undefined,
        input.cursor ? lt(auditLog.id, decodeAuditCursor(input.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  const names = await resolveNames(db, page);
  return {
    items: page.map((row) => toEntry(row, names)),
    nextCursor: rows.length > input.limit && last ? encodeAuditCursor(last.id) : null,
  };
}
