import { MAX_AMOUNT_CENTS, ROLES, can, type Permission, type Role } from '@netflow/contracts';
import { activities, payments } from '@netflow/db';
import { type TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createTestApp } from '../../test/harness';
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
import { normaliseAccountNumber } from './service';

let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;
const MISSING = '00000000-0000-4000-8000-000000000000';
const PRICE = 250_000;
let refCounter = 0;
const ref = () => {
  refCounter += 1;
  return `QGH${Date.now().toString(36).toUpperCase()}${refCounter}`;
};

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t.close();
});

/** A customer with one subscription on a 30-day plan at PRICE. */
async function customerWith(status: 'active' | 'suspended' | 'pending' | 'cancelled', expiresAt: Date | null, balanceCents = 0) {
  const plan = await insertPlan(t.db.db, { priceCents: PRICE, validityDays: 30 });
  const customer = await insertCustomer(t.db.db, { balanceCents, status: status === 'suspended' ? 'suspended' : 'active' });
  const sub = await insertSubscription(t.db.db, {
    customerId: customer.id,
    planId: plan.id,
    status,
    startsAt: expiresAt ? daysFromNow(-40) : null,
    expiresAt,
    suspendedAt: status === 'suspended' ? daysFromNow(-1) : null,
  });
  return { plan, customer, sub };
}

const paymentsByRef = (reference: string) => t.db.db.select().from(payments).where(eq(payments.reference, reference));

describe('recording and applying', () => {
  it('matches the account number case-insensitively, renews from the current expiry and audits it all', async () => {
    const expiry = daysFromNow(10);
    const { customer, sub } = await customerWith('active', expiry);
    const reference = ref();
    const typed = `  ${customer.accountNumber.toLowerCase()} `;
    const payment = await t.caller(staff.finance).payments.record({
      accountNumber: typed,
      method: 'mpesa',
      reference: reference.toLowerCase(),
      amountCents: PRICE,
      payerName: 'JANE WANJIKU',
      payerPhone: '0722000111',
    });
    expect(payment).toMatchObject({
      status: 'applied',
      reference,
      customerId: customer.id,
      accountNumber: customer.accountNumber,
      subscriptionId: sub.id,
      amountCents: PRICE,
      recordedById: staff.finance.id,
    });
    const renewed = await subscriptionRow(t.db.db, sub.id);
    expect(renewed.expiresAt?.getTime()).toBe(expiry.getTime() + 30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(0);

    expect((await auditRows(t.db.db, payment.id)).map((a) => a.action)).toEqual(['payment.record', 'payment.apply']);
    const [renewAudit] = await auditRows(t.db.db, sub.id, 'subscription.renew');
    expect(renewAudit?.changes).toMatchObject({ paymentId: payment.id, periods: 1, addedDays: 30 });
    const timeline = await t.db.db.select().from(activities).where(eq(activities.customerId, customer.id));
    // (Besides the receipt SMS's own entry, see modules/sms.)
    expect(timeline.filter((a) => a.data?.smsMessageId === undefined).map((a) => a.kind)).toEqual(['payment']);
  });

  it('renews an expired, suspended subscription from now (not from the old expiry) and re-activates it', async () => {
    const { customer, sub } = await customerWith('suspended', daysFromNow(-10));
    const before = Date.now();
    await t.caller(staff.finance).payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: PRICE });
    const after = Date.now();
    const renewed = await subscriptionRow(t.db.db, sub.id);
    expect(renewed.status).toBe('active');
    expect(renewed.suspendedAt).toBeNull();
    const expires = renewed.expiresAt?.getTime() ?? 0;
    expect(expires).toBeGreaterThanOrEqual(before + 30 * DAY_MS);
    expect(expires).toBeLessThanOrEqual(after + 30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).status).toBe('active');
  });

  it('keeps a partial payment as credit and renews once the credit covers the price; leftovers stay as balance', async () => {
    const expiry = daysFromNow(2);
    const { customer, sub } = await customerWith('active', expiry);
    const finance = t.caller(staff.finance);
    await finance.payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 100_000 });
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime());
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(100_000);
    await finance.payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 200_000 });
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime() + 30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(50_000);
  });

  it('a payment worth three periods buys three', async () => {
    const expiry = daysFromNow(1);
    const { customer, sub } = await customerWith('active', expiry);
    await t.caller(staff.finance).payments.record({ customerId: customer.id, method: 'bank', reference: ref(), amountCents: 3 * PRICE });
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime() + 90 * DAY_MS);
  });

  it('allocates to the running subscription that lapses first; a pending-only customer gets credit, not service time', async () => {
    const { customer, sub: later, plan } = await customerWith('active', daysFromNow(20));
    const sooner = await insertSubscription(t.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'suspended',
      expiresAt: daysFromNow(-1),
    });
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    expect(payment.subscriptionId).toBe(sooner.id);
    expect((await subscriptionRow(t.db.db, sooner.id)).status).toBe('active');
    expect((await subscriptionRow(t.db.db, later.id)).expiresAt?.getTime()).toBe(later.expiresAt?.getTime());

    const pendingOnly = await customerWith('pending', null);
    const credited = await t
      .caller(staff.finance)
      .payments.record({ customerId: pendingOnly.customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    expect(credited).toMatchObject({ status: 'applied', subscriptionId: pendingOnly.sub.id });
    expect(await subscriptionRow(t.db.db, pendingOnly.sub.id)).toMatchObject({ status: 'pending', expiresAt: null });
    expect((await customerRow(t.db.db, pendingOnly.customer.id)).balanceCents).toBe(PRICE);
  });

  it('normalises what payers type as the account number', () => {
    expect(normaliseAccountNumber(' nf 123 ')).toBe('NF-000123');
    expect(normaliseAccountNumber('NF000042')).toBe('NF-000042');
    expect(normaliseAccountNumber('nf-000007')).toBe('NF-000007');
    expect(normaliseAccountNumber('house 12')).toBe('HOUSE12');
  });
});

describe('one payment per reference', () => {
  it('the same reference twice records one payment; the second answers 409 and changes nothing', async () => {
    const expiry = daysFromNow(5);
    const { customer, sub } = await customerWith('active', expiry);
    const reference = ref();
    const input = { accountNumber: customer.accountNumber, method: 'mpesa' as const, reference, amountCents: PRICE };
    await t.caller(staff.finance).payments.record(input);
    expect(await codeOf(t.caller(staff.finance).payments.record(input))).toBe('CONFLICT');
    expect(await codeOf(t.caller(staff.finance).payments.record({ ...input, reference: ` ${reference.toLowerCase()} ` }))).toBe('CONFLICT');
    expect(await paymentsByRef(reference)).toHaveLength(1);
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime() + 30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(0);
    // Unique per method: a cash receipt may carry the same text.
    const cash = await t.caller(staff.finance).payments.record({ ...input, method: 'cash', amountCents: 100 });
    expect(cash.status).toBe('applied');
  });

  it('five concurrent submissions of one reference record one payment and renew once', async () => {
    const expiry = daysFromNow(5);
    const { customer, sub } = await customerWith('active', expiry);
    const reference = ref();
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () =>
        t.caller(staff.finance).payments.record({ accountNumber: customer.accountNumber, method: 'mpesa', reference, amountCents: PRICE }),
      ),
    );
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected.map((r) => (r.reason as TRPCError).code)).toEqual(['CONFLICT', 'CONFLICT', 'CONFLICT', 'CONFLICT']);
    expect(await paymentsByRef(reference)).toHaveLength(1);
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime() + 30 * DAY_MS);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(0);
  });
});

describe('unmatched payments', () => {
  it('an unknown account number records an unmatched payment that finance later assigns and applies', async () => {
    const expiry = daysFromNow(-3);
    const { customer, sub } = await customerWith('suspended', expiry);
    const reference = ref();
    const payment = await t.caller(staff.finance).payments.record({
      accountNumber: 'MY HOUSE',
      method: 'mpesa',
      reference,
      amountCents: PRICE,
      // The payer's phone is the customer's, but phone alone never matches.
      payerPhone: customer.phone,
    });
    expect(payment).toMatchObject({ status: 'unmatched', customerId: null, subscriptionId: null, accountReference: 'MY HOUSE' });
    expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('suspended');

    const unmatched = await t.caller(staff.finance).payments.list({ status: 'unmatched', search: 'my house' });
    expect(unmatched.items.map((p) => p.id)).toEqual([payment.id]);

    expect(await codeOf(t.caller(staff.finance).payments.assign({ id: payment.id, accountNumber: 'NF-999999' }))).toBe('NOT_FOUND');
    const assigned = await t.caller(staff.finance).payments.assign({ id: payment.id, accountNumber: customer.accountNumber.toLowerCase() });
    expect(assigned).toMatchObject({ status: 'applied', customerId: customer.id, subscriptionId: sub.id });
    expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('active');
    expect((await customerRow(t.db.db, customer.id)).status).toBe('active');
    expect((await auditRows(t.db.db, payment.id)).map((a) => a.action)).toEqual(['payment.record', 'payment.assign', 'payment.apply']);

    expect(await codeOf(t.caller(staff.finance).payments.assign({ id: payment.id, customerId: customer.id }))).toBe('CONFLICT');
    expect(await codeOf(t.caller(staff.finance).payments.assign({ id: MISSING, customerId: customer.id }))).toBe('NOT_FOUND');
  });
});

describe('reversal', () => {
  it('restores expiry and balance, re-suspends what the payment re-activated, and a second reversal answers 409', async () => {
    const { customer, sub } = await customerWith('suspended', daysFromNow(-2), 30_000);
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE + 20_000 });
    const renewed = await subscriptionRow(t.db.db, sub.id);
    expect(renewed.status).toBe('active');
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(50_000);

    const reversed = await t.caller(staff.manager).payments.reverse({ id: payment.id, reason: 'Duplicate M-Pesa SMS, not real money' });
    expect(reversed).toMatchObject({
      status: 'reversed',
      reversedById: staff.manager.id,
      reversalReason: 'Duplicate M-Pesa SMS, not real money',
    });
    const after = await subscriptionRow(t.db.db, sub.id);
    expect(after.expiresAt?.getTime()).toBe((renewed.expiresAt?.getTime() ?? 0) - 30 * DAY_MS);
    expect(after.status).toBe('suspended');
    const reverted = await customerRow(t.db.db, customer.id);
    expect(reverted.balanceCents).toBe(30_000);
    expect(reverted.status).toBe('suspended');

    expect(await codeOf(t.caller(staff.admin).payments.reverse({ id: payment.id, reason: 'again' }))).toBe('CONFLICT');
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(after.expiresAt?.getTime());
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(30_000);
    expect(await auditRows(t.db.db, payment.id, 'payment.reverse')).toHaveLength(1);
  });

  it('moves an active subscription’s expiry back by exactly what the payment added', async () => {
    const expiry = daysFromNow(12);
    const { customer, sub } = await customerWith('active', expiry);
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 2 * PRICE });
    await t.caller(staff.admin).payments.reverse({ id: payment.id, reason: 'Bounced' });
    const after = await subscriptionRow(t.db.db, sub.id);
    expect(after.expiresAt?.getTime()).toBe(expiry.getTime());
    expect(after.status).toBe('active');
  });

  it('two concurrent reversals undo once', async () => {
    const expiry = daysFromNow(12);
    const { customer, sub } = await customerWith('active', expiry);
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    const results = await Promise.allSettled([
      t.caller(staff.admin).payments.reverse({ id: payment.id, reason: 'race one' }),
      t.caller(staff.manager).payments.reverse({ id: payment.id, reason: 'race two' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBe(expiry.getTime());
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(0);
  });

  it('an unmatched payment can be reversed (refunded) without touching any customer', async () => {
    const payment = await t
      .caller(staff.finance)
      .payments.record({ accountNumber: 'NOBODY', method: 'mpesa', reference: ref(), amountCents: 5_000 });
    const reversed = await t.caller(staff.admin).payments.reverse({ id: payment.id, reason: 'Refunded to payer' });
    expect(reversed.status).toBe('reversed');
    expect(await codeOf(t.caller(staff.finance).payments.assign({ id: payment.id, accountNumber: 'NF-000001' }))).toBe('CONFLICT');
  });

  it('finance cannot reverse (403) and a reason is required (400)', async () => {
    const { customer } = await customerWith('active', daysFromNow(3));
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: PRICE });
    expect(await codeOf(t.caller(staff.finance).payments.reverse({ id: payment.id, reason: 'mine' }))).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(staff.admin).payments.reverse({ id: payment.id, reason: '' }))).toBe('BAD_REQUEST');
    expect((await paymentsByRef(payment.reference))[0]?.status).toBe('applied');
  });
});

describe('validation', () => {
  it.each([
    ['zero', 0],
    ['negative', -100],
    ['fractional', 10.5],
    ['too large', MAX_AMOUNT_CENTS + 1],
  ])('rejects a %s amount with 400 and records nothing', async (_label, amountCents) => {
    const reference = ref();
    const code = await codeOf(
      t.caller(staff.finance).payments.record({ accountNumber: 'NF-000001', method: 'mpesa', reference, amountCents }),
    );
    expect(code).toBe('BAD_REQUEST');
    expect(await paymentsByRef(reference)).toEqual([]);
  });

  it('rejects a future paidAt, a missing target, a bad reference, a mismatched account and an unknown customer id', async () => {
    const { customer } = await customerWith('active', daysFromNow(3));
    const other = await insertCustomer(t.db.db);
    const finance = t.caller(staff.finance);
    const base = { method: 'mpesa' as const, amountCents: 100 };
    expect(
      await codeOf(finance.payments.record({ ...base, customerId: customer.id, reference: ref(), paidAt: daysFromNow(2).toISOString() })),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.record({ ...base, reference: ref() }))).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.record({ ...base, customerId: customer.id, reference: "x'; drop table payments; --" }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(finance.payments.record({ ...base, customerId: customer.id, accountNumber: other.accountNumber, reference: ref() })),
    ).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.record({ ...base, customerId: MISSING, reference: ref() }))).toBe('NOT_FOUND');
    expect(await codeOf(finance.payments.record({ ...base, customerId: 'abc', reference: ref() }))).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.record({ ...base, method: 'paypal' as 'cash', customerId: customer.id, reference: ref() }))).toBe(
      'BAD_REQUEST',
    );
    const rows = await t.db.db.select().from(payments).where(eq(payments.customerId, customer.id));
    expect(rows).toEqual([]);
  });

  it('backdated paidAt is kept as given', async () => {
    const { customer } = await customerWith('active', daysFromNow(3));
    const paidAt = daysFromNow(-2).toISOString();
    const p = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: 100, paidAt });
    expect(p.paidAt).toBe(paidAt);
  });
});

describe('listing', () => {
  it('filters by method, status, customer and date; searches the reference literally; paginates', async () => {
    const { customer } = await customerWith('active', daysFromNow(30));
    const finance = t.caller(staff.finance);
    const refs = ['LIST_A1', 'LIST%A2', 'LISTXA3'];
    for (const [i, reference] of refs.entries()) {
      await finance.payments.record({
        customerId: customer.id,
        method: 'bank',
        reference: reference.replace('%', '-'),
        amountCents: 100 + i,
        paidAt: daysFromNow(-i).toISOString(),
      });
    }
    const all = await finance.payments.list({ customerId: customer.id, method: 'bank', limit: 2 });
    expect(all.items.map((p) => p.amountCents)).toEqual([100, 101]);
    expect(all.nextCursor).not.toBeNull();
    const rest = await finance.payments.list({ customerId: customer.id, method: 'bank', limit: 2, cursor: all.nextCursor ?? undefined });
    expect(rest.items.map((p) => p.amountCents)).toEqual([102]);
    expect(rest.nextCursor).toBeNull();

    expect((await finance.payments.list({ search: 'list_a' })).items.map((p) => p.reference)).toEqual(['LIST_A1']);
    expect((await finance.payments.list({ search: 'list%' })).items).toEqual([]);
    const window = await finance.payments.list({
      customerId: customer.id,
      paidFrom: daysFromNow(-1.5).toISOString(),
      sort: 'amountCents',
      order: 'asc',
    });
    expect(window.items.map((p) => p.amountCents)).toEqual([100, 101]);
  });

  it('rejects limit 1e9, an unknown sort, a bad cursor', async () => {
    const finance = t.caller(staff.finance);
    expect(await codeOf(finance.payments.list({ limit: 1e9 }))).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.list({ sort: 'amount_cents; delete from payments' as 'paidAt' }))).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.list({ cursor: 'eyJzIjoiaGFjayJ9' }))).toBe('BAD_REQUEST');
    expect(await codeOf(finance.payments.list({ status: "applied' or '1'='1" as 'applied' }))).toBe('BAD_REQUEST');
  });
});

describe('role × action against the matrix', () => {
  it.each(ROLES)('%s', async (role) => {
    const caller = t.caller(staff[role]);
    const expected = (p: Permission) => (can(role, p) ? 'OK' : 'FORBIDDEN');
    const { customer } = await customerWith('active', daysFromNow(3));
    expect(await codeOf(caller.payments.list({}))).toBe(expected('payments.read'));
    expect(await codeOf(caller.payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: 100 }))).toBe(
      expected('payments.record'),
    );
    const unmatched = await t
      .caller(staff.admin)
      .payments.record({ accountNumber: 'UNKNOWN', method: 'cash', reference: ref(), amountCents: 100 });
    expect(await codeOf(caller.payments.assign({ id: unmatched.id, customerId: customer.id }))).toBe(expected('payments.assign'));
    const applied = await t
      .caller(staff.admin)
      .payments.record({ customerId: customer.id, method: 'cash', reference: ref(), amountCents: 100 });
    expect(await codeOf(caller.payments.reverse({ id: applied.id, reason: 'matrix test' }))).toBe(expected('payments.reverse'));
  });

  it('only admin and manager may reverse', () => {
    expect(ROLES.filter((r) => can(r, 'payments.reverse'))).toEqual(['admin', 'manager']);
  });
});

describe('REST twins', () => {
  it('POST /api/payments, POST /api/payments/{id}/assign and /reverse, GET /api/payments', async () => {
    const { customer, sub } = await customerWith('active', daysFromNow(1));
    const finance = { authorization: `Bearer ${await t.tokenFor(staff.finance)}` };
    const manager = { authorization: `Bearer ${await t.tokenFor(staff.manager)}` };
    const reference = ref();
    const body = { accountNumber: customer.accountNumber, method: 'mpesa', reference, amountCents: PRICE };
    const first = await t.app.inject({ method: 'POST', url: '/api/payments', headers: finance, payload: body });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ status: 'applied', outcome: { kind: 'renewed', subscriptionId: sub.id, periods: 1 } });
    const dup = await t.app.inject({ method: 'POST', url: '/api/payments', headers: finance, payload: body });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ error: 'A payment with this reference has already been recorded' });

    const stray = await t.app.inject({
      method: 'POST',
      url: '/api/payments',
      headers: finance,
      payload: { accountNumber: 'WRONG', method: 'mpesa', reference: ref(), amountCents: PRICE },
    });
    expect(stray.json()).toMatchObject({ status: 'unmatched', outcome: { kind: 'unmatched' } });
    const assign = await t.app.inject({
      method: 'POST',
      url: `/api/payments/${stray.json<{ id: string }>().id}/assign`,
      headers: finance,
      payload: { customerId: customer.id },
    });
    expect(assign.statusCode).toBe(200);
    expect(assign.json()).toMatchObject({
      status: 'applied',
      subscriptionId: sub.id,
      outcome: { kind: 'renewed', subscriptionId: sub.id },
    });

    const id = first.json<{ id: string }>().id;
    const forbidden = await t.app.inject({
      method: 'POST',
      url: `/api/payments/${id}/reverse`,
      headers: finance,
      payload: { reason: 'nope' },
    });
    expect(forbidden.statusCode).toBe(403);
    const reverse = await t.app.inject({
      method: 'POST',
      url: `/api/payments/${id}/reverse`,
      headers: manager,
      payload: { reason: 'Customer refunded' },
    });
    expect(reverse.statusCode).toBe(200);
    const again = await t.app.inject({
      method: 'POST',
      url: `/api/payments/${id}/reverse`,
      headers: manager,
      payload: { reason: 'Customer refunded' },
    });
    expect(again.statusCode).toBe(409);

    const one = await t.app.inject({ method: 'GET', url: `/api/payments/${id}`, headers: finance });
    expect(one.json()).toMatchObject({ id, status: 'reversed', reversalReason: 'Customer refunded' });
    expect((await t.app.inject({ method: 'GET', url: `/api/payments/${MISSING}`, headers: finance })).statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: `/api/payments?customerId=${customer.id}&status=reversed`, headers: finance });
    expect(list.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([id]);
    const tooMany = await t.app.inject({ method: 'GET', url: '/api/payments?limit=1000000000', headers: finance });
    expect(tooMany.statusCode).toBe(400);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/api/payments',
      headers: finance,
      payload: { ...body, reference: ref(), amountCents: -5 },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ fieldErrors: Record<string, unknown> }>().fieldErrors).toHaveProperty('amountCents');
  });
});
