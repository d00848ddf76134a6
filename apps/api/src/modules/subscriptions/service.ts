/**
 * Subscriptions: a customer × plan with a PPPoE username, start and expiry. Owns creation,
 * activation, suspension, restoration, cancellation, renewal by payment (called by the payments
 * service inside its transaction), the expiry sweep, and the customer status that follows from
 * them. Service time is only ever bought from the customer's balance (see `billing.ts`).
 */
import { SUBSCRIPTION_TRANSITIONS, type ListSubscriptionsInput, type Subscription, type SubscriptionStatus } from '@netflow/contracts';
import { customers, plans, routers, subscriptions, type Database } from '@netflow/db';
import { and, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { conflict, invalid, notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/pg-errors';
import { escapeLike, searchAny } from '../../lib/search';
import { addActivities, addCustomerActivity } from '../activities';
import { audit } from '../audit';
import { addDays, formatKes, periodsPaidBy } from './billing';
import { emitEvent, type ServiceChangeKind } from '../../lib/events';

/** What a change needs to know about who made it: enough for its audit row and timeline entry. */
export type ChangeActor = Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>;
/** Kept for modules not yet moved to `Actor` (plans, tickets); new code uses `Actor`. */
export type AuditContext = ChangeActor;
export type SubscriptionRow = typeof subscriptions.$inferSelect;

export interface CreateSubscriptionFields {
  customerId: string;
  planId: string;
  pppoeUsername?: string;
  /** The router that serves it (provisioning manages it from activation on). */
  routerId?: string;
}

/**
 * Creates a `pending` subscription (provisioning activates it). Runs on the caller's transaction
 * or handle: lead conversion calls it inside its own transaction.
 */
export async function createSubscription(tx: Database, actor: ChangeActor, input: CreateSubscriptionFields): Promise<SubscriptionRow> {
  const [plan] = await tx
    .select({ id: plans.id, name: plans.name, active: plans.active })
    .from(plans)
    .where(eq(plans.id, input.planId))
    .limit(1);
  if (!plan) throw notFound('Plan');
  if (!plan.active) throw invalid('This plan is no longer offered');

  const [customer] = await tx.select({ id: customers.id }).from(customers).where(eq(customers.id, input.customerId)).limit(1);
  if (!customer) throw notFound('Customer');

  if (input.routerId) await assertRouterExists(tx, input.routerId);

  const pppoeUsername = input.pppoeUsername?.trim().toLowerCase();
  if (pppoeUsername) await assertUsernameFree(tx, pppoeUsername);

  let row: SubscriptionRow | undefined;
  try {
    // A savepoint, so a lost race on the username does not poison the caller's transaction.
    row = await tx.transaction(async (sp) => {
      const [inserted] = await sp
        .insert(subscriptions)
        .values({
          customerId: customer.id,
          planId: plan.id,
          status: 'pending',
          pppoeUsername: pppoeUsername ?? null,
          routerId: input.routerId ?? null,
        })
        .returning();
      return inserted;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'subscriptions_pppoe_username_key')) throw usernameTaken();
    throw error;
  }
  if (!row) throw new Error('subscription insert returned nothing');

  await addCustomerActivity(tx, actor, row.customerId, `Subscription to ${plan.name} created (pending activation)`, {
    subscriptionId: row.id,
    planId: plan.id,
  });
  // Audit last: the audit append lock is held until commit, so no row lock should follow it.
  await audit(tx, actor, {
    action: 'subscription.create',
    entityType: 'subscription',
    entityId: row.id,
    changes: {
      customerId: row.customerId,
      planId: row.planId,
      status: row.status,
      pppoeUsername: row.pppoeUsername,
      ...(row.routerId ? { routerId: row.routerId } : {}),
    },
  });
  return row;
}

/** The `subscriptions.create` procedure: a pending subscription in its own transaction. */
export function addSubscription(db: Database, actor: Actor, input: CreateSubscriptionFields): Promise<Subscription> {
  return db.transaction(async (tx) => {
    const row = await createSubscription(tx, actor, input);
    return getSubscription(tx, row.id);
  });
}

const usernameTaken = () => conflict('That PPPoE username is already in use');

async function assertRouterExists(tx: Database, routerId: string) {
  const [router] = await tx.select({ id: routers.id }).from(routers).where(eq(routers.id, routerId)).limit(1);
  if (!router) throw notFound('Router');
}

async function assertUsernameFree(tx: Database, username: string) {
  const [taken] = await tx.select({ id: subscriptions.id }).from(subscriptions).where(eq(subscriptions.pppoeUsername, username)).limit(1);
  if (taken) throw usernameTaken();
}

// ---------------------------------------------------------------------------------------------
// Reading

const subscriptionColumns = {
  sub: subscriptions,
  id: subscriptions.id,
  customerName: customers.name,
  accountNumber: customers.accountNumber,
  planName: plans.name,
  routerName: routers.name,
};

interface JoinedSubscription {
  sub: SubscriptionRow;
  customerName: string;
  accountNumber: string;
  planName: string;
  routerName: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export function toSubscription(r: JoinedSubscription): Subscription {
  const s = r.sub;
  return {
    id: s.id,
    customerId: s.customerId,
    customerName: r.customerName,
    accountNumber: r.accountNumber,
    planId: s.planId,
    planName: r.planName,
    status: s.status,
    pppoeUsername: s.pppoeUsername,
    startsAt: iso(s.startsAt),
    expiresAt: iso(s.expiresAt),
    suspendedAt: iso(s.suspendedAt),
    cancelledAt: iso(s.cancelledAt),
    routerId: s.routerId,
    routerName: r.routerName,
    provisioningState: s.provisioningState,
    provisioningError: s.provisioningError,
    provisioningAttempts: s.provisioningAttempts,
    provisionedAt: iso(s.provisionedAt),
    createdAt: s.createdAt.toISOString(),
    updatedAt: s.updatedAt.toISOString(),
  };
}

export async function getSubscription(db: Database, id: string): Promise<Subscription> {
  const [row] = await db
    .select(subscriptionColumns)
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .leftJoin(routers, eq(routers.id, subscriptions.routerId))
    .where(eq(subscriptions.id, id))
    .limit(1);
  if (!row) throw notFound('Subscription');
  return toSubscription(row);
}

/** Pending subscriptions have no expiry yet; they sort after every dated one. */
const NO_EXPIRY = sql`'9999-12-31T00:00:00Z'::timestamptz`;

export async function listSubscriptions(db: Database, input: ListSubscriptionsInput): Promise<Page<Subscription>> {
  const column = input.sort === 'expiresAt' ? sql`coalesce(${subscriptions.expiresAt}, ${NO_EXPIRY})` : subscriptions.createdAt;
  const ks = keyset({
    name: `${input.sort}.${input.order}`,
    column,
    type: 'timestamptz',
    id: subscriptions.id,
    direction: input.order,
    cursor: input.cursor,
  });
  const rows = await db
    .select({ ...subscriptionColumns, cursorKey: ks.cursorKey })
    .from(subscriptions)
    .innerJoin(customers, eq(customers.id, subscriptions.customerId))
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .leftJoin(routers, eq(routers.id, subscriptions.routerId))
    .where(
      and(
        input.status ? eq(subscriptions.status, input.status) : undefined,
        input.customerId ? eq(subscriptions.customerId, input.customerId) : undefined,
        input.planId ? eq(subscriptions.planId, input.planId) : undefined,
        input.expiresFrom ? gte(subscriptions.expiresAt, new Date(input.expiresFrom)) : undefined,
        input.expiresTo ? lt(subscriptions.expiresAt, new Date(input.expiresTo)) : undefined,
        searchAny(input.search, [subscriptions.pppoeUsername, customers.accountNumber, customers.name]),
        ks.where,
      ),
    )
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, toSubscription);
}

// ---------------------------------------------------------------------------------------------
// Status changes

export type SubscriptionAction = 'activate' | 'suspend' | 'restore' | 'cancel';

const ACTION_TARGET: Record<SubscriptionAction, SubscriptionStatus> = {
  activate: 'active',
  suspend: 'suspended',
  restore: 'active',
  cancel: 'cancelled',
};

/**
 * `activate` provisions a pending subscription; `restore` lifts a suspension. Both reach `active`,
 * so the action (not only the target) decides which source status is legal.
 */
const ACTION_FROM: Record<SubscriptionAction, readonly SubscriptionStatus[]> = {
  activate: ['pending'],
  suspend: ['active'],
  restore: ['suspended'],
  cancel: ['pending', 'active', 'suspended'],
};

const SERVICE_CHANGE: Record<SubscriptionAction, ServiceChangeKind> = {
  activate: 'activated',
  suspend: 'suspended',
  restore: 'restored',
  cancel: 'cancelled',
};

/** What activation bought from the balance: whole periods, or none ("awaiting payment"). */
interface ActivationPayment {
  paidPeriods: number;
  balanceCents: { from: number; to: number };
}

/**
 * Activation starts the service clock now and buys from the customer's balance as many whole
 * periods as it covers. A balance short of one period activates "awaiting payment": the expiry is
 * the activation itself, so the subscription is lapsed from the start and the expiry sweep suspends
 * it after the grace period unless a payment renews it (from now). Activation never grants time
 * that was not paid for. Locks the customer row (after the subscription's: one lock order).
 */
async function payForActivation(
  tx: Database,
  customerId: string,
  plan: { priceCents: number; validityDays: number },
  now: Date,
  set: Partial<typeof subscriptions.$inferInsert>,
): Promise<ActivationPayment> {
  const [customer] = await tx
    .select({ balanceCents: customers.balanceCents })
    .from(customers)
    .where(eq(customers.id, customerId))
    .for('update');
  if (!customer) throw new Error('subscription without customer');
  const paidPeriods = periodsPaidBy(customer.balanceCents, plan);
  const to = customer.balanceCents - paidPeriods * plan.priceCents;
  if (paidPeriods > 0) await tx.update(customers).set({ balanceCents: to }).where(eq(customers.id, customerId));
  set.startsAt = now;
  set.expiresAt = addDays(now, paidPeriods * plan.validityDays);
  set.suspendedAt = null;
  return { paidPeriods, balanceCents: { from: customer.balanceCents, to } };
}

function statusChangeBody(
  planName: string,
  from: SubscriptionStatus,
  to: SubscriptionStatus,
  updated: SubscriptionRow,
  paid: ActivationPayment | null,
  priceCents: number,
) {
  const base = `Subscription to ${planName}: ${from} → ${to}`;
  if (!paid) return base;
  if (paid.paidPeriods > 0) {
    const periods = paid.paidPeriods === 1 ? 'one period' : `${paid.paidPeriods} periods`;
    return `${base}; ${periods} paid from the balance, until ${iso(updated.expiresAt)?.slice(0, 10) ?? '—'}`;
  }
  return `${base}, awaiting payment (balance ${formatKes(paid.balanceCents.from)}, plan ${formatKes(priceCents)}): suspended after the grace period unless paid`;
}

export async function changeSubscriptionStatus(
  db: Database,
  actor: Actor,
  input: { id: string; action: SubscriptionAction; reason?: string | undefined; routerId?: string | undefined },
): Promise<Subscription> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(subscriptions).where(eq(subscriptions.id, input.id)).for('update');
    if (!current) throw notFound('Subscription');
    const to = ACTION_TARGET[input.action];
    // The table in contracts and the per-action sources must agree; both are checked.
    if (!ACTION_FROM[input.action].includes(current.status) || !SUBSCRIPTION_TRANSITIONS[current.status].includes(to)) {
      throw conflict(`Cannot ${input.action} a subscription that is ${current.status}`);
    }
    const now = new Date();
    const set: Partial<typeof subscriptions.$inferInsert> = { status: to };
    const [plan] = await tx.select().from(plans).where(eq(plans.id, current.planId));
    if (!plan) throw new Error('subscription without plan');

    let paid: ActivationPayment | null = null;
    switch (input.action) {
      case 'activate':
        // The router may be chosen at activation (the technician installing the line knows it).
        if (input.routerId) {
          await assertRouterExists(tx, input.routerId);
          set.routerId = input.routerId;
        }
        paid = await payForActivation(tx, current.customerId, plan, now, set);
        break;
      case 'suspend':
        set.suspendedAt = now;
        break;
      case 'restore':
        // Restoring a lapsed (or never paid) subscription would hand out time nobody paid for; the
        // way back from an expiry is a payment, which renews and re-activates in one step.
        if (!current.expiresAt || current.expiresAt.getTime() <= now.getTime()) {
          throw conflict('This subscription has expired; record a payment to renew it');
        }
        set.suspendedAt = null;
        break;
      case 'cancel':
        set.cancelledAt = now;
        break;
    }

    let updated: SubscriptionRow | undefined;
    if (input.action === 'activate' && !current.pppoeUsername) {
      updated = await activateWithGeneratedUsername(tx, current, set);
    } else {
      [updated] = await tx.update(subscriptions).set(set).where(eq(subscriptions.id, current.id)).returning();
    }
    if (!updated) throw new Error('subscription update returned nothing');

    const customerChange = await syncCustomerStatus(tx, current.customerId);
    await addCustomerActivity(
      tx,
      actor,
      current.customerId,
      statusChangeBody(plan.name, current.status, to, updated, paid, plan.priceCents),
      {
        subscriptionId: current.id,
        action: input.action,
        ...(paid ? { paidPeriods: paid.paidPeriods, expiresAt: iso(updated.expiresAt) } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
    );
    // Audit rows last: the audit append lock is held until commit, so no row lock is taken after it.
    await audit(tx, actor, {
      action: `subscription.${input.action}`,
      entityType: 'subscription',
      entityId: current.id,
      changes: {
        status: { from: current.status, to },
        ...(set.expiresAt ? { expiresAt: { from: iso(current.expiresAt), to: iso(updated.expiresAt) } } : {}),
        ...(paid ? { paidPeriods: paid.paidPeriods, balanceCents: paid.balanceCents, awaitingPayment: paid.paidPeriods === 0 } : {}),
        ...(updated.pppoeUsername !== current.pppoeUsername ? { pppoeUsername: updated.pppoeUsername } : {}),
        ...(updated.routerId !== current.routerId ? { routerId: { from: current.routerId, to: updated.routerId } } : {}),
        ...(input.reason ? { reason: input.reason } : {}),
      },
    });
    if (customerChange) await auditCustomerStatus(tx, actor, current.customerId, customerChange, `subscription.${input.action}`);
    await emitEvent(tx, actor, {
      type: 'subscription.changed',
      subscriptionId: current.id,
      customerId: current.customerId,
      change: SERVICE_CHANGE[input.action],
      cause: 'staff',
      expiresAt: iso(updated.expiresAt),
    });
    return getSubscription(tx, current.id);
  });
}

/**
 * A generated PPPoE username derives from the account number (NF-000123 → nf000123, then
 * nf000123-2, …). Each try runs in a savepoint so a concurrent taker only costs another try.
 */
async function activateWithGeneratedUsername(
  tx: Database,
  current: SubscriptionRow,
  set: Partial<typeof subscriptions.$inferInsert>,
): Promise<SubscriptionRow | undefined> {
  const [customer] = await tx
    .select({ accountNumber: customers.accountNumber })
    .from(customers)
    .where(eq(customers.id, current.customerId));
  const base = (customer?.accountNumber ?? current.id.slice(0, 8)).toLowerCase().replace(/[^a-z0-9]/g, '') || 'nf';
  for (let attempt = 0; attempt < 5; attempt += 1) {
    const taken = new Set(
      (
        await tx.select({ u: subscriptions.pppoeUsername }).from(subscriptions).where(ilikeLiteralPrefix(subscriptions.pppoeUsername, base))
      ).map((r) => r.u),
    );
    let candidate = base;
    for (let n = 2; taken.has(candidate); n += 1) candidate = `${base}-${n}`;
    try {
      return await tx.transaction(async (sp) => {
        const [row] = await sp
          .update(subscriptions)
          .set({ ...set, pppoeUsername: candidate })
          .where(eq(subscriptions.id, current.id))
          .returning();
        return row;
      });
    } catch (error) {
      if (!isUniqueViolation(error, 'subscriptions_pppoe_username_key')) throw error;
    }
  }
  throw conflict('Could not allocate a PPPoE username; try again');
}

const ilikeLiteralPrefix = (column: typeof subscriptions.pppoeUsername, prefix: string) =>
  sql`${column} like ${`${escapeLike(prefix)}%`} escape '\\'`;

// ---------------------------------------------------------------------------------------------
// Customer status

export type CustomerStatusChange = { from: CustomerStatus; to: CustomerStatus };
type CustomerStatus = (typeof customers.$inferSelect)['status'];

/**
 * A customer's status follows their subscriptions: `active` while any subscription is active,
 * `suspended` when none is active but one is suspended, `inactive` once every subscription is
 * cancelled. A customer with only pending subscriptions (awaiting installation) or none keeps the
 * status they have, so a freshly converted customer stays `active`.
 * Locks the customer row; callers lock subscription rows before it (one lock order everywhere).
 */
export async function syncCustomerStatus(tx: Database, customerId: string): Promise<CustomerStatusChange | null> {
  const [customer] = await tx.select({ status: customers.status }).from(customers).where(eq(customers.id, customerId)).for('update');
  if (!customer) return null;
  const [counts] = await tx
    .select({
      active: sql<number>`count(*) filter (where ${subscriptions.status} = 'active')`.mapWith(Number),
      suspended: sql<number>`count(*) filter (where ${subscriptions.status} = 'suspended')`.mapWith(Number),
      pending: sql<number>`count(*) filter (where ${subscriptions.status} = 'pending')`.mapWith(Number),
      total: sql<number>`count(*)`.mapWith(Number),
    })
    .from(subscriptions)
    .where(eq(subscriptions.customerId, customerId));
  let next: CustomerStatus = customer.status;
  if (counts && counts.active > 0) next = 'active';
  else if (counts && counts.suspended > 0) next = 'suspended';
  else if (counts && counts.total > 0 && counts.pending === 0) next = 'inactive';
  if (next === customer.status) return null;
  await tx.update(customers).set({ status: next }).where(eq(customers.id, customerId));
  return { from: customer.status, to: next };
}

export function auditCustomerStatus(tx: Database, actor: ChangeActor, customerId: string, change: CustomerStatusChange, cause: string) {
  return audit(tx, actor, {
    action: 'customer.status',
    entityType: 'customer',
    entityId: customerId,
    changes: { status: change, cause },
  });
}

// ---------------------------------------------------------------------------------------------
// Renewal (called by payments inside their transaction)

export interface RenewalEffect {
  subscriptionId: string;
  periods: number;
  addedDays: number;
  expiresAt: { from: string | null; to: string };
  status: { from: SubscriptionStatus; to: SubscriptionStatus };
}

/**
 * Extends a locked active or suspended subscription by `periods` × the plan's validity, counted
 * from the later of now and its current expiry (paying early never loses days, paying late does
 * not back-date), and re-activates it when suspended. Writes no audit row: the caller writes it
 * last, after every lock it needs.
 */
export async function renewSubscription(
  tx: Database,
  sub: SubscriptionRow,
  validityDays: number,
  periods: number,
  now: Date,
): Promise<RenewalEffect> {
  const base = sub.expiresAt && sub.expiresAt.getTime() > now.getTime() ? sub.expiresAt : now;
  const addedDays = periods * validityDays;
  const expiresAt = addDays(base, addedDays);
  const to: SubscriptionStatus = sub.status === 'suspended' ? 'active' : sub.status;
  await tx
    .update(subscriptions)
    .set({
      expiresAt,
      status: to,
      startsAt: sub.startsAt ?? now,
      ...(sub.status === 'suspended' ? { suspendedAt: null } : {}),
    })
    .where(eq(subscriptions.id, sub.id));
  return {
    subscriptionId: sub.id,
    periods,
    addedDays,
    expiresAt: { from: iso(sub.expiresAt), to: expiresAt.toISOString() },
    status: { from: sub.status, to },
  };
}

// ---------------------------------------------------------------------------------------------
// Expiry sweep

const SWEEP_BATCH = 200;

export interface SweepResult {
  suspended: string[];
}

/**
 * Suspends active subscriptions whose expiry plus the grace period has passed, acting as `actor`
 * (the timer passes `systemActor('expiry-sweep')`). Safe to run twice or from several instances at
 * once: each batch claims its rows with `FOR UPDATE SKIP LOCKED` and the UPDATE re-checks
 * `status = 'active'`, so a row is suspended (and audited) exactly once; a concurrent sweep skips
 * rows another one holds instead of waiting for them.
 */
export async function sweepExpiredSubscriptions(
  db: Database,
  actor: ChangeActor,
  input: { now: Date; graceHours: number },
): Promise<SweepResult> {
  const { now, graceHours } = input;
  const cutoff = new Date(now.getTime() - graceHours * 3600 * 1000);
  const suspended: string[] = [];
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      const claim = tx
        .select({ id: subscriptions.id })
        .from(subscriptions)
        .where(and(eq(subscriptions.status, 'active'), lt(subscriptions.expiresAt, cutoff)))
        .orderBy(subscriptions.id)
        .limit(SWEEP_BATCH)
        .for('update', { skipLocked: true });
      const rows = await tx
        .update(subscriptions)
        .set({ status: 'suspended', suspendedAt: now })
        .where(and(inArray(subscriptions.id, claim), eq(subscriptions.status, 'active')))
        .returning({ id: subscriptions.id, customerId: subscriptions.customerId, expiresAt: subscriptions.expiresAt });

      // Customers in id order, so two sweeps never lock them in opposite orders.
      const customerIds = [...new Set(rows.map((r) => r.customerId))].sort();
      const customerChanges = new Map<string, CustomerStatusChange>();
      for (const customerId of customerIds) {
        const change = await syncCustomerStatus(tx, customerId);
        if (change) customerChanges.set(customerId, change);
      }
      for (const row of rows) {
        await addActivities(tx, actor, { customerId: row.customerId }, [
          {
            kind: 'subscription',
            body: 'Subscription suspended: expired and past the grace period',
            data: { subscriptionId: row.id, expiresAt: iso(row.expiresAt), graceHours },
          },
        ]);
      }
      for (const row of rows) {
        await audit(tx, actor, {
          action: 'subscription.expire',
          entityType: 'subscription',
          entityId: row.id,
          changes: { status: { from: 'active', to: 'suspended' }, expiresAt: iso(row.expiresAt), graceHours },
        });
      }
      for (const [customerId, change] of customerChanges) await auditCustomerStatus(tx, actor, customerId, change, 'subscription.expire');
      for (const row of rows) {
        await emitEvent(tx, actor, {
          type: 'subscription.changed',
          subscriptionId: row.id,
          customerId: row.customerId,
          change: 'suspended',
          cause: 'expiry',
          expiresAt: iso(row.expiresAt),
        });
      }
      return rows;
    });
    suspended.push(...batch.map((r) => r.id));
    if (batch.length < SWEEP_BATCH) return { suspended };
  }
}
