/**
 * Billing raises one domain event per service change and per applied payment, inside the change's
 * transaction: what the router and SMS integrations build on. A rolled-back change raises nothing
 * that survives, because listeners write on the same transaction.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CurrentUser } from './actor';
import { systemActor } from './actor';
import { emitEvent, listenersOf, onEvent, type DomainEvent } from './events';
import { sweepExpiredSubscriptions } from '../modules/subscriptions';
import { createHarness, type Harness } from '../test/harness';
import { daysFromNow, insertCustomer, insertPlan, insertSubscription, subscriptionRow } from '../test/fixtures';

let h: Harness;
const staff = {} as Record<Role, CurrentUser>;
const seen: DomainEvent[] = [];
let counter = 0;
const ref = () => `EVT${Date.now().toString(36).toUpperCase()}${(counter += 1)}`;

beforeAll(async () => {
  h = await createHarness();
  for (const role of ROLES) staff[role] = await h.createUser({ role });
  // Listeners write on the caller's transaction: the row exists exactly when the change committed.
  await h.db.db.execute(sql`create table if not exists test_events (body jsonb not null)`);
  const record = async (tx: typeof h.db.db, _actor: unknown, event: DomainEvent) => {
    seen.push(event);
    await tx.execute(sql`insert into test_events (body) values (${JSON.stringify(event)}::jsonb)`);
  };
  onEvent('subscription.changed', 'events-test', record);
  onEvent('payment.applied', 'events-test', record);
});
afterAll(async () => {
  // Registered in the shared module graph (isolate: false): replace with a no-op for later files.
  onEvent('subscription.changed', 'events-test', async () => {});
  onEvent('payment.applied', 'events-test', async () => {});
  await h.close();
});
beforeEach(() => {
  seen.length = 0;
});

async function eventsStored(subscriptionId: string): Promise<number> {
  const [row] = await h.db.db
    .select({ n: sql<number>`count(*)::int` })
    .from(sql`test_events`)
    .where(sql`body->>'subscriptionId' = ${subscriptionId}`);
  return row?.n ?? 0;
}

async function customerWithPending(balanceCents: number) {
  const plan = await insertPlan(h.db.db, { priceCents: 100_000, validityDays: 30 });
  const customer = await insertCustomer(h.db.db, { balanceCents });
  const sub = await insertSubscription(h.db.db, { customerId: customer.id, planId: plan.id });
  return { plan, customer, sub };
}

describe('domain events', () => {
  it('staff activation, suspension, restoration and a renewing payment each raise theirs', async () => {
    const { customer, sub } = await customerWithPending(100_000);
    await h.caller(staff.technician).subscriptions.activate({ id: sub.id });
    expect(seen).toEqual([
      expect.objectContaining({ type: 'subscription.changed', subscriptionId: sub.id, change: 'activated', cause: 'staff' }),
    ]);

    seen.length = 0;
    await h.caller(staff.manager).subscriptions.suspend({ id: sub.id, reason: 'Router maintenance' });
    await h.caller(staff.manager).subscriptions.restore({ id: sub.id });
    expect(seen.map((e) => e.type === 'subscription.changed' && e.change)).toEqual(['suspended', 'restored']);

    seen.length = 0;
    const paid = await h
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 100_000 });
    expect(seen).toEqual([
      expect.objectContaining({ type: 'subscription.changed', change: 'renewed', cause: 'payment', paymentId: paid.id }),
      expect.objectContaining({ type: 'payment.applied', paymentId: paid.id, customerId: customer.id, amountCents: 100_000 }),
    ]);
    const applied = seen[1] as Extract<DomainEvent, { type: 'payment.applied' }>;
    expect(applied.renewedUntil).toEqual(expect.any(String));
  });

  it('a payment that re-activates a lapsed service raises "restored"; its reversal "suspended"', async () => {
    const plan = await insertPlan(h.db.db, { priceCents: 100_000, validityDays: 30 });
    const customer = await insertCustomer(h.db.db);
    const sub = await insertSubscription(h.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'suspended',
      startsAt: daysFromNow(-40),
      expiresAt: daysFromNow(-10),
      suspendedAt: daysFromNow(-9),
    });
    const paid = await h
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 100_000 });
    await h.caller(staff.manager).payments.reverse({ id: paid.id, reason: 'Sent to the wrong paybill' });
    expect(
      seen.filter((e) => e.type === 'subscription.changed').map((e) => e.type === 'subscription.changed' && [e.change, e.cause]),
    ).toEqual([
      ['restored', 'payment'],
      ['suspended', 'reversal'],
    ]);
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('suspended');
  });

  it('a payment that only credits the balance raises payment.applied alone', async () => {
    const { customer } = await customerWithPending(0);
    await h.caller(staff.finance).payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: 5_000 });
    expect(seen).toEqual([expect.objectContaining({ type: 'payment.applied', renewedUntil: null, balanceCents: 5_000 })]);
  });

  it('the expiry sweep raises one suspension per subscription, and a second sweep none', async () => {
    const plan = await insertPlan(h.db.db, { priceCents: 100_000, validityDays: 30 });
    const customer = await insertCustomer(h.db.db);
    const sub = await insertSubscription(h.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'active',
      startsAt: daysFromNow(-40),
      expiresAt: daysFromNow(-5),
    });
    const actor = systemActor('expiry-sweep');
    await sweepExpiredSubscriptions(h.db.db, actor, { now: new Date(), graceHours: 24 });
    await sweepExpiredSubscriptions(h.db.db, actor, { now: new Date(), graceHours: 24 });
    expect(seen.filter((e) => e.type === 'subscription.changed' && e.subscriptionId === sub.id)).toEqual([
      expect.objectContaining({ change: 'suspended', cause: 'expiry' }),
    ]);
  });

  it('a listener that fails rolls the whole change back', async () => {
    const { sub } = await customerWithPending(100_000);
    onEvent('subscription.changed', 'events-test-fail', async () => {
      throw new Error('listener failed');
    });
    try {
      await expect(h.caller(staff.technician).subscriptions.activate({ id: sub.id })).rejects.toThrow();
    } finally {
      onEvent('subscription.changed', 'events-test-fail', async () => {});
    }
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('pending');
    expect(await eventsStored(sub.id)).toBe(0);
    expect(listenersOf('subscription.changed')).toEqual(expect.arrayContaining(['events-test', 'events-test-fail']));
  });

  it('an event emitted on a transaction that rolls back leaves nothing behind', async () => {
    const { customer, sub } = await customerWithPending(0);
    const event: DomainEvent = {
      type: 'subscription.changed',
      subscriptionId: sub.id,
      customerId: customer.id,
      change: 'cancelled',
      cause: 'staff',
      expiresAt: null,
    };
    await expect(
      h.db.db.transaction(async (tx) => {
        await emitEvent(tx, systemActor('test'), event);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await eventsStored(sub.id)).toBe(0);
    await emitEvent(h.db.db, systemActor('test'), event);
    expect(await eventsStored(sub.id)).toBe(1);
  });
});
