import { ROLES, SUBSCRIPTION_STATUSES, can, type Permission, type Role, type SubscriptionStatus } from '@netflow/contracts';
import { activities, subscriptions } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor';
import { codeOf, createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../lib/actor';
import { queueScheduleTick, runQueuedJobs } from '../../test/jobs';
import {
  auditRows,
  customerRow,
  DAY_MS,
  daysFromNow,
  insertCustomer,
  insertPlan,
  insertSubscription,
  subscriptionRow,
} from '../../test/fixtures';
import { createSubscription, sweepExpiredSubscriptions } from './service';

let t: Awaited<ReturnType<typeof createTestApp>>;
const sweep = (now: Date, graceHours: number) => sweepExpiredSubscriptions(t.db.db, systemActor('expiry-sweep'), { now, graceHours });
const staff = {} as Record<Role, CurrentUser>;
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t.close();
});

/** A subscription in the given status, with dates that make sense for it. */
async function subscriptionIn(status: SubscriptionStatus, overrides: Partial<typeof subscriptions.$inferInsert> = {}) {
  const plan = await insertPlan(t.db.db);
  const customer = await insertCustomer(t.db.db);
  const dated = status === 'pending' ? {} : { startsAt: daysFromNow(-10), expiresAt: daysFromNow(20) };
  return insertSubscription(t.db.db, { customerId: customer.id, planId: plan.id, status, ...dated, ...overrides });
}

describe('creating a subscription', () => {
  it('creates a pending subscription with its audit row and timeline entry', async () => {
    const plan = await insertPlan(t.db.db, { name: 'Create Plan' });
    const customer = await insertCustomer(t.db.db);
    const sub = await t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id, pppoeUsername: ' Jane.Doe ' });
    expect(sub).toMatchObject({
      status: 'pending',
      planName: 'Create Plan',
      customerName: customer.name,
      accountNumber: customer.accountNumber,
      pppoeUsername: 'jane.doe',
      startsAt: null,
      expiresAt: null,
    });
    const audits = await auditRows(t.db.db, sub.id);
    expect(audits.map((a) => [a.action, a.actorId])).toEqual([['subscription.create', staff.sales.id]]);
    const timeline = await t.db.db.select().from(activities).where(eq(activities.customerId, customer.id));
    expect(timeline).toHaveLength(1);
    expect(timeline[0]?.kind).toBe('subscription');
  });

  it('refuses an inactive plan (400), a missing plan or customer (404) and a taken username (409), changing nothing', async () => {
    const inactive = await insertPlan(t.db.db, { active: false });
    const plan = await insertPlan(t.db.db);
    const customer = await insertCustomer(t.db.db);
    await insertSubscription(t.db.db, { customerId: customer.id, planId: plan.id, pppoeUsername: 'taken' });
    const before = await t.db.db.select().from(subscriptions);
    const caller = t.caller(staff.admin);
    expect(await codeOf(caller.subscriptions.create({ customerId: customer.id, planId: inactive.id }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.subscriptions.create({ customerId: customer.id, planId: MISSING }))).toBe('NOT_FOUND');
    expect(await codeOf(caller.subscriptions.create({ customerId: MISSING, planId: plan.id }))).toBe('NOT_FOUND');
    expect(await codeOf(caller.subscriptions.create({ customerId: customer.id, planId: plan.id, pppoeUsername: 'TAKEN' }))).toBe(
      'CONFLICT',
    );
    expect(await codeOf(caller.subscriptions.create({ customerId: customer.id, planId: plan.id, pppoeUsername: 'a b' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(caller.subscriptions.create({ customerId: 'x', planId: plan.id }))).toBe('BAD_REQUEST');
    expect(await t.db.db.select().from(subscriptions)).toHaveLength(before.length);
  });

  it('createSubscription joins the caller’s transaction: a rollback leaves neither row nor audit', async () => {
    const plan = await insertPlan(t.db.db);
    const customer = await insertCustomer(t.db.db);
    let createdId = '';
    await expect(
      t.db.db.transaction(async (tx) => {
        const row = await createSubscription(
          tx,
          { user: staff.admin, ip: '127.0.0.1', requestId: 'conversion' },
          {
            customerId: customer.id,
            planId: plan.id,
          },
        );
        createdId = row.id;
        expect(row.status).toBe('pending');
        throw new Error('conversion failed later');
      }),
    ).rejects.toThrow('conversion failed later');
    expect(createdId).not.toBe('');
    expect(await t.db.db.select().from(subscriptions).where(eq(subscriptions.id, createdId))).toEqual([]);
    expect(await auditRows(t.db.db, createdId)).toEqual([]);
  });
});

describe('status changes', () => {
  it('activation starts now, buys one period from a balance that covers it, and generates a unique PPPoE username', async () => {
    const plan = await insertPlan(t.db.db, { validityDays: 30, priceCents: 250_000 });
    const customer = await insertCustomer(t.db.db, { balanceCents: 300_000 });
    const a = await insertSubscription(t.db.db, { customerId: customer.id, planId: plan.id });
    const b = await insertSubscription(t.db.db, { customerId: customer.id, planId: plan.id });
    const before = Date.now();
    const activated = await t.caller(staff.technician).subscriptions.activate({ id: a.id });
    const after = Date.now();
    expect(activated.status).toBe('active');
    const startsAt = Date.parse(activated.startsAt ?? '');
    expect(startsAt).toBeGreaterThanOrEqual(before);
    expect(startsAt).toBeLessThanOrEqual(after);
    expect(Date.parse(activated.expiresAt ?? '') - startsAt).toBe(30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(50_000);
    const base = customer.accountNumber.toLowerCase().replace('-', '');
    expect(activated.pppoeUsername).toBe(base);

    // The rest of the balance does not pay for a period: the second one awaits payment.
    const second = await t.caller(staff.technician).subscriptions.activate({ id: b.id });
    expect(second.pppoeUsername).toBe(`${base}-2`);
    expect(second.status).toBe('active');
    expect(second.expiresAt).toBe(second.startsAt);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(50_000);

    const [audit] = await auditRows(t.db.db, a.id, 'subscription.activate');
    expect(audit?.changes).toMatchObject({
      status: { from: 'pending', to: 'active' },
      pppoeUsername: base,
      paidPeriods: 1,
      balanceCents: { from: 300_000, to: 50_000 },
      awaitingPayment: false,
    });
    expect(audit?.actorId).toBe(staff.technician.id);
    const [unpaid] = await auditRows(t.db.db, b.id, 'subscription.activate');
    expect(unpaid?.changes).toMatchObject({ paidPeriods: 0, awaitingPayment: true });
  });

  it('restore refuses a subscription without paid time left (expired or never paid): 409, nothing changes', async () => {
    const lapsed = await subscriptionIn('suspended', { expiresAt: daysFromNow(-1) });
    const neverPaid = await subscriptionIn('suspended', { startsAt: daysFromNow(-1), expiresAt: null });
    for (const sub of [lapsed, neverPaid]) {
      expect(await codeOf(t.caller(staff.manager).subscriptions.restore({ id: sub.id }))).toBe('CONFLICT');
      expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('suspended');
      expect(await auditRows(t.db.db, sub.id)).toEqual([]);
    }
  });

  it('customer status follows: suspended with no active subscription, active on restore, inactive once all are cancelled', async () => {
    const sub = await subscriptionIn('active');
    const caller = t.caller(staff.manager);
    await caller.subscriptions.suspend({ id: sub.id, reason: 'abuse report' });
    expect((await customerRow(t.db.db, sub.customerId)).status).toBe('suspended');
    await caller.subscriptions.restore({ id: sub.id });
    expect((await customerRow(t.db.db, sub.customerId)).status).toBe('active');
    await caller.subscriptions.cancel({ id: sub.id });
    expect((await customerRow(t.db.db, sub.customerId)).status).toBe('inactive');
    expect((await subscriptionRow(t.db.db, sub.id)).cancelledAt).not.toBeNull();

    const audits = await auditRows(t.db.db, sub.id);
    expect(audits.map((a) => a.action)).toEqual(['subscription.suspend', 'subscription.restore', 'subscription.cancel']);
    expect(audits[0]?.changes).toMatchObject({ reason: 'abuse report' });
    const customerAudits = await auditRows(t.db.db, sub.customerId, 'customer.status');
    expect(customerAudits.map((a) => a.changes?.status)).toEqual([
      { from: 'active', to: 'suspended' },
      { from: 'suspended', to: 'active' },
      { from: 'active', to: 'inactive' },
    ]);
  });

  it('a customer with a second active subscription stays active when one is suspended', async () => {
    const sub = await subscriptionIn('active');
    const plan = await insertPlan(t.db.db);
    await insertSubscription(t.db.db, { customerId: sub.customerId, planId: plan.id, status: 'active', expiresAt: daysFromNow(5) });
    await t.caller(staff.finance).subscriptions.suspend({ id: sub.id });
    expect((await customerRow(t.db.db, sub.customerId)).status).toBe('active');
  });

  const LEGAL: Record<string, SubscriptionStatus[]> = {
    activate: ['pending'],
    suspend: ['active'],
    restore: ['suspended'],
    cancel: ['pending', 'active', 'suspended'],
  };
  const cases = (['activate', 'suspend', 'restore', 'cancel'] as const).flatMap((action) =>
    SUBSCRIPTION_STATUSES.filter((s) => !LEGAL[action]?.includes(s)).map((status) => [action, status] as const),
  );

  it.each(cases)('illegal: %s from %s answers 409 and changes nothing', async (action, status) => {
    const sub = await subscriptionIn(status);
    const code = await codeOf(t.caller(staff.admin).subscriptions[action]({ id: sub.id }));
    expect(code).toBe('CONFLICT');
    expect(await subscriptionRow(t.db.db, sub.id)).toEqual(sub);
    expect(await auditRows(t.db.db, sub.id)).toEqual([]);
  });

  it('restoring an expired subscription answers 409: a payment renews it instead', async () => {
    const sub = await subscriptionIn('suspended', { expiresAt: daysFromNow(-1) });
    expect(await codeOf(t.caller(staff.finance).subscriptions.restore({ id: sub.id }))).toBe('CONFLICT');
    expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('suspended');
  });

  it('a missing id answers 404 and a malformed one 400', async () => {
    expect(await codeOf(t.caller(staff.admin).subscriptions.suspend({ id: MISSING }))).toBe('NOT_FOUND');
    expect(await codeOf(t.caller(staff.admin).subscriptions.suspend({ id: "1' or '1'='1" }))).toBe('BAD_REQUEST');
  });
});

describe('role × action against the matrix', () => {
  const actions: [string, Permission, SubscriptionStatus][] = [
    ['activate', 'subscriptions.provision', 'pending'],
    ['suspend', 'subscriptions.suspend', 'active'],
    ['restore', 'subscriptions.restore', 'suspended'],
    ['cancel', 'subscriptions.cancel', 'active'],
  ];
  it.each(ROLES)('%s', async (role) => {
    const caller = t.caller(staff[role]);
    const expect_ = (p: Permission) => (can(role, p) ? 'OK' : 'FORBIDDEN');
    expect(await codeOf(caller.subscriptions.list({}))).toBe(expect_('subscriptions.read'));
    const plan = await insertPlan(t.db.db);
    const customer = await insertCustomer(t.db.db);
    expect(await codeOf(caller.subscriptions.create({ customerId: customer.id, planId: plan.id }))).toBe(expect_('subscriptions.create'));
    for (const [action, permission, from] of actions) {
      const sub = await subscriptionIn(from);
      const code = await codeOf(caller.subscriptions[action as 'activate']({ id: sub.id }));
      expect([action, code]).toEqual([action, expect_(permission)]);
      if (code === 'FORBIDDEN') expect((await subscriptionRow(t.db.db, sub.id)).status).toBe(from);
    }
  });
});

describe('listing', () => {
  it('filters by status, customer and expiry window; paginates without repeats', async () => {
    const plan = await insertPlan(t.db.db, { name: 'List Plan' });
    const customer = await insertCustomer(t.db.db, { name: 'Wanjiru Listing' });
    const made = [];
    for (let i = 0; i < 5; i += 1) {
      made.push(
        await insertSubscription(t.db.db, {
          customerId: customer.id,
          planId: plan.id,
          status: 'active',
          startsAt: daysFromNow(-1),
          expiresAt: daysFromNow(i + 1),
        }),
      );
    }
    const caller = t.caller(staff.support);
    const seen: string[] = [];
    let cursor: string | null | undefined;
    do {
      const page = await caller.subscriptions.list({
        customerId: customer.id,
        sort: 'expiresAt',
        order: 'asc',
        limit: 2,
        cursor: cursor ?? undefined,
      });
      seen.push(...page.items.map((s) => s.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(made.map((s) => s.id));

    const soon = await caller.subscriptions.list({
      planId: plan.id,
      status: 'active',
      expiresTo: daysFromNow(2.5).toISOString(),
      sort: 'expiresAt',
      order: 'desc',
    });
    expect(soon.items.map((s) => s.id)).toEqual([made[1]?.id, made[0]?.id]);
    const bySearch = await caller.subscriptions.list({ search: 'wanjiru LIST' });
    expect(bySearch.items).toHaveLength(5);
  });

  it('rejects limit 1e9, an unknown sort or status, and treats injection strings in search literally', async () => {
    const caller = t.caller(staff.admin);
    expect(await codeOf(caller.subscriptions.list({ limit: 1e9 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.subscriptions.list({ limit: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.subscriptions.list({ sort: 'expires_at desc; --' as 'expiresAt' }))).toBe('BAD_REQUEST');
    expect(await codeOf(caller.subscriptions.list({ status: 'expired' as 'active' }))).toBe('BAD_REQUEST');
    expect((await caller.subscriptions.list({ search: "%' or 1=1 --" })).items).toEqual([]);
    expect((await caller.subscriptions.list({ search: '%' })).items).toEqual([]);
  });
});

describe('expiry sweep', () => {
  it('suspends only active subscriptions past expiry + grace; a second run changes nothing', async () => {
    const now = new Date();
    const overdue = await subscriptionIn('active', { expiresAt: new Date(now.getTime() - 25 * 3600 * 1000) });
    const inGrace = await subscriptionIn('active', { expiresAt: new Date(now.getTime() - 23 * 3600 * 1000) });
    const current = await subscriptionIn('active', { expiresAt: daysFromNow(3) });
    const alreadySuspended = await subscriptionIn('suspended', { expiresAt: daysFromNow(-30) });

    const first = await sweep(now, 24);
    expect(first.suspended).toContain(overdue.id);
    for (const id of [inGrace.id, current.id, alreadySuspended.id]) expect(first.suspended).not.toContain(id);
    const second = await sweep(now, 24);
    expect(second.suspended).toEqual([]);

    expect((await subscriptionRow(t.db.db, overdue.id)).status).toBe('suspended');
    expect((await subscriptionRow(t.db.db, inGrace.id)).status).toBe('active');
    expect((await customerRow(t.db.db, overdue.customerId)).status).toBe('suspended');
    const audits = await auditRows(t.db.db, overdue.id);
    expect(audits.map((a) => [a.action, a.actorLabel])).toEqual([['subscription.expire', 'system:expiry-sweep']]);
    expect(await auditRows(t.db.db, inGrace.id)).toEqual([]);
  });

  it('two sweeps at once suspend each subscription once, with one audit row each', async () => {
    const now = new Date();
    const overdue = [];
    for (let i = 0; i < 6; i += 1) overdue.push(await subscriptionIn('active', { expiresAt: daysFromNow(-2 - i) }));
    const [a, b] = await Promise.all([sweep(now, 1), sweep(now, 1)]);
    const all = [...a.suspended, ...b.suspended];
    for (const sub of overdue) {
      expect(all.filter((id) => id === sub.id)).toHaveLength(1);
      expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('suspended');
      expect(await auditRows(t.db.db, sub.id, 'subscription.expire')).toHaveLength(1);
    }
    expect(new Set(all).size).toBe(all.length);
  });

  it('runs as the scheduled job subscriptions.expiry-sweep (the server no longer runs a timer)', async () => {
    const overdue = await subscriptionIn('active', { expiresAt: daysFromNow(-5) });
    await queueScheduleTick(t, 'subscriptions.expiry-sweep');
    expect(await runQueuedJobs(t, { names: ['subscriptions.expiry-sweep'] })).toEqual({ completed: 1, failed: 0, retried: 0 });
    expect((await subscriptionRow(t.db.db, overdue.id)).status).toBe('suspended');
    expect(await auditRows(t.db.db, overdue.id, 'subscription.expire')).toHaveLength(1);
  });
});

describe('REST twins', () => {
  it('POST /api/subscriptions, POST /api/subscriptions/{id}/activate|suspend|restore|cancel, GET /api/subscriptions', async () => {
    const plan = await insertPlan(t.db.db);
    // One period paid in advance, so activation buys time that a restore can hand back.
    const customer = await insertCustomer(t.db.db, { balanceCents: plan.priceCents });
    const headers = { authorization: `Bearer ${await t.tokenFor(staff.manager)}` };
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/subscriptions',
      headers,
      payload: { customerId: customer.id, planId: plan.id },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    for (const [action, status] of [
      ['activate', 'active'],
      ['suspend', 'suspended'],
      ['restore', 'active'],
      ['cancel', 'cancelled'],
    ] as const) {
      const res = await t.app.inject({ method: 'POST', url: `/api/subscriptions/${id}/${action}`, headers, payload: {} });
      expect([action, res.statusCode, res.json<{ status: string }>().status]).toEqual([action, 200, status]);
    }
    const again = await t.app.inject({ method: 'POST', url: `/api/subscriptions/${id}/suspend`, headers, payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'Cannot suspend a subscription that is cancelled' });
    const one = await t.app.inject({ method: 'GET', url: `/api/subscriptions/${id}`, headers });
    expect(one.json()).toMatchObject({ id, status: 'cancelled', customerId: customer.id });
    expect((await t.app.inject({ method: 'GET', url: `/api/subscriptions/${MISSING}`, headers })).statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: `/api/subscriptions?customerId=${customer.id}`, headers });
    expect(list.json<{ items: { id: string }[] }>().items.map((s) => s.id)).toEqual([id]);
    const big = await t.app.inject({ method: 'GET', url: '/api/subscriptions?limit=1000000000', headers });
    expect(big.statusCode).toBe(400);
    const salesHeaders = { authorization: `Bearer ${await t.tokenFor(staff.sales)}` };
    const denied = await t.app.inject({ method: 'POST', url: `/api/subscriptions/${id}/cancel`, headers: salesHeaders, payload: {} });
    expect(denied.statusCode).toBe(403);
  });
});
