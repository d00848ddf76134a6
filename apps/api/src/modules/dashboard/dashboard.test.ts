/**
 * Dashboard figures on a database with known contents: exact numbers for a manager, null for
 * figures a role may not read, lead and ticket figures within the caller's scope, and the REST twin.
 */
import { ROLES, can } from '@netflow/contracts';
import { customers, leads, payments, plans, subscriptions, tickets } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let manager: CurrentUser;
let sales: CurrentUser;
let otherSales: CurrentUser;
let technician: CurrentUser;

const DAY = 86_400_000;

beforeAll(async () => {
  t = await createTestApp();
  manager = await t.createUser({ role: 'manager' });
  sales = await t.createUser({ role: 'sales' });
  otherSales = await t.createUser({ role: 'sales' });
  technician = await t.createUser({ role: 'technician' });
  const db = t.db.db;
  const old = new Date(Date.now() - 45 * DAY);

  // Leads: recent cohort of 4 (1 won) + 2 old ones (1 won). Sales sees own + unassigned.
  await db.insert(leads).values([
    { name: 'L1', phone: '0780000001', status: 'new' },
    { name: 'L2', phone: '0780000002', status: 'contacted', assigneeId: sales.id },
    { name: 'L3', phone: '0780000003', status: 'won', assigneeId: otherSales.id, convertedAt: new Date() },
    { name: 'L4', phone: '0780000004', status: 'lost', lostReason: 'price', assigneeId: otherSales.id },
    { name: 'L5', phone: '0780000005', status: 'won', createdAt: old, convertedAt: old },
    { name: 'L6', phone: '0780000006', status: 'qualified', createdAt: old, assigneeId: sales.id },
  ]);

  const [plan] = await db
    .insert(plans)
    .values({ name: 'Dash', type: 'pppoe', downloadKbps: 1, uploadKbps: 1, priceCents: 100_000, validityDays: 30 })
    .returning();
  const cust = await db
    .insert(customers)
    .values([
      { name: 'C1', phone: '0781000001' },
      { name: 'C2', phone: '0781000002' },
    ])
    .returning();
  if (!plan || cust.length !== 2) throw new Error('seed failed');
  const [c1, c2] = cust.map((c) => c.id) as [string, string];
  const soon = new Date(Date.now() + 3 * DAY);
  const later = new Date(Date.now() + 20 * DAY);
  await db.insert(subscriptions).values([
    { customerId: c1, planId: plan.id, status: 'active', expiresAt: soon },
    { customerId: c1, planId: plan.id, status: 'active', expiresAt: later },
    { customerId: c2, planId: plan.id, status: 'active', expiresAt: new Date(Date.now() - DAY) },
    { customerId: c2, planId: plan.id, status: 'suspended', expiresAt: soon },
    { customerId: c2, planId: plan.id, status: 'pending' },
    { customerId: c2, planId: plan.id, status: 'cancelled', expiresAt: soon },
  ]);

  // Revenue this month: only applied payments since the first instant of this month (UTC).
  const lastMonth = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 1000);
  await db.insert(payments).values([
    { method: 'mpesa', reference: 'R1', amountCents: 150_000, customerId: c1, status: 'applied' },
    { method: 'cash', reference: 'R2', amountCents: 50_000, customerId: c2, status: 'applied' },
    { method: 'mpesa', reference: 'R3', amountCents: 999_999, customerId: c1, status: 'reversed' },
    { method: 'mpesa', reference: 'R4', amountCents: 777_777, status: 'unmatched' },
    { method: 'bank', reference: 'R5', amountCents: 333_333, customerId: c1, status: 'applied', paidAt: lastMonth },
  ]);

  await db.insert(tickets).values([
    { customerId: c1, subject: 'T1', priority: 'urgent', status: 'open', assigneeId: technician.id },
    { customerId: c1, subject: 'T2', priority: 'high', status: 'new' },
    { customerId: c2, subject: 'T3', priority: 'high', status: 'pending', assigneeId: technician.id },
    { customerId: c2, subject: 'T4', priority: 'low', status: 'resolved', assigneeId: technician.id },
    { customerId: c2, subject: 'T5', priority: 'normal', status: 'closed' },
  ]);
});

afterAll(async () => {
  await t.close();
});

describe('dashboard.summary', () => {
  it('sums applied payments per UTC day over the last 30 days, every day present', async () => {
    const s = await t.caller(manager).dashboard.summary({});
    const days = s.revenueByDay ?? [];
    expect(days).toHaveLength(30);
    const today = new Date().toISOString().slice(0, 10);
    expect(days.at(-1)).toEqual({ day: today, cents: 200_000 }); // R1 + R2; reversed and unmatched excluded
    expect(days[0]?.day).toBe(new Date(Date.now() - 29 * DAY).toISOString().slice(0, 10));
    const lastMonthDay = new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), 1) - 1000).toISOString().slice(0, 10);
    const expectedTotal = 200_000 + (days.some((d) => d.day === lastMonthDay) ? 333_333 : 0);
    expect(days.reduce((sum, d) => sum + d.cents, 0)).toBe(expectedTotal);
  });

  it('computes every figure for a manager', async () => {
    const s = await t.caller(manager).dashboard.summary({});
    expect(s).toMatchObject({
      leadsByStage: { new: 1, contacted: 1, qualified: 1, won: 2, lost: 1 },
      conversion30d: { created: 4, won: 1, rate: 0.25 },
      subscriptions: { active: 3, suspended: 1 },
      expiringWithin7Days: 1,
      revenueThisMonthCents: 200_000,
      openTicketsByPriority: { low: 0, normal: 0, high: 2, urgent: 1 },
    });
    expect(Date.parse(s.generatedAt)).not.toBeNaN();
  });

  it('keeps sales to their own and unassigned leads, and hides what they may not read', async () => {
    const s = await t.caller(sales).dashboard.summary({});
    expect(s).toEqual({
      leadsByStage: { new: 1, contacted: 1, qualified: 1, won: 1, lost: 0 },
      conversion30d: { created: 2, won: 0, rate: 0 },
      // Sales may create subscriptions, so they see them (issue 10); money and tickets stay hidden.
      subscriptions: { active: 3, suspended: 1 },
      expiringWithin7Days: 1,
      revenueThisMonthCents: null,
      revenueByDay: null,
      openTicketsByPriority: null,
      generatedAt: s.generatedAt,
    });
  });

  it('shows technicians only the tickets assigned to them, and no lead or money figures', async () => {
    const s = await t.caller(technician).dashboard.summary({});
    expect(s).toMatchObject({
      leadsByStage: null,
      conversion30d: null,
      revenueThisMonthCents: null,
      subscriptions: { active: 3, suspended: 1 },
      openTicketsByPriority: { low: 0, normal: 0, high: 1, urgent: 1 },
    });
  });

  it('answers null exactly for the figures each role may not read', async () => {
    for (const role of ROLES) {
      const user = await t.createUser({ role });
      const s = await t.caller(user).dashboard.summary({});
      const shown = {
        leadsByStage: s.leadsByStage !== null,
        conversion30d: s.conversion30d !== null,
        subscriptions: s.subscriptions !== null,
        expiringWithin7Days: s.expiringWithin7Days !== null,
        revenueThisMonthCents: s.revenueThisMonthCents !== null,
        revenueByDay: s.revenueByDay !== null,
        openTicketsByPriority: s.openTicketsByPriority !== null,
      };
      expect({ role, ...shown }).toEqual({
        role,
        leadsByStage: can(role, 'leads.read'),
        conversion30d: can(role, 'leads.read'),
        subscriptions: can(role, 'subscriptions.read'),
        expiringWithin7Days: can(role, 'subscriptions.read'),
        revenueThisMonthCents: can(role, 'payments.read'),
        revenueByDay: can(role, 'payments.read'),
        openTicketsByPriority: can(role, 'tickets.read'),
      });
    }
  });

  it('refuses anonymous callers', async () => {
    const error = await t
      .caller(null)
      .dashboard.summary({})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe('UNAUTHORIZED');
  });

  it('is served at GET /api/dashboard', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/api/dashboard',
      headers: { authorization: `Bearer ${await t.tokenFor(manager)}` },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ revenueThisMonthCents: 200_000, subscriptions: { active: 3, suspended: 1 } });
    expect((await t.app.inject({ method: 'GET', url: '/api/dashboard' })).statusCode).toBe(401);
  });
});
