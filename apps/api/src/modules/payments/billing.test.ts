/**
 * The billing rule end to end: service time granted equals service time paid for. Each sequence
 * runs through the procedures staff use (convert, record, activate, reverse) and checks expiry,
 * balance, the answer's `outcome` and the trail.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { auditLog, payments } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor } from '../../lib/actor';
import { recordAudit } from '../audit';
import { sweepExpiredSubscriptions } from '../subscriptions';
import { codeOf, createHarness, type Harness } from '../../test/harness';
import type { CurrentUser } from '../../lib/actor';
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

let h: Harness;
const staff = {} as Record<Role, CurrentUser>;
const PRICE = 350_000; // Ksh 3,500
const PERIOD = 30 * DAY_MS;
let counter = 0;
const ref = () => {
  counter += 1;
  return `QBL${Date.now().toString(36).toUpperCase()}${counter}`;
};

beforeAll(async () => {
  h = await createHarness();
  for (const role of ROLES) staff[role] = await h.createUser({ role });
});
afterAll(async () => {
  await h.close();
});

const finance = () => h.caller(staff.finance);
const pay = (customerId: string, amountCents: number) =>
  finance().payments.record({ customerId, method: 'mpesa', reference: ref(), amountCents });
const activate = (id: string) => h.caller(staff.technician).subscriptions.activate({ id });
const reverse = (id: string, reason = 'Bounced') => h.caller(staff.manager).payments.reverse({ id, reason });
const ms = (iso: string | null | undefined) => Date.parse(iso ?? '');

/** A customer with a pending subscription on a 30-day plan at PRICE (optionally with a balance). */
async function pendingCustomer(balanceCents = 0) {
  const plan = await insertPlan(h.db.db, { priceCents: PRICE, validityDays: 30 });
  const customer = await insertCustomer(h.db.db, { balanceCents });
  const sub = await insertSubscription(h.db.db, { customerId: customer.id, planId: plan.id });
  return { plan, customer, sub };
}

describe('the issue’s sequence: convert, pay one period, activate, pay one more', () => {
  it('gives two periods for two payments (not three)', async () => {
    const plan = await insertPlan(h.db.db, { priceCents: PRICE, validityDays: 30 });
    const admin = h.caller(staff.admin);
    const lead = await admin.leads.create({ name: 'Amina Njoroge', phone: '0711222333' });
    await admin.leads.setStatus({ id: lead.id, status: 'contacted' });
    await admin.leads.setStatus({ id: lead.id, status: 'qualified' });
    const converted = await admin.leads.convert({ id: lead.id, planId: plan.id });
    const subscriptionId = converted.subscriptionId ?? '';

    const first = await finance().payments.record({
      accountNumber: converted.accountNumber,
      method: 'mpesa',
      reference: ref(),
      amountCents: PRICE,
    });
    expect(first.outcome).toEqual({
      kind: 'credited',
      creditedCents: PRICE,
      balanceCents: PRICE,
      subscriptionId,
      shortOfRenewalCents: 0,
      awaitingActivation: true,
    });

    const activated = await activate(subscriptionId);
    expect(ms(activated.expiresAt) - ms(activated.startsAt)).toBe(PERIOD);
    expect((await customerRow(h.db.db, converted.customerId)).balanceCents).toBe(0);

    const second = await finance().payments.record({
      accountNumber: converted.accountNumber,
      method: 'mpesa',
      reference: ref(),
      amountCents: PRICE,
    });
    expect(second.outcome).toMatchObject({ kind: 'renewed', subscriptionId, periods: 1, balanceCents: 0, reactivated: false });
    const sub = await subscriptionRow(h.db.db, subscriptionId);
    // Two payments, two periods of service from activation; nothing left over.
    expect((sub.expiresAt?.getTime() ?? 0) - (sub.startsAt?.getTime() ?? 0)).toBe(2 * PERIOD);
    expect(second.outcome.kind === 'renewed' && second.outcome.expiresAt).toBe(sub.expiresAt?.toISOString());
    expect((await customerRow(h.db.db, converted.customerId)).balanceCents).toBe(0);
  });
});

describe('pay, then activate', () => {
  it('activation buys as many whole periods as the balance covers and leaves the rest as balance', async () => {
    const { customer, sub } = await pendingCustomer();
    await pay(customer.id, 2 * PRICE + 50_000);
    const activated = await activate(sub.id);
    expect(ms(activated.expiresAt) - ms(activated.startsAt)).toBe(2 * PERIOD);
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(50_000);
    const [activation] = await auditRows(h.db.db, sub.id, 'subscription.activate');
    expect(activation?.changes).toMatchObject({
      paidPeriods: 2,
      balanceCents: { from: 2 * PRICE + 50_000, to: 50_000 },
      awaitingPayment: false,
    });
  });
});

describe('activate, then pay', () => {
  it('activation without a paid period awaits payment: no time granted, restore refused, the sweep suspends it after the grace period; a payment then renews from now', async () => {
    const { customer, sub } = await pendingCustomer();
    const activated = await activate(sub.id);
    expect(activated.status).toBe('active');
    expect(activated.expiresAt).toBe(activated.startsAt);
    const [activation] = await auditRows(h.db.db, sub.id, 'subscription.activate');
    expect(activation?.changes).toMatchObject({ paidPeriods: 0, awaitingPayment: true });

    // Grace hours later the sweep suspends it, exactly like any lapsed subscription.
    const later = new Date(ms(activated.expiresAt) + 25 * 3600 * 1000);
    const swept = await sweepExpiredSubscriptions(h.db.db, systemActor('expiry-sweep'), { now: later, graceHours: 24 });
    expect(swept.suspended).toContain(sub.id);
    expect(await codeOf(h.caller(staff.manager).subscriptions.restore({ id: sub.id }))).toBe('CONFLICT');
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('suspended');

    const before = Date.now();
    const paid = await pay(customer.id, PRICE);
    const after = Date.now();
    expect(paid.outcome).toMatchObject({ kind: 'renewed', periods: 1, reactivated: true, balanceCents: 0 });
    const renewed = await subscriptionRow(h.db.db, sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.expiresAt?.getTime()).toBeGreaterThanOrEqual(before + PERIOD);
    expect(renewed.expiresAt?.getTime()).toBeLessThanOrEqual(after + PERIOD);
    expect((await customerRow(h.db.db, customer.id)).status).toBe('active');
  });
});

describe('partial payments', () => {
  it('accumulate in the balance until a whole period is covered, and the answer says what is missing', async () => {
    const { customer, sub } = await pendingCustomer();
    await activate(sub.id);
    const expiry = (await subscriptionRow(h.db.db, sub.id)).expiresAt;

    const first = await pay(customer.id, 250_000);
    expect(first.outcome).toEqual({
      kind: 'credited',
      creditedCents: 250_000,
      balanceCents: 250_000,
      subscriptionId: sub.id,
      shortOfRenewalCents: 100_000,
      awaitingActivation: false,
    });
    expect((await subscriptionRow(h.db.db, sub.id)).expiresAt).toEqual(expiry);

    const second = await pay(customer.id, 60_000);
    expect(second.outcome).toMatchObject({ kind: 'credited', balanceCents: 310_000, shortOfRenewalCents: 40_000 });

    const third = await pay(customer.id, 90_000);
    expect(third.outcome).toMatchObject({ kind: 'renewed', periods: 1, balanceCents: 50_000 });
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(50_000);
  });

  it('a customer with no subscription is credited with no renewal to be short of; an unknown account is unmatched', async () => {
    const customer = await insertCustomer(h.db.db);
    expect((await pay(customer.id, 1_000)).outcome).toEqual({
      kind: 'credited',
      creditedCents: 1_000,
      balanceCents: 1_000,
      subscriptionId: null,
      shortOfRenewalCents: null,
      awaitingActivation: false,
    });
    const stray = await finance().payments.record({ accountNumber: 'NOBODY-HERE', method: 'mpesa', reference: ref(), amountCents: 1_000 });
    expect(stray.outcome).toEqual({ kind: 'unmatched' });
    const { customer: owner, sub } = await pendingCustomer();
    await activate(sub.id);
    const assigned = await finance().payments.assign({ id: stray.id, customerId: owner.id });
    expect(assigned.outcome).toMatchObject({ kind: 'credited', creditedCents: 1_000, shortOfRenewalCents: PRICE - 1_000 });
  });
});

describe('reversal after activation', () => {
  it('of the payment that activation spent: the balance is debited (owed), the next payment pays the debt before buying time', async () => {
    const { customer, sub } = await pendingCustomer();
    const payment = await pay(customer.id, PRICE);
    const activated = await activate(sub.id);
    await reverse(payment.id, 'M-Pesa reversal by Safaricom');
    // The time activation bought stays; the money it was bought with is now owed.
    expect((await subscriptionRow(h.db.db, sub.id)).expiresAt?.toISOString()).toBe(activated.expiresAt);
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(-PRICE);
    const [undo] = await auditRows(h.db.db, payment.id, 'payment.reverse');
    expect(undo?.changes).toMatchObject({ balanceCents: { from: 0, to: -PRICE } });

    const repaid = await pay(customer.id, PRICE);
    expect(repaid.outcome).toMatchObject({ kind: 'credited', balanceCents: 0, shortOfRenewalCents: PRICE });
    expect((await subscriptionRow(h.db.db, sub.id)).expiresAt?.toISOString()).toBe(activated.expiresAt);
  });

  it('of a renewal payment: exactly the days it added come off, and a later payment keeps what it paid for', async () => {
    const { customer, sub } = await pendingCustomer(PRICE);
    const activated = await activate(sub.id);
    const renewal = await pay(customer.id, 2 * PRICE);
    const later = await pay(customer.id, PRICE);
    expect(later.outcome).toMatchObject({ kind: 'renewed', periods: 1 });
    await reverse(renewal.id);
    const after = await subscriptionRow(h.db.db, sub.id);
    expect(after.expiresAt?.getTime()).toBe(ms(activated.expiresAt) + PERIOD);
    expect(after.status).toBe('active');
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(0);
  });

  it('a payment that re-activated a lapsed subscription: re-suspended only when no paid time is left', async () => {
    const { customer, sub } = await pendingCustomer();
    await activate(sub.id);
    const lapse = new Date(Date.now() + 25 * 3600 * 1000);
    await sweepExpiredSubscriptions(h.db.db, systemActor('expiry-sweep'), { now: lapse, graceHours: 24 });
    const reactivating = await pay(customer.id, PRICE);
    expect(reactivating.outcome).toMatchObject({ kind: 'renewed', reactivated: true });
    const following = await pay(customer.id, PRICE);
    await reverse(reactivating.id);
    // The following payment's period is still paid for: the subscription stays active.
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('active');
    await reverse(following.id);
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('active');
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(0);

    // Reversed in the other order, the last reversal takes the subscription back to where the money found it.
    const again = await pendingCustomer();
    await activate(again.sub.id);
    await sweepExpiredSubscriptions(h.db.db, systemActor('expiry-sweep'), { now: lapse, graceHours: 24 });
    const only = await pay(again.customer.id, PRICE);
    await reverse(only.id);
    expect((await subscriptionRow(h.db.db, again.sub.id)).status).toBe('suspended');
    expect((await customerRow(h.db.db, again.customer.id)).status).toBe('suspended');
  });
});

describe('undo data lives on the payment', () => {
  it('reversal ignores the audit trail: a forged payment.apply row changes nothing', async () => {
    const { customer, sub } = await pendingCustomer(PRICE);
    await activate(sub.id);
    const expiry = (await subscriptionRow(h.db.db, sub.id)).expiresAt?.getTime() ?? 0;
    const payment = await pay(customer.id, PRICE);
    const [row] = await h.db.db.select().from(payments).where(eq(payments.id, payment.id));
    expect(row).toMatchObject({
      renewalPeriods: 1,
      renewalDays: 30,
      balanceDeltaCents: 0,
      reactivated: false,
      expiresBefore: new Date(expiry),
    });
    expect(row?.appliedAt).toBeInstanceOf(Date);

    // A newer apply row claiming a much larger effect (what the old code would have undone).
    await recordAudit(
      h.db.db,
      { actorId: null, actorLabel: 'forger', ip: null, requestId: null },
      {
        action: 'payment.apply',
        entityType: 'payment',
        entityId: payment.id,
        changes: {
          customerId: customer.id,
          subscriptionId: sub.id,
          balanceDeltaCents: -900_000,
          renewal: {
            subscriptionId: sub.id,
            periods: 12,
            addedDays: 360,
            expiresAt: { from: null, to: '' },
            status: { from: 'active', to: 'active' },
          },
        },
      },
    );
    await reverse(payment.id);
    expect((await subscriptionRow(h.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry);
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(0);
  });

  it('imported and seeded payments (no application record) are undone by their standard effect', async () => {
    // Running subscription: an imported period payment took one period off … and back on.
    const plan = await insertPlan(h.db.db, { priceCents: PRICE, validityDays: 30 });
    const customer = await insertCustomer(h.db.db, { balanceCents: 10_000 });
    const expiry = daysFromNow(20);
    const sub = await insertSubscription(h.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'active',
      startsAt: daysFromNow(-40),
      expiresAt: expiry,
    });
    const [imported] = await h.db.db
      .insert(payments)
      .values({
        method: 'cash',
        reference: ref(),
        amountCents: PRICE + 10_000,
        customerId: customer.id,
        subscriptionId: sub.id,
        status: 'applied',
        paidAt: daysFromNow(-40),
      })
      .returning();
    await reverse(imported?.id ?? '');
    expect((await subscriptionRow(h.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime() - PERIOD);
    expect((await customerRow(h.db.db, customer.id)).balanceCents).toBe(0);

    // A seeded prepayment on a pending subscription (credit), which activation then spent.
    const pending = await pendingCustomer(PRICE);
    const [prepaid] = await h.db.db
      .insert(payments)
      .values({
        method: 'mpesa',
        reference: ref(),
        amountCents: PRICE,
        customerId: pending.customer.id,
        subscriptionId: pending.sub.id,
        status: 'applied',
      })
      .returning();
    const activated = await activate(pending.sub.id);
    await reverse(prepaid?.id ?? '');
    // Standard effect of a period payment on a running subscription: the period comes off; nothing is owed twice.
    expect((await subscriptionRow(h.db.db, pending.sub.id)).expiresAt?.getTime()).toBe(ms(activated.expiresAt) - PERIOD);
    expect((await customerRow(h.db.db, pending.customer.id)).balanceCents).toBe(0);
    const [undo] = await auditRows(h.db.db, prepaid?.id ?? '', 'payment.reverse');
    expect(undo?.changes).toMatchObject({ undoneAs: 'imported payment (standard effect)' });
  });

  it('the migration copies the undo data of payments applied before it from their audit rows', async () => {
    const { customer, sub } = await pendingCustomer(PRICE);
    await activate(sub.id);
    const [legacy] = await h.db.db
      .insert(payments)
      .values({
        method: 'mpesa',
        reference: ref(),
        amountCents: PRICE + 500,
        customerId: customer.id,
        subscriptionId: sub.id,
        status: 'applied',
      })
      .returning();
    if (!legacy) throw new Error('insert failed');
    const before = new Date(Date.now() - PERIOD).toISOString();
    await recordAudit(
      h.db.db,
      { actorId: null, actorLabel: 'old-release', ip: null, requestId: null },
      {
        action: 'payment.apply',
        entityType: 'payment',
        entityId: legacy.id,
        changes: {
          customerId: customer.id,
          subscriptionId: sub.id,
          balanceCents: { from: 0, to: 500 },
          balanceDeltaCents: 500,
          renewal: {
            subscriptionId: sub.id,
            periods: 1,
            addedDays: 30,
            expiresAt: { from: before, to: '' },
            status: { from: 'suspended', to: 'active' },
          },
          cause: 'payment.record',
        },
      },
    );
    const migration = readFileSync(
      path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../../../packages/db/migrations/0004_payment_undo_keyed_audit.sql'),
      'utf8',
    );
    const backfill = migration.split('--> statement-breakpoint').at(-1) ?? '';
    expect(backfill).toContain('UPDATE "payments"');
    await h.db.db.execute(sql.raw(backfill));
    const [row] = await h.db.db.select().from(payments).where(eq(payments.id, legacy.id));
    expect(row).toMatchObject({
      balanceDeltaCents: 500,
      renewalPeriods: 1,
      renewalDays: 30,
      expiresBefore: new Date(before),
      reactivated: true,
    });
    expect(row?.appliedAt).toBeInstanceOf(Date);
    // Rows the backfill does not concern keep what they had.
    expect((await h.db.db.select().from(auditLog).where(eq(auditLog.entityId, legacy.id))).length).toBe(1);
  });
});
