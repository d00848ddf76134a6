import { activities, customers, leads, payments, plans, subscriptions, tickets, users, type Database } from '@netflow/db';
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../lib/actor';
import { verifyPassword } from '../modules/auth';
import { customerRow, subscriptionRow } from '../test/fixtures';
import { sweepExpiredSubscriptions } from '../modules/subscriptions';
import { createHarness, type Harness } from '../test/harness';
import { createTestDatabase, type TestDatabase } from '../test/db';
import { DEMO_STAFF, seedDemoData, type DemoSeedResult } from './demo';

let h: Harness;
/** A second, empty database: most cases use it inside a transaction that is rolled back. */
let empty: TestDatabase;
let result: DemoSeedResult;
const NOW = new Date('2026-03-15T09:00:00.000Z');
const PASSWORD = 'Demo-Password-For-Tests-1';

beforeAll(async () => {
  h = await createHarness();
  empty = await createTestDatabase();
  result = await seedDemoData(h.db.db, { now: NOW, password: PASSWORD });
});
afterAll(async () => {
  await h.close();
  await empty.destroy();
});

/** Runs `fn` on the spare empty database and rolls everything back, so the next case finds it empty. */
async function onEmptyDatabase(fn: (tx: Database) => Promise<void>): Promise<void> {
  const rollback = new Error('rollback');
  await empty.db
    .transaction(async (tx) => {
      await fn(tx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

describe('demo seed', () => {
  it('creates a believable ISP', async () => {
    expect(result.created).toBe(true);
    expect(result.counts).toMatchObject({ plans: 7, staff: 12, leads: 200, customers: 100, subscriptions: 100, tickets: 40 });
    expect(result.counts.payments).toBeGreaterThan(200);

    const stageCounts = await h.db.db.select({ status: leads.status }).from(leads);
    for (const stage of ['new', 'contacted', 'qualified', 'won', 'lost'] as const) {
      expect(stageCounts.filter((l) => l.status === stage).length).toBeGreaterThan(10);
    }
    const subs = await h.db.db.select().from(subscriptions);
    for (const status of ['pending', 'active', 'suspended', 'cancelled'] as const) {
      expect(subs.filter((s) => s.status === status).length).toBeGreaterThan(0);
    }
    const weekAhead = NOW.getTime() + 7 * 24 * 3600 * 1000;
    const expiringSoon = subs.filter((s) => s.status === 'active' && s.expiresAt && s.expiresAt.getTime() < weekAhead);
    expect(expiringSoon.length).toBeGreaterThanOrEqual(10);

    const methods = new Set((await h.db.db.select({ m: payments.method }).from(payments)).map((p) => p.m));
    expect(methods).toEqual(new Set(['mpesa', 'cash', 'bank']));
    const mpesa = await h.db.db.select({ reference: payments.reference }).from(payments).where(eq(payments.method, 'mpesa'));
    for (const p of mpesa) expect(p.reference).toMatch(/^[R-Z][A-L][1-9A-V][A-Z0-9]{7}$/);
    expect((await h.db.db.select().from(payments).where(eq(payments.status, 'unmatched'))).length).toBe(5);
    expect((await h.db.db.select().from(activities)).length).toBeGreaterThan(300);
  });

  it('links every won lead to exactly one customer', async () => {
    const won = await h.db.db.select({ id: leads.id }).from(leads).where(eq(leads.status, 'won'));
    const linked = await h.db.db.select({ leadId: customers.leadId }).from(customers).where(isNotNull(customers.leadId));
    expect(new Set(linked.map((c) => c.leadId))).toEqual(new Set(won.map((l) => l.id)));
  });

  it('is consistent with the services: customer status follows subscriptions, no active one is overdue', async () => {
    const rows = await h.db.db
      .select({ customerStatus: customers.status, subStatus: subscriptions.status })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId));
    for (const r of rows) {
      const expected = { active: 'active', suspended: 'suspended', cancelled: 'inactive', pending: 'active' }[r.subStatus];
      expect(r.customerStatus).toBe(expected);
    }
    const swept = await sweepExpiredSubscriptions(h.db.db, systemActor('expiry-sweep'), { now: NOW, graceHours: 24 });
    expect(swept.suspended).toEqual([]);
    const future = await h.db.db
      .select()
      .from(leads)
      .where(and(isNotNull(leads.convertedAt)));
    for (const l of future) expect(l.convertedAt?.getTime()).toBeLessThanOrEqual(NOW.getTime());
  });

  it('gives every role a working account with the chosen password', async () => {
    const staff = await h.db.db
      .select()
      .from(users)
      .where(
        inArray(
          users.email,
          DEMO_STAFF.map((s) => s.email),
        ),
      );
    expect(new Set(staff.map((s) => s.role))).toEqual(new Set(['admin', 'manager', 'sales', 'support', 'technician', 'finance']));
    expect(staff.every((s) => s.status === 'active')).toBe(true);
    const first = staff[0];
    expect(first && (await verifyPassword(first.passwordHash, PASSWORD))).toBe(true);
    expect(result.password).toBe(PASSWORD);
  });

  it('does nothing the second time', async () => {
    const before = await h.db.db.select({ id: leads.id }).from(leads);
    const again = await seedDemoData(h.db.db, { now: NOW });
    expect(again).toMatchObject({ created: false, reason: 'demo data already present' });
    expect(again.password).toBeUndefined();
    expect(await h.db.db.select({ id: leads.id }).from(leads)).toHaveLength(before.length);
  });

  it('seeded customers pay through the real service: account number match, renewal, and reversal of an imported payment', async () => {
    const caller = h.caller({ ...(await h.createUser({ role: 'admin' })) });
    const [active] = await h.db.db
      .select({ sub: subscriptions, accountNumber: customers.accountNumber, priceCents: plans.priceCents })
      .from(subscriptions)
      .innerJoin(customers, eq(customers.id, subscriptions.customerId))
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(eq(subscriptions.status, 'active'))
      .limit(1);
    if (!active) throw new Error('no active demo subscription');
    const payment = await caller.payments.record({
      accountNumber: active.accountNumber.toLowerCase(),
      method: 'mpesa',
      reference: 'UCF1TEST01',
      amountCents: active.priceCents,
    });
    expect(payment.status).toBe('applied');
    const renewed = await subscriptionRow(h.db.db, active.sub.id);
    expect(renewed.expiresAt?.getTime()).toBeGreaterThan(active.sub.expiresAt?.getTime() ?? 0);

    const [imported] = await h.db.db
      .select()
      .from(payments)
      .where(and(eq(payments.subscriptionId, active.sub.id), eq(payments.status, 'applied'), eq(payments.amountCents, active.priceCents)))
      .limit(1);
    if (!imported || imported.id === payment.id) throw new Error('no imported payment');
    const balanceBefore = (await customerRow(h.db.db, active.sub.customerId)).balanceCents;
    await caller.payments.reverse({ id: imported.id, reason: 'Imported twice' });
    const after = await subscriptionRow(h.db.db, active.sub.id);
    expect((renewed.expiresAt?.getTime() ?? 0) - (after.expiresAt?.getTime() ?? 0)).toBeGreaterThan(0);
    expect((await customerRow(h.db.db, active.sub.customerId)).balanceCents).toBe(balanceBefore);
  });

  it('is deterministic for a given clock', async () => {
    await onEmptyDatabase(async (tx) => {
      await seedDemoData(tx, { now: NOW, password: PASSWORD });
      const pick = (db: Database) =>
        db
          .select({ name: leads.name, phone: leads.phone, status: leads.status, createdAt: leads.createdAt })
          .from(leads)
          .orderBy(leads.createdAt, leads.phone);
      expect(await pick(tx)).toEqual(await pick(h.db.db));
      const tix = (db: Database) =>
        db.select({ subject: tickets.subject, status: tickets.status }).from(tickets).orderBy(tickets.createdAt);
      expect(await tix(tx)).toEqual(await tix(h.db.db));
    });
  });

  it('refuses a database that already holds real customers', async () => {
    await onEmptyDatabase(async (tx) => {
      await tx.insert(customers).values({ name: 'Real Customer', phone: '0712000000' });
      const refused = await seedDemoData(tx, { now: NOW, password: PASSWORD });
      expect(refused.created).toBe(false);
      expect(refused.reason).toMatch(/already holds customers/);
      expect(await tx.select().from(leads)).toEqual([]);
    });
  });

  it('two seeds at once create the data once', async () => {
    // Two connections' worth of concurrency needs the real handle, not a transaction: this one
    // runs last on the spare database.
    const [a, b] = await Promise.all([
      seedDemoData(empty.db, { now: NOW, password: PASSWORD }),
      seedDemoData(empty.db, { now: NOW, password: PASSWORD }),
    ]);
    expect([a.created, b.created].sort()).toEqual([false, true]);
    expect(await empty.db.select({ id: customers.id }).from(customers)).toHaveLength(100);
  });
});
