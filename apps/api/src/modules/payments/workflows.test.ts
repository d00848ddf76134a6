/**
 * Finance workflows of issue 10: moving a mis-assigned payment, suggestions for unmatched payments,
 * payments search by payer, the payments export (EAT, KES, totals) — and the subscriptions working
 * lists and the audit trail by customer, which these actions feed.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { activities, tickets } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../lib/actor';
import { codeOf, createTestApp } from '../../test/harness';
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

let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;
const PRICE = 250_000;
let n = 0;
const ref = () => `MV${Date.now().toString(36).toUpperCase()}${++n}`;
let phoneSeq = 0;
const uniquePhone = () => `07${String(40_000_000 + ++phoneSeq * 7919).padStart(8, '0')}`;

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t.close();
});

async function customerWith(
  status: 'active' | 'suspended' | 'pending',
  expiresAt: Date | null,
  extra: { balanceCents?: number; phone?: string; name?: string } = {},
) {
  const plan = await insertPlan(t.db.db, { priceCents: PRICE, validityDays: 30 });
  const customer = await insertCustomer(t.db.db, {
    balanceCents: extra.balanceCents ?? 0,
    status: status === 'suspended' ? 'suspended' : 'active',
    phone: extra.phone ?? uniquePhone(),
    ...(extra.name ? { name: extra.name } : {}),
  });
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

describe('moving a mis-assigned payment', () => {
  it('undoes it on the first customer and applies it to the second in one audited step, same reference', async () => {
    // Wrong customer: was suspended, the payment re-activated them.
    const wrong = await customerWith('suspended', daysFromNow(-2), { balanceCents: 10_000 });
    // Right customer: suspended too, waiting for this money.
    const right = await customerWith('suspended', daysFromNow(-5));
    const reference = ref();
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: wrong.customer.id, method: 'mpesa', reference, amountCents: PRICE });
    expect((await subscriptionRow(t.db.db, wrong.sub.id)).status).toBe('active');

    const moved = await t
      .caller(staff.finance)
      .payments.move({ id: payment.id, customerId: right.customer.id, reason: 'Payer typed a neighbour’s account' });
    expect(moved).toMatchObject({
      id: payment.id,
      reference,
      status: 'applied',
      customerId: right.customer.id,
      subscriptionId: right.sub.id,
      outcome: { kind: 'renewed', subscriptionId: right.sub.id, periods: 1, reactivated: true },
    });

    // First customer: exactly as before the payment (balance, expiry, suspended again).
    const wrongSub = await subscriptionRow(t.db.db, wrong.sub.id);
    expect(wrongSub.status).toBe('suspended');
    // As a reversal does: the renewal's days come off (it had renewed from now, so no paid time is left).
    expect(wrongSub.expiresAt?.getTime() ?? Infinity).toBeLessThanOrEqual(Date.now());
    const wrongCustomer = await customerRow(t.db.db, wrong.customer.id);
    expect(wrongCustomer.balanceCents).toBe(10_000);
    expect(wrongCustomer.status).toBe('suspended');

    // Second customer: renewed from now (it had lapsed), active.
    const rightSub = await subscriptionRow(t.db.db, right.sub.id);
    expect(rightSub.status).toBe('active');
    expect(Math.abs((rightSub.expiresAt?.getTime() ?? 0) - (Date.now() + 30 * DAY_MS))).toBeLessThan(60_000);
    expect((await customerRow(t.db.db, right.customer.id)).status).toBe('active');

    const moveAudit = await auditRows(t.db.db, payment.id, 'payment.move');
    expect(moveAudit).toHaveLength(1);
    expect(moveAudit[0]?.changes).toMatchObject({
      customerId: { from: wrong.customer.id, to: right.customer.id },
      accountNumber: { from: wrong.customer.accountNumber, to: right.customer.accountNumber },
      reference,
      reason: 'Payer typed a neighbour’s account',
    });
    expect(moveAudit[0]?.actorId).toBe(staff.finance.id);
    const timeline = async (customerId: string) =>
      (await t.db.db.select().from(activities).where(eq(activities.customerId, customerId))).map((a) => a.body);
    expect((await timeline(wrong.customer.id)).some((b) => b.includes('moved to') && b.includes(right.customer.accountNumber))).toBe(true);
    expect((await timeline(right.customer.id)).some((b) => b.includes(reference) && b.includes('renewed'))).toBe(true);

    // The audit trail of the first customer keeps the move, though the payment is no longer theirs.
    const trail = await t.caller(staff.manager).audit.list({ customerId: wrong.customer.id, limit: 100 });
    expect(trail.items.filter((e) => e.action === 'payment.move').map((e) => e.entityId)).toEqual([payment.id]);

    // A second move back works too (managers), and the reference never duplicated.
    const back = await t
      .caller(staff.manager)
      .payments.move({ id: payment.id, customerId: wrong.customer.id, reason: 'Moved back for the test' });
    expect(back.customerId).toBe(wrong.customer.id);
    expect((await subscriptionRow(t.db.db, right.sub.id)).status).toBe('suspended');
  });

  it('a credit-only payment moves its credit; the first balance goes back, the second gains it', async () => {
    const a = await customerWith('active', daysFromNow(20), { balanceCents: 0 });
    const b = await customerWith('active', daysFromNow(20), { balanceCents: 5_000 });
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: a.customer.id, method: 'cash', reference: ref(), amountCents: 100_000 });
    expect((await customerRow(t.db.db, a.customer.id)).balanceCents).toBe(100_000);
    const moved = await t.caller(staff.manager).payments.move({ id: payment.id, customerId: b.customer.id, reason: 'Wrong till' });
    expect(moved.outcome).toMatchObject({ kind: 'credited', balanceCents: 105_000 });
    expect((await customerRow(t.db.db, a.customer.id)).balanceCents).toBe(0);
    expect((await customerRow(t.db.db, b.customer.id)).balanceCents).toBe(105_000);
    expect((await subscriptionRow(t.db.db, a.sub.id)).expiresAt?.getTime()).toBe(a.sub.expiresAt?.getTime());
  });

  it('other roles get 403, reversed or unmatched payments 409, bad input 400/404, and nothing changes', async () => {
    const a = await customerWith('active', daysFromNow(3));
    const b = await customerWith('active', daysFromNow(3));
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: a.customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    const before = { a: await subscriptionRow(t.db.db, a.sub.id), bal: (await customerRow(t.db.db, a.customer.id)).balanceCents };
    for (const role of ['sales', 'support', 'technician'] as const) {
      expect(await codeOf(t.caller(staff[role]).payments.move({ id: payment.id, customerId: b.customer.id, reason: 'nope nope' }))).toBe(
        'FORBIDDEN',
      );
    }
    expect(await codeOf(t.caller(staff.finance).payments.move({ id: payment.id, customerId: b.customer.id, reason: '' }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(t.caller(staff.finance).payments.move({ id: payment.id, customerId: a.customer.id, reason: 'same one' }))).toBe(
      'BAD_REQUEST',
    );
    expect(
      await codeOf(
        t.caller(staff.finance).payments.move({ id: payment.id, customerId: '00000000-0000-4000-8000-000000000000', reason: 'nobody' }),
      ),
    ).toBe('NOT_FOUND');
    // Finance moves what it recorded or what arrived unrecorded; a colleague's payment goes to a manager.
    const colleague = await t.createUser({ role: 'finance' });
    expect(await codeOf(t.caller(colleague).payments.move({ id: payment.id, customerId: b.customer.id, reason: 'not mine' }))).toBe(
      'FORBIDDEN',
    );
    expect((await subscriptionRow(t.db.db, a.sub.id)).expiresAt?.getTime()).toBe(before.a.expiresAt?.getTime());
    expect((await customerRow(t.db.db, a.customer.id)).balanceCents).toBe(before.bal);
    expect(await auditRows(t.db.db, payment.id, 'payment.move')).toHaveLength(0);

    await t.caller(staff.manager).payments.reverse({ id: payment.id, reason: 'Bounced cheque' });
    expect(await codeOf(t.caller(staff.manager).payments.move({ id: payment.id, customerId: b.customer.id, reason: 'too late' }))).toBe(
      'CONFLICT',
    );
    const unmatched = await t
      .caller(staff.finance)
      .payments.record({ accountNumber: 'NOBODY', method: 'mpesa', reference: ref(), amountCents: 1_000 });
    expect(await codeOf(t.caller(staff.finance).payments.move({ id: unmatched.id, customerId: b.customer.id, reason: 'assign it' }))).toBe(
      'CONFLICT',
    );
  });

  it('REST twin: POST /api/payments/{id}/move', async () => {
    const a = await customerWith('active', daysFromNow(3));
    const b = await customerWith('active', daysFromNow(3));
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: a.customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    const url = `/api/payments/${payment.id}/move`;
    const as = async (u: CurrentUser) => ({ authorization: `Bearer ${await t.tokenFor(u)}` });
    const denied = await t.app.inject({
      method: 'POST',
      url,
      headers: await as(staff.support),
      payload: { customerId: b.customer.id, reason: 'x y z' },
    });
    expect(denied.statusCode).toBe(403);
    const ok = await t.app.inject({
      method: 'POST',
      url,
      headers: await as(staff.finance),
      payload: { customerId: b.customer.id, reason: 'Wrong account' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ customerId: b.customer.id, outcome: { kind: 'renewed' } });
  });
});

describe('finding the customer of a payment', () => {
  it('suggests customers by payer phone (any spelling) and near-miss account numbers', async () => {
    const phone = uniquePhone();
    const byPhone = await customerWith('active', daysFromNow(3), { phone });
    const target = await customerWith('active', daysFromNow(3));
    const typo = target.customer.accountNumber.replace(/0/g, 'O');
    const payment = await t.caller(staff.finance).payments.record({
      accountNumber: typo,
      method: 'mpesa',
      reference: ref(),
      amountCents: 1_000,
      payerPhone: `+254${phone.slice(1)}`,
      payerName: 'WANJIKU KAMAU',
    });
    expect(payment.status).toBe('unmatched');
    const suggestions = await t.caller(staff.finance).payments.suggestions({ id: payment.id });
    expect(suggestions).toEqual([
      expect.objectContaining({ customerId: byPhone.customer.id, reason: 'payer_phone' }),
      expect.objectContaining({ customerId: target.customer.id, reason: 'account_number' }),
    ]);
    expect(await codeOf(t.caller(staff.support).payments.suggestions({ id: payment.id }))).toBe('FORBIDDEN');

    for (const term of [phone, `+254${phone.slice(1)}`, `254${phone.slice(1)}`, phone.slice(0, 7), 'wanjiku kam']) {
      const found = await t.caller(staff.finance).payments.list({ search: term });
      expect(
        found.items.map((p) => p.id),
        term,
      ).toContain(payment.id);
    }
  });

  it('customers and tickets are found by every spelling of a Kenyan number, tickets also by customer name and account', async () => {
    const phone = uniquePhone();
    const { customer } = await customerWith('active', daysFromNow(3), { phone, name: 'Achieng Odhiambo' });
    const [ticket] = await t.db.db
      .insert(tickets)
      .values({ customerId: customer.id, subject: 'Router blinking red', status: 'new', priority: 'normal', createdById: staff.support.id })
      .returning();
    for (const term of [phone, `+254${phone.slice(1)}`, `254${phone.slice(1)}`, `+254 ${phone.slice(1, 4)} ${phone.slice(4)}`]) {
      const customers = await t.caller(staff.support).customers.list({ search: term });
      expect(
        customers.items.map((c) => c.id),
        term,
      ).toEqual([customer.id]);
      const found = await t.caller(staff.support).tickets.list({ search: term });
      expect(
        found.items.map((x) => x.id),
        term,
      ).toEqual([ticket?.id]);
    }
    for (const term of ['achieng odh', customer.accountNumber, 'blinking']) {
      const found = await t.caller(staff.support).tickets.list({ search: term });
      expect(
        found.items.map((x) => x.id),
        term,
      ).toEqual([ticket?.id]);
    }
  });
});

describe('payments export', () => {
  it('finance and managers export CSV with EAT times, KES amounts and a totals row; others get 403', async () => {
    const a = await customerWith('active', daysFromNow(3));
    const paidAt = '2026-03-01T21:30:00.000Z';
    await t
      .caller(staff.finance)
      .payments.record({ customerId: a.customer.id, method: 'bank', reference: ref(), amountCents: 123_456, paidAt });
    await t.caller(staff.finance).payments.record({
      customerId: a.customer.id,
      method: 'bank',
      reference: ref(),
      amountCents: 100,
      paidAt: '2026-03-02T08:00:00.000Z',
    });
    const reversed = await t.caller(staff.finance).payments.record({
      customerId: a.customer.id,
      method: 'bank',
      reference: ref(),
      amountCents: 999,
      paidAt: '2026-03-02T09:00:00.000Z',
    });
    await t.caller(staff.manager).payments.reverse({ id: reversed.id, reason: 'bounced' });
    const headers = { authorization: `Bearer ${await t.tokenFor(staff.finance)}` };
    const url = '/api/payments/export?method=bank&paidFrom=2026-03-01T00:00:00.000Z&paidTo=2026-03-03T00:00:00.000Z';
    const res = await t.app.inject({ method: 'GET', url, headers });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/csv');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('Paid at (EAT, UTC+3)');
    expect(lines[0]).toContain('Amount (KES)');
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatch(/^2026-03-02 00:30:00,.*,bank,applied,1234.56,/);
    expect(lines[4]).toMatch(/^Total: 2 payment\(s\); 1 reversed not counted,,,,1235.56,/);

    const manager = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await t.tokenFor(staff.manager)}` } });
    expect(manager.statusCode).toBe(200);
    for (const role of ['sales', 'support', 'technician'] as const) {
      const denied = await t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await t.tokenFor(staff[role])}` } });
      expect(denied.statusCode, role).toBe(403);
    }
    const bad = await t.app.inject({ method: 'GET', url: '/api/payments/export?method=gold', headers });
    expect(bad.statusCode).toBe(400);
    const customersCsv = await t.app.inject({ method: 'GET', url: '/api/customers/export', headers });
    expect(customersCsv.statusCode).toBe(200);
  });
});

describe('subscriptions working lists', () => {
  it('expiring, lapsed, suspended and pending, with phone, balance, assignee; CSV per list', async () => {
    const expiring = await customerWith('active', daysFromNow(2), { balanceCents: 1_000 });
    const later = await customerWith('active', daysFromNow(20));
    const lapsed = await customerWith('active', daysFromNow(-1));
    const suspended = await customerWith('suspended', daysFromNow(-9));
    const pending = await customerWith('pending', null);
    await t.db.db.insert(tickets).values({
      customerId: pending.customer.id,
      subject: 'Installation',
      status: 'open',
      priority: 'normal',
      createdById: staff.support.id,
      assigneeId: staff.technician.id,
    });
    const q = (view: 'expiring' | 'lapsed' | 'suspended' | 'pending') =>
      t
        .caller(staff.technician)
        .subscriptions.queue({ view, limit: 100 })
        .then((p) => p.items);
    const ids = async (view: Parameters<typeof q>[0]) => (await q(view)).map((s) => s.id);
    expect(await ids('expiring')).toContain(expiring.sub.id);
    expect(await ids('expiring')).not.toContain(later.sub.id);
    expect(await ids('expiring')).not.toContain(lapsed.sub.id);
    expect(await ids('lapsed')).toContain(lapsed.sub.id);
    expect(await ids('suspended')).toContain(suspended.sub.id);
    const queue = await q('pending');
    const item = queue.find((s) => s.id === pending.sub.id);
    expect(item).toMatchObject({ customerPhone: pending.customer.phone, assigneeName: staff.technician.name, balanceCents: 0 });
    expect((await q('expiring')).find((s) => s.id === expiring.sub.id)?.balanceCents).toBe(1_000);

    const headers = { authorization: `Bearer ${await t.tokenFor(staff.technician)}` };
    const csv = await t.app.inject({ method: 'GET', url: '/api/subscriptions/export?view=pending', headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.body).toContain('Expires at (EAT, UTC+3)');
    expect(csv.body).toContain(pending.customer.accountNumber);
    const rest = await t.app.inject({ method: 'GET', url: '/api/subscriptions/queue/expiring?limit=5', headers });
    expect(rest.statusCode).toBe(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/subscriptions/queue/nope', headers })).statusCode).toBe(400);
    // Sales creates subscriptions, so it may list them now.
    expect((await t.caller(staff.sales).subscriptions.list({ customerId: pending.customer.id })).items).toHaveLength(1);
  });
});

describe('audit by record', () => {
  it('filters by customer (its subscriptions, payments, tickets too) and shows names', async () => {
    const a = await customerWith('suspended', daysFromNow(-1));
    const other = await customerWith('active', daysFromNow(3));
    const payment = await t
      .caller(staff.finance)
      .payments.record({ customerId: a.customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    await t.caller(staff.finance).payments.record({ customerId: other.customer.id, method: 'mpesa', reference: ref(), amountCents: PRICE });
    const page = await t.caller(staff.manager).audit.list({ customerId: a.customer.id, limit: 100 });
    const actions = page.items.map((e) => `${e.entityType}:${e.action}`);
    expect(actions).toEqual(
      expect.arrayContaining(['payment:payment.record', 'subscription:subscription.renew', 'customer:customer.status']),
    );
    expect(page.items.every((e) => [a.customer.id, a.sub.id, payment.id].includes(e.entityId ?? ''))).toBe(true);
    const renew = page.items.find((e) => e.action === 'subscription.renew');
    expect(renew?.entityName).toContain(a.customer.accountNumber);
    const rec = page.items.find((e) => e.action === 'payment.record');
    expect(rec?.entityName).toContain(payment.reference);
    expect(rec?.actorName).toBe(staff.finance.name);
    const byEntity = await t.caller(staff.manager).audit.list({ entityType: 'payment', entityId: payment.id });
    expect(byEntity.items.map((e) => e.action)).toEqual(['payment.apply', 'payment.record']);
    expect(await codeOf(t.caller(staff.finance).audit.list({ customerId: a.customer.id }))).toBe('FORBIDDEN');
  });
});

describe('the front desk: "I paid but I am off"', () => {
  it("support reads a customer's payments and the unmatched ones from the customer's phone; sales may not", async () => {
    const phone = uniquePhone();
    const { customer } = await customerWith('active', daysFromNow(-1), { phone });
    const mine = await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 1_000 });
    const stray = await t.caller(staff.finance).payments.record({
      accountNumber: 'HOUSE 4',
      method: 'mpesa',
      reference: ref(),
      amountCents: PRICE,
      payerPhone: `+254${phone.slice(1)}`,
    });
    const seen = await t.caller(staff.support).payments.ofCustomer({ customerId: customer.id });
    expect(seen.payments.map((p) => p.id)).toEqual([mine.id]);
    expect(seen.unmatchedByPhone.map((p) => p.id)).toEqual([stray.id]);
    expect(await codeOf(t.caller(staff.sales).payments.ofCustomer({ customerId: customer.id }))).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(staff.support).payments.list({}))).toBe('FORBIDDEN');
    const rest = await t.app.inject({
      method: 'GET',
      url: `/api/customers/${customer.id}/payments`,
      headers: { authorization: `Bearer ${await t.tokenFor(staff.support)}` },
    });
    expect(rest.statusCode).toBe(200);
  });
});
