/**
 * The dashboard: a handful of figures, each computed by one SQL query. A figure the caller's role
 * may not read (e.g. revenue without payments.read) is null; lead and ticket figures stay within
 * the caller's scope (sales: own + unassigned leads; technicians: tickets assigned to them).
 */
import { LEAD_STATUSES, scopeOf, type DashboardSummary } from '@netflow/contracts';
import { leads, payments, queryRows, subscriptions, tickets, type Database } from '@netflow/db';
import { and, count, eq, gte, lt, notInArray, sql } from 'drizzle-orm';
import type { CurrentUser, StaffActor } from '../../lib/actor';
import { visibleLeads } from '../leads';
import { visibleTickets } from '../tickets';

const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;

function countsBy<K extends string>(keys: readonly K[], rows: { key: string; n: number }[]): Record<K, number> {
  const out = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
  for (const row of rows) if ((keys as readonly string[]).includes(row.key)) out[row.key as K] = row.n;
  return out;
}

async function leadsByStage(db: Database, user: CurrentUser) {
  const scope = scopeOf(user.role, 'leads.read');
  if (!scope) return null;
  const rows = await db.select({ key: leads.status, n: count() }).from(leads).where(visibleLeads({ user, scope })).groupBy(leads.status);
  return countsBy(LEAD_STATUSES, rows);
}

/** Cohort rate: of the leads created in the last 30 days, the share already won. */
async function conversion30d(db: Database, user: CurrentUser) {
  const scope = scopeOf(user.role, 'leads.read');
  if (!scope) return null;
  const [row] = await db
    .select({ created: count(), won: count(sql`case when ${leads.status} = 'won' then 1 end`) })
    .from(leads)
    .where(and(gte(leads.createdAt, sql`now() - interval '30 days'`), visibleLeads({ user, scope })));
  const created = row?.created ?? 0;
  const won = row?.won ?? 0;
  return { created, won, rate: created === 0 ? null : won / created };
}

async function subscriptionCounts(db: Database, user: CurrentUser) {
  if (!scopeOf(user.role, 'subscriptions.read')) return null;
  const [row] = await db
    .select({
      active: count(sql`case when ${subscriptions.status} = 'active' then 1 end`),
      suspended: count(sql`case when ${subscriptions.status} = 'suspended' then 1 end`),
    })
    .from(subscriptions)
    .where(sql`${subscriptions.status} in ('active', 'suspended')`);
  return { active: row?.active ?? 0, suspended: row?.suspended ?? 0 };
}

async function expiringWithin7Days(db: Database, user: CurrentUser) {
  if (!scopeOf(user.role, 'subscriptions.read')) return null;
  const [row] = await db
    .select({ n: count() })
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.status, 'active'),
        gte(subscriptions.expiresAt, sql`now()`),
        lt(subscriptions.expiresAt, sql`now() + interval '7 days'`),
      ),
    );
  return row?.n ?? 0;
}

/** Applied payments paid since the first instant of this month in UTC. */
async function revenueThisMonth(db: Database, user: CurrentUser) {
  if (!scopeOf(user.role, 'payments.read')) return null;
  const [row] = await db
    .select({ cents: sql<string>`coalesce(sum(${payments.amountCents}), 0)::text` })
    .from(payments)
    .where(and(eq(payments.status, 'applied'), gte(payments.paidAt, sql`date_trunc('month', now(), 'UTC')`)));
  return Number(row?.cents ?? 0);
}

export const REVENUE_DAYS = 30;

/** Applied payments per UTC day for the last 30 days, days without payments included as 0. */
async function revenueByDay(db: Database, user: CurrentUser) {
  if (!scopeOf(user.role, 'payments.read')) return null;
  const rows = await queryRows<{ day: string; cents: string }>(
    db,
    sql`
      select to_char(d.day, 'YYYY-MM-DD') as day, coalesce(sum(${payments.amountCents}), 0)::text as cents
      from generate_series(
        date_trunc('day', now() at time zone 'UTC') - make_interval(days => ${REVENUE_DAYS - 1}),
        date_trunc('day', now() at time zone 'UTC'),
        interval '1 day'
      ) as d(day)
      left join ${payments}
        on ${payments.status} = 'applied'
        and ${payments.paidAt} >= d.day at time zone 'UTC'
        and ${payments.paidAt} < (d.day + interval '1 day') at time zone 'UTC'
      group by d.day
      order by d.day`,
  );
  return rows.map((r) => ({ day: r.day, cents: Number(r.cents) }));
}

async function openTicketsByPriority(db: Database, user: CurrentUser) {
  const scope = scopeOf(user.role, 'tickets.read');
  if (!scope) return null;
  const rows = await db
    .select({ key: tickets.priority, n: count() })
    .from(tickets)
    .where(and(notInArray(tickets.status, ['resolved', 'closed']), visibleTickets({ user, scope })))
    .groupBy(tickets.priority);
  return countsBy(TICKET_PRIORITIES, rows);
}

export async function dashboardSummary(db: Database, actor: Pick<StaffActor, 'user'>): Promise<DashboardSummary> {
  const { user } = actor;
  // Sequential on purpose: the embedded engine runs one query at a time anyway, and on a pool six
  // concurrent queries per dashboard view would starve other requests.
  const summary: DashboardSummary = {
    leadsByStage: await leadsByStage(db, user),
    conversion30d: await conversion30d(db, user),
    subscriptions: await subscriptionCounts(db, user),
    expiringWithin7Days: await expiringWithin7Days(db, user),
    revenueThisMonthCents: await revenueThisMonth(db, user),
    revenueByDay: await revenueByDay(db, user),
    openTicketsByPriority: await openTicketsByPriority(db, user),
    generatedAt: new Date().toISOString(),
  };
  return summary;
}
