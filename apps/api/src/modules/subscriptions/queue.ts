/**
 * The Subscriptions page's working lists (expiring, lapsed, suspended, pending installation) and
 * their CSV export: each subscription with what staff need to act on it — the customer's phone
 * and address, the balance, and who works the customer's open ticket.
 */
import {
  EXPIRING_WITHIN_DAYS,
  subscriptionQueueFilterInput,
  type SubscriptionQueueFilterInput,
  type SubscriptionQueueInput,
  type SubscriptionQueueItem,
  type SubscriptionView,
} from '@netflow/contracts';
import { customers, plans, routers, subscriptions, type Database } from '@netflow/db';
import { and, eq, gt, lt, lte, sql, type SQL } from 'drizzle-orm';
import type { CsvExportSpec } from '../../lib/csv-export';
import { formatEat, kesAmount } from '../../lib/eat';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { CUSTOMER_SEARCH_FIELDS, searchIndexed } from '../../lib/search';
import { addDays } from './billing';
import { toSubscription } from './service';

const NO_EXPIRY = sql`'9999-12-31T00:00:00Z'::timestamptz`;

function viewCondition(view: SubscriptionView, now: Date): SQL | undefined {
  switch (view) {
    case 'expiring':
      return and(
        eq(subscriptions.status, 'active'),
        gt(subscriptions.expiresAt, now),
        lt(subscriptions.expiresAt, addDays(now, EXPIRING_WITHIN_DAYS)),
      );
    case 'lapsed':
      return and(eq(subscriptions.status, 'active'), lte(subscriptions.expiresAt, now));
    case 'suspended':
      return eq(subscriptions.status, 'suspended');
    case 'pending':
      return eq(subscriptions.status, 'pending');
  }
}

/** The assignee of the customer's most recent open ticket (new, open or pending). */
const assigneeName = sql<string | null>`(
  select u.name from tickets t join users u on u.id = t.assignee_id
  where t.customer_id = ${subscriptions.customerId} and t.status in ('new', 'open', 'pending')
  order by t.created_at desc limit 1
)`;

export async function listSubscriptionQueue(
  db: Database,
  input: SubscriptionQueueInput,
  now = new Date(),
): Promise<Page<SubscriptionQueueItem>> {
  // Soonest expiry first (the most urgent); the installation queue oldest first.
  const byCreation = input.view === 'pending';
  const ks = keyset({
    name: byCreation ? 'createdAt.asc' : 'expiresAt.asc',
    column: byCreation ? subscriptions.createdAt : sql`coalesce(${subscriptions.expiresAt}, ${NO_EXPIRY})`,
    type: 'timestamptz',
    id: subscriptions.id,
    direction: 'asc',
    cursor: input.cursor,
  });
  const rows = await db
    .select({
      sub: subscriptions,
      id: subscriptions.id,
      customerName: customers.name,
      accountNumber: customers.accountNumber,
      planName: plans.name,
      routerName: routers.name,
      customerPhone: customers.phone,
      customerAddress: customers.address,
      balanceCents: customers.balanceCents,
      assigneeName,
      cursorKey: ks.cursorKey,
    })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .leftJoin(routers, eq(routers.id, subscriptions.routerId))
    .where(and(viewCondition(input.view, now), searchIndexed(input.search, CUSTOMER_SEARCH_FIELDS, true), ks.where))
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, (r) => ({
    ...toSubscription(r),
    customerPhone: r.customerPhone,
    customerAddress: r.customerAddress,
    balanceCents: r.balanceCents,
    assigneeName: r.assigneeName,
  }));
}

async function* queuePages(db: Database, filters: SubscriptionQueueFilterInput): AsyncIterable<SubscriptionQueueItem[]> {
  const now = new Date();
  let cursor: string | undefined;
  do {
    const page = await listSubscriptionQueue(db, { ...filters, limit: 100, cursor }, now);
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}

/** GET /api/subscriptions/export?view=…: one working list as CSV (times in EAT, amounts in KES). */
export const subscriptionsExport: CsvExportSpec<typeof subscriptionQueueFilterInput, SubscriptionQueueItem> = {
  path: '/subscriptions/export',
  tag: 'subscriptions',
  summary: 'Export one working list of subscriptions (expiring, lapsed, suspended, pending) as CSV',
  permission: 'subscriptions.read',
  filters: subscriptionQueueFilterInput,
  filename: 'subscriptions',
  auditAction: 'subscription.export',
  entityType: 'subscription',
  columns: [
    { header: 'Customer', value: (s) => s.customerName },
    { header: 'Account number', value: (s) => s.accountNumber },
    { header: 'Phone', value: (s) => s.customerPhone },
    { header: 'Address', value: (s) => s.customerAddress },
    { header: 'Plan', value: (s) => s.planName },
    { header: 'Status', value: (s) => s.status },
    { header: 'Expires at (EAT, UTC+3)', value: (s) => formatEat(s.expiresAt) },
    { header: 'Balance (KES)', value: (s) => kesAmount(s.balanceCents) },
    { header: 'Assignee', value: (s) => s.assigneeName },
    { header: 'Created at (EAT, UTC+3)', value: (s) => formatEat(s.createdAt) },
    { header: 'Id', value: (s) => s.id },
  ],
  pages: (db, _actor, filters) => queuePages(db, filters),
};
