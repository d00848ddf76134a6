/**
 * M-Pesa end to end through the real app and the Daraja stand-in: C2B confirmations (duplicates at
 * once, unmatched, validation), the webhooks' refusals, and STK pushes resolved by callback or by a
 * later status query. Runs on both engines (TEST_DATABASE_URL for the server one).
 */
import { createServer } from 'node:net';
import { ROLES, type Role } from '@netflow/contracts';
import { auditLog, mpesaStkRequests, payments } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CurrentUser } from '../../lib/actor';
import { loggerOptions } from '../../logger';
import { startDarajaStandin, type DarajaStandin } from '../../standins/daraja';
import { customerRow, daysFromNow, insertCustomer, insertPlan, insertSubscription, subscriptionRow } from '../../test/fixtures';
import { codeOf, createTestApp } from '../../test/harness';
import { jobRows, runQueuedJobs } from '../../test/jobs';
import { stkPassword } from './daraja';
import { NEVER_CONFIRMED, STK_QUERY_DELAY_SECONDS } from './jobs';
import { registerC2BUrls } from './register';
import { darajaTimestamp, parseDarajaTime } from './time';

const TOKEN = 'cb-token-0123456789abcdefghijklmnopqrstuvwxyz';
const PRICE = 250_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

let daraja: DarajaStandin;
let t: Awaited<ReturnType<typeof createTestApp>>;
let port: number;
const staff = {} as Record<Role, CurrentUser>;

beforeAll(async () => {
  daraja = await startDarajaStandin({ callbackDelayMs: 150 });
  port = await freePort();
  t = await createTestApp({
    MPESA_BASE_URL: daraja.url,
    MPESA_CONSUMER_KEY: daraja.credentials.consumerKey,
    MPESA_CONSUMER_SECRET: daraja.credentials.consumerSecret,
    MPESA_SHORTCODE: daraja.credentials.shortcode,
    MPESA_PASSKEY: daraja.credentials.passkey,
    MPESA_CALLBACK_TOKEN: TOKEN,
    MPESA_PUBLIC_URL: `http://127.0.0.1:${port}`,
  });
  // Listening, so the stand-in can call the STK callback URL back.
  await t.app.listen({ host: '127.0.0.1', port });
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t?.close();
  await daraja?.close();
});

async function customerWithPlan(expiresAt = daysFromNow(5)) {
  const plan = await insertPlan(t.db.db, { priceCents: PRICE, validityDays: 30 });
  const customer = await insertCustomer(t.db.db, { phone: '0712345678' });
  const sub = await insertSubscription(t.db.db, {
    customerId: customer.id,
    planId: plan.id,
    status: 'active',
    startsAt: daysFromNow(-25),
    expiresAt,
  });
  return { plan, customer, sub };
}

let transCounter = 0;
function c2bBody(overrides: Record<string, string> = {}) {
  transCounter += 1;
  return {
    TransactionType: 'Pay Bill',
    TransID: `TK${Date.now().toString(36).toUpperCase().slice(-5)}${transCounter}X`,
    TransTime: '20261129143005',
    TransAmount: '2500.00',
    BusinessShortCode: daraja.credentials.shortcode,
    BillRefNumber: 'NF-999999',
    InvoiceNumber: '',
    OrgAccountBalance: '49197.00',
    ThirdPartyTransID: '',
    MSISDN: '2547 ***** 126',
    FirstName: 'Wanjiku',
    MiddleName: '',
    LastName: 'Kamau',
    ...overrides,
  };
}

const hook = (path: string, payload: unknown, options: { remoteAddress?: string; token?: string } = {}) =>
  t.app.inject({
    method: 'POST',
    url: `/api/hooks/${path.replace('{token}', options.token ?? TOKEN)}`,
    payload: payload as Record<string, unknown>,
    ...(options.remoteAddress ? { remoteAddress: options.remoteAddress } : {}),
  });

const countPayments = async () => (await t.db.db.select({ n: sql<number>`count(*)::int` }).from(payments))[0]?.n ?? 0;
const countStk = async () => (await t.db.db.select({ n: sql<number>`count(*)::int` }).from(mpesaStkRequests))[0]?.n ?? 0;
const paymentByRef = async (reference: string) => t.db.db.select().from(payments).where(eq(payments.reference, reference));

describe('C2B confirmation', () => {
  it('records one payment and extends the subscription once when the same confirmation arrives three times at once', async () => {
    const { customer, sub } = await customerWithPlan();
    const before = await subscriptionRow(t.db.db, sub.id);
    const body = c2bBody({ BillRefNumber: ` ${customer.accountNumber.toLowerCase()} ` });
    const answers = await Promise.all([1, 2, 3].map(() => hook('c2b/{token}/confirmation', body)));
    for (const res of answers) {
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    }
    const rows = await paymentByRef(body.TransID);
    expect(rows).toHaveLength(1);
    const [p] = rows;
    expect(p).toMatchObject({
      method: 'mpesa',
      amountCents: 250_000,
      customerId: customer.id,
      status: 'applied',
      payerName: 'Wanjiku Kamau',
      payerPhone: '2547 ***** 126',
      recordedById: null,
    });
    // 2026-11-29 14:30:05 in Nairobi is 11:30:05 UTC.
    expect(p?.paidAt.toISOString()).toBe('2026-11-29T11:30:05.000Z');
    const after = await subscriptionRow(t.db.db, sub.id);
    expect(after.expiresAt?.getTime()).toBe((before.expiresAt?.getTime() ?? 0) + 30 * 24 * 3600 * 1000);
    const audits = await t.db.db
      .select()
      .from(auditLog)
      .where(eq(auditLog.entityId, p?.id ?? ''));
    expect(audits.map((a) => a.action).sort()).toEqual(['payment.apply', 'payment.record']);
    expect(audits.every((a) => a.actorLabel === 'system:mpesa')).toBe(true);
    expect(await customerRow(t.db.db, customer.id)).toMatchObject({ balanceCents: 0 });
  });

  it('keeps a payment for an unknown account unmatched, with the payer’s name and masked phone, for finance’s queue', async () => {
    const body = c2bBody({ BillRefNumber: 'ACC-UNKNOWN', TransAmount: '150.5' });
    const res = await hook('c2b/{token}/confirmation', body);
    expect(res.statusCode).toBe(200);
    const queue = await t.caller(staff.finance).payments.list({ status: 'unmatched', limit: 50 });
    const item = queue.items.find((p) => p.reference === body.TransID);
    expect(item).toMatchObject({
      status: 'unmatched',
      amountCents: 15_050,
      accountReference: 'ACC-UNKNOWN',
      payerName: 'Wanjiku Kamau',
      payerPhone: '2547 ***** 126',
      customerId: null,
    });
  });

  it('matches on the account number, never on the phone', async () => {
    const { customer } = await customerWithPlan();
    const body = c2bBody({ BillRefNumber: '', MSISDN: '254712345678' });
    await hook('c2b/{token}/confirmation', body);
    const [p] = await paymentByRef(body.TransID);
    expect(p?.status).toBe('unmatched');
    expect(p?.customerId).toBeNull();
    expect(customer.phone).toBe('0712345678');
  });

  it('validation accepts any account while MPESA_VALIDATION is off', async () => {
    const res = await hook('c2b/{token}/validation', c2bBody({ BillRefNumber: 'NOBODY' }));
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ResultCode: '0', ResultDesc: 'Accepted' });
  });
});

describe('the stand-in as Safaricom’s simulator', () => {
  it('posts validation, then confirmation, to the URLs registered with pnpm mpesa:register-urls', async () => {
    const { customer } = await customerWithPlan();
    await registerC2BUrls(t.config, t.db.db);
    expect(daraja.registered?.confirmationUrl).toBe(`http://127.0.0.1:${port}/api/hooks/c2b/${TOKEN}/confirmation`);
    const sent = await daraja.simulateC2B({ billRefNumber: customer.accountNumber, amount: 2500, msisdn: '254712345678' });
    expect(sent.validation).toMatchObject({ status: 200, response: { ResultCode: '0', ResultDesc: 'Accepted' } });
    expect(sent.confirmation).toMatchObject({ status: 200, response: { ResultCode: 0, ResultDesc: 'Accepted' } });
    const [p] = await paymentByRef(sent.transId);
    expect(p).toMatchObject({
      customerId: customer.id,
      amountCents: 250_000,
      status: 'applied',
      payerPhone: '2547 ***** 678',
      payerName: 'John Doe',
    });
  });
});

describe('webhook refusals record nothing', () => {
  it('answers a wrong token 404 exactly like an unknown path', async () => {
    const before = await countPayments();
    const wrong = await hook('c2b/{token}/confirmation', c2bBody(), { token: TOKEN.replace(/.$/, '_') });
    const unknown = await t.app.inject({ method: 'POST', url: '/api/nothing-here', payload: {} });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toEqual(unknown.json());
    expect((await hook('stk/{token}/result', {}, { token: 'short' })).statusCode).toBe(404);
    expect((await hook('c2b/{token}/validation', 'not json at all', { token: 'x'.repeat(40) })).statusCode).toBe(404);
    expect(await countPayments()).toBe(before);
  });

  it('never logs the callback token', () => {
    const serialize = loggerOptions('info').serializers?.req as (req: unknown) => { url: string };
    expect(serialize({ method: 'POST', url: `/api/hooks/c2b/${TOKEN}/confirmation?x=1`, ip: '127.0.0.1', headers: {} }).url).toBe(
      '/api/hooks/c2b/[token]/confirmation',
    );
    expect(serialize({ method: 'POST', url: `/api/hooks/stk/${TOKEN}/result`, ip: '127.0.0.1', headers: {} }).url).toBe(
      '/api/hooks/stk/[token]/result',
    );
  });

  it('answers a malformed body 400', async () => {
    const before = await countPayments();
    const cases: unknown[] = [
      { ...c2bBody(), TransAmount: 2500 },
      { ...c2bBody(), TransAmount: '25,00' },
      { ...c2bBody(), TransID: undefined },
      { ...c2bBody(), TransTime: '2026-11-29' },
      { ...c2bBody(), TransAmount: '0.00' },
      [],
    ];
    for (const payload of cases) {
      const res = await hook('c2b/{token}/confirmation', payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    const stkCases: unknown[] = [
      { Body: {} },
      { Body: { stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 'zero', ResultDesc: 'x' } } },
      // Success without its receipt.
      {
        Body: {
          stkCallback: { MerchantRequestID: 'm', CheckoutRequestID: 'c', ResultCode: 0, ResultDesc: 'ok', CallbackMetadata: { Item: [] } },
        },
      },
    ];
    for (const payload of stkCases) expect((await hook('stk/{token}/result', payload)).statusCode).toBe(400);
    const text = await t.app.inject({
      method: 'POST',
      url: `/api/hooks/c2b/${TOKEN}/confirmation`,
      headers: { 'content-type': 'application/json' },
      payload: '{"TransID": ',
    });
    expect(text.statusCode).toBe(400);
    expect(await countPayments()).toBe(before);
  });

  it('records nothing for an STK callback with an unknown CheckoutRequestID, and answers 200', async () => {
    const [payBefore, stkBefore] = [await countPayments(), await countStk()];
    const res = await hook('stk/{token}/result', {
      Body: {
        stkCallback: {
          MerchantRequestID: '29115-34620561-1',
          CheckoutRequestID: 'ws_CO_191220191020363925',
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 1 },
              { Name: 'MpesaReceiptNumber', Value: 'NLJ7RT61SV' },
              { Name: 'TransactionDate', Value: 20191219102115 },
              { Name: 'PhoneNumber', Value: 254708374149 },
            ],
          },
        },
      },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    expect([await countPayments(), await countStk()]).toEqual([payBefore, stkBefore]);
  });
});

describe('source allowlist and reject-unknown validation', () => {
  let other: Awaited<ReturnType<typeof createTestApp>>;
  beforeAll(async () => {
    other = await createTestApp({
      MPESA_BASE_URL: daraja.url,
      MPESA_CONSUMER_KEY: 'k',
      MPESA_CONSUMER_SECRET: 's',
      MPESA_SHORTCODE: '600000',
      MPESA_PASSKEY: 'p',
      MPESA_CALLBACK_TOKEN: TOKEN,
      MPESA_PUBLIC_URL: 'https://crm.example.co.ke',
      MPESA_ALLOWED_IPS: '196.201.214.0/24, 196.201.213.114',
      MPESA_VALIDATION: 'reject-unknown',
      // Tiny, to show the webhooks count apart from the per-address limit meant for browsers.
      RATE_LIMIT_GLOBAL_PER_MINUTE: '3',
    });
  });
  afterAll(async () => {
    await other?.close();
  });

  it('refuses a source outside MPESA_ALLOWED_IPS with 403 and records nothing', async () => {
    const body = c2bBody();
    const inject = (remoteAddress: string) =>
      other.app.inject({ method: 'POST', url: `/api/hooks/c2b/${TOKEN}/confirmation`, payload: body, remoteAddress });
    expect((await inject('10.1.2.3')).statusCode).toBe(403);
    expect((await inject('196.201.215.1')).statusCode).toBe(403);
    expect(await other.db.db.select().from(payments)).toHaveLength(0);
    expect((await inject('196.201.214.77')).statusCode).toBe(200);
    expect((await inject('196.201.213.114')).statusCode).toBe(200);
    expect(await other.db.db.select().from(payments)).toHaveLength(1);
  });

  it('counts webhooks apart from the global per-address limit', async () => {
    const answers = [];
    for (let i = 0; i < 6; i += 1) {
      answers.push(
        (
          await other.app.inject({
            method: 'POST',
            url: `/api/hooks/c2b/${TOKEN}/confirmation`,
            payload: c2bBody(),
            remoteAddress: '196.201.214.9',
          })
        ).statusCode,
      );
    }
    expect(answers).toEqual([200, 200, 200, 200, 200, 200]);
    const probes = [];
    for (let i = 0; i < 5; i += 1)
      probes.push((await other.app.inject({ method: 'GET', url: '/api/nothing', remoteAddress: '196.201.214.9' })).statusCode);
    expect(probes).toContain(429);
  });

  it('rejects an unknown account at validation with C2B00012, accepts a known one', async () => {
    const customer = await insertCustomer(other.db.db);
    const validate = (BillRefNumber: string) =>
      other.app.inject({
        method: 'POST',
        url: `/api/hooks/c2b/${TOKEN}/validation`,
        payload: c2bBody({ BillRefNumber }),
        remoteAddress: '196.201.214.1',
      });
    expect((await validate('NF-000000999')).json()).toEqual({ ResultCode: 'C2B00012', ResultDesc: 'Rejected' });
    expect((await validate('')).json()).toEqual({ ResultCode: 'C2B00012', ResultDesc: 'Rejected' });
    expect((await validate(customer.accountNumber.toLowerCase())).json()).toEqual({ ResultCode: '0', ResultDesc: 'Accepted' });
  });
});

describe('STK push', () => {
  async function push(phone: string, amountCents = PRICE) {
    const { customer, sub } = await customerWithPlan();
    const started = await t.caller(staff.finance).mpesa.stkPush({ accountNumber: customer.accountNumber, phone, amountCents });
    return { customer, sub, started };
  }

  async function settle(checkoutRequestId: string) {
    // Sized for a loaded machine (load 25 measured): the callback itself comes after 150 ms.
    for (let i = 0; i < 300; i += 1) {
      const status = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId });
      if (status.status !== 'pending') return status;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('STK push never resolved');
  }

  it('sends Daraja the exact request, and the paid callback records the payment and renews', async () => {
    daraja.stkScenario('254711000001', { resultCode: '0' });
    const { customer, sub, started } = await push('+254 711 000 001');
    expect(started).toEqual({ checkoutRequestId: expect.stringMatching(/^ws_CO_/), status: 'pending' });
    const sent = daraja.pushes.get(started.checkoutRequestId)?.request ?? {};
    expect(sent).toMatchObject({
      BusinessShortCode: daraja.credentials.shortcode,
      TransactionType: 'CustomerPayBillOnline',
      Amount: 2500,
      PartyA: '254711000001',
      PartyB: daraja.credentials.shortcode,
      PhoneNumber: '254711000001',
      CallBackURL: `http://127.0.0.1:${port}/api/hooks/stk/${TOKEN}/result`,
      AccountReference: customer.accountNumber,
    });
    expect(String(sent.TransactionDesc).length).toBeLessThanOrEqual(13);
    const ts = String(sent.Timestamp);
    expect(sent.Password).toBe(stkPassword(daraja.credentials.shortcode, daraja.credentials.passkey, ts));
    expect(Buffer.from(String(sent.Password), 'base64').toString()).toBe(
      `${daraja.credentials.shortcode}${daraja.credentials.passkey}${ts}`,
    );
    // Nairobi time, within a minute of now.
    expect(Math.abs((parseDarajaTime(ts)?.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);

    const status = await settle(started.checkoutRequestId);
    const receipt = daraja.pushes.get(started.checkoutRequestId)?.receipt ?? '';
    expect(status).toMatchObject({
      status: 'paid',
      resultCode: '0',
      receipt,
      message: `Paid: M-Pesa receipt ${receipt}`,
      customerId: customer.id,
    });
    const [p] = await paymentByRef(receipt);
    expect(p).toMatchObject({
      id: status.paymentId,
      method: 'mpesa',
      amountCents: PRICE,
      customerId: customer.id,
      status: 'applied',
      payerPhone: '0711000001',
    });
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt?.getTime()).toBeGreaterThan(daysFromNow(30).getTime());
    const audits = await t.db.db.select().from(auditLog).where(eq(auditLog.entityId, customer.id));
    expect(audits.map((a) => a.action)).toContain('mpesa.stk_push');

    // Daraja repeats the callback: nothing new.
    const sentCallback = () => daraja.callbacks.find((c) => c.kind === 'stk' && JSON.stringify(c.body).includes(started.checkoutRequestId));
    // The stand-in notes the callback once our answer reached it, a moment after the payment committed.
    while (!sentCallback()) await new Promise((r) => setTimeout(r, 50));
    const callback = sentCallback();
    expect(callback?.status).toBe(200);
    expect(callback?.response).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    const again = await Promise.all([hook('stk/{token}/result', callback?.body), hook('stk/{token}/result', callback?.body)]);
    expect(again.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(await paymentByRef(receipt)).toHaveLength(1);
  });

  it.each([
    ['1032', 'Cancelled by the customer'],
    ['2001', 'The customer entered a wrong M-Pesa PIN'],
    ['1', 'The customer’s M-Pesa balance is too low'],
  ])('turns result code %s into “%s” and records no payment', async (code, message) => {
    const phone = `25471100${code.padStart(4, '0')}`;
    daraja.stkScenario(phone, { resultCode: code });
    const before = await countPayments();
    const { started, customer } = await push(phone);
    const status = await settle(started.checkoutRequestId);
    expect(status).toMatchObject({ status: 'failed', resultCode: code, message, paymentId: null });
    expect(await countPayments()).toBe(before);
    expect((await customerRow(t.db.db, customer.id)).balanceCents).toBe(0);
  });

  it('asks Daraja (STK query) about a push whose callback never arrived, once it is a minute old', async () => {
    daraja.stkScenario('254711000099', { resultCode: '0', callback: false, delayMs: 50 });
    const { started, customer } = await push('0711000099');
    await new Promise((r) => setTimeout(r, 300));
    const young = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(young).toMatchObject({ status: 'pending', message: 'Waiting for the customer to enter their M-Pesa PIN' });
    expect(daraja.requestsTo('/mpesa/stkpushquery')).toHaveLength(0);
    await t.db.db
      .update(mpesaStkRequests)
      .set({ createdAt: new Date(Date.now() - 90_000) })
      .where(eq(mpesaStkRequests.checkoutRequestId, started.checkoutRequestId));
    const status = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(status).toMatchObject({ status: 'paid', receipt: null });
    const queries = daraja.requestsTo('/mpesa/stkpushquery');
    expect(queries).toHaveLength(1);
    expect(queries[0]?.body).toMatchObject({
      BusinessShortCode: daraja.credentials.shortcode,
      CheckoutRequestID: started.checkoutRequestId,
    });
    const [p] = await paymentByRef(started.checkoutRequestId.toUpperCase());
    expect(p).toMatchObject({ id: status.paymentId, customerId: customer.id, amountCents: PRICE, status: 'applied' });

    // The callback turns up after all: the payment takes its receipt number, nothing is recorded twice.
    const pushed = daraja.pushes.get(started.checkoutRequestId);
    const late = {
      Body: {
        stkCallback: {
          MerchantRequestID: pushed?.merchantRequestId,
          CheckoutRequestID: started.checkoutRequestId,
          ResultCode: 0,
          ResultDesc: 'The service request is processed successfully.',
          CallbackMetadata: {
            Item: [
              { Name: 'Amount', Value: 2500 },
              { Name: 'MpesaReceiptNumber', Value: pushed?.receipt },
              { Name: 'TransactionDate', Value: Number(darajaTimestamp()) },
              { Name: 'PhoneNumber', Value: 254711000099 },
            ],
          },
        },
      },
    };
    expect((await hook('stk/{token}/result', late)).statusCode).toBe(200);
    const [renamed] = await paymentByRef(pushed?.receipt ?? '');
    expect(renamed?.id).toBe(p?.id);
    expect((await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId })).receipt).toBe(pushed?.receipt);
  });

  it('a C2B confirmation of a push paid by a status query names that payment instead of recording it again', async () => {
    daraja.stkScenario('254711000095', { resultCode: '0', callback: false, delayMs: 50 });
    const { started, customer, sub } = await push('0711000095');
    await new Promise((r) => setTimeout(r, 200));
    await t.db.db
      .update(mpesaStkRequests)
      .set({ createdAt: new Date(Date.now() - 90_000) })
      .where(eq(mpesaStkRequests.checkoutRequestId, started.checkoutRequestId));
    const paid = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(paid).toMatchObject({ status: 'paid', receipt: null });
    const expiry = (await subscriptionRow(t.db.db, sub.id)).expiresAt;
    const before = await countPayments();
    const receipt = daraja.pushes.get(started.checkoutRequestId)?.receipt ?? '';
    const res = await hook(
      'c2b/{token}/confirmation',
      c2bBody({ TransID: receipt, BillRefNumber: customer.accountNumber, TransAmount: '2500.00' }),
    );
    expect(res.statusCode).toBe(200);
    expect(await countPayments()).toBe(before);
    const [p] = await paymentByRef(receipt);
    expect(p?.id).toBe(paid.paymentId);
    expect((await subscriptionRow(t.db.db, sub.id)).expiresAt).toEqual(expiry);
    expect((await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId })).receipt).toBe(receipt);
  });

  it('queues a status query with every push; run later, it resolves a push whose callback never came', async () => {
    daraja.stkScenario('254711000097', { resultCode: '1032', callback: false, delayMs: 50 });
    const { started } = await push('0711000097');
    const job = (await jobRows(t, 'mpesa.stk-query')).find((j) => JSON.stringify(j.data).includes(started.checkoutRequestId));
    expect(job).toMatchObject({ state: 'created', data: { checkoutRequestId: started.checkoutRequestId } });
    // Not due yet (STK_QUERY_DELAY_SECONDS after the push): nothing runs.
    expect(STK_QUERY_DELAY_SECONDS).toBeGreaterThanOrEqual(120);
    expect((await runQueuedJobs(t, { names: ['mpesa.stk-query'] })).completed).toBe(0);
    await new Promise((r) => setTimeout(r, 200));
    await t.db.db.execute(sql`update pgboss.job set start_after = now() where id = ${job?.id ?? ''}`);
    expect(await runQueuedJobs(t, { names: ['mpesa.stk-query'] })).toMatchObject({ completed: 1, failed: 0 });
    const status = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(status).toMatchObject({ status: 'failed', message: 'Cancelled by the customer' });
  });

  it('a push Daraja never resolves is retried, then marked failed with a pointer to the statement', async () => {
    daraja.stkScenario('254711000096', { resultCode: '0', callback: false, delayMs: 600_000 });
    const { started } = await push('0711000096');
    await t.db.db.execute(
      sql`update pgboss.job set start_after = now() where name = 'mpesa.stk-query' and data->>'checkoutRequestId' = ${started.checkoutRequestId}`,
    );
    const counts = await runQueuedJobs(t, { names: ['mpesa.stk-query'], includeRetries: true });
    expect(counts).toMatchObject({ retried: 5, completed: 1 });
    const status = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(status).toMatchObject({ status: 'failed', resultCode: null, message: NEVER_CONFIRMED });
  });

  it('a pending push Daraja still reports as being processed stays pending', async () => {
    daraja.stkScenario('254711000098', { resultCode: '0', callback: false, delayMs: 60_000 });
    const { started } = await push('0711000098');
    await t.db.db
      .update(mpesaStkRequests)
      .set({ createdAt: new Date(Date.now() - 90_000) })
      .where(eq(mpesaStkRequests.checkoutRequestId, started.checkoutRequestId));
    const status = await t.caller(staff.finance).mpesa.stkStatus({ checkoutRequestId: started.checkoutRequestId });
    expect(status.status).toBe('pending');
  });

  it('refuses amounts with cents, unknown accounts and bad phones with clear messages, sending nothing', async () => {
    const { customer } = await customerWithPlan();
    const before = daraja.requestsTo('/mpesa/stkpush').length;
    const caller = t.caller(staff.finance);
    await expect(
      caller.mpesa.stkPush({ accountNumber: customer.accountNumber, phone: '0712345678', amountCents: 250_050 }),
    ).rejects.toThrow(/whole shillings/);
    await expect(caller.mpesa.stkPush({ accountNumber: 'NF-999998', phone: '0712345678', amountCents: 100 })).rejects.toThrow(
      /Invalid input/,
    );
    await expect(caller.mpesa.stkPush({ accountNumber: customer.accountNumber, phone: '12345', amountCents: 100 })).rejects.toThrow(
      /Safaricom number/,
    );
    expect(daraja.requestsTo('/mpesa/stkpush').length).toBe(before);
  });

  it('REST: POST /api/payments/stk-push answers 202, GET its status', async () => {
    const { customer } = await customerWithPlan();
    const token = await t.tokenFor(staff.finance);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/payments/stk-push',
      headers: { authorization: `Bearer ${token}` },
      payload: { accountNumber: customer.accountNumber, phone: '0722000111', amountCents: 100_00 },
    });
    expect(res.statusCode).toBe(202);
    const { checkoutRequestId } = res.json<{ checkoutRequestId: string }>();
    const got = await t.app.inject({
      method: 'GET',
      url: `/api/payments/stk-push/${checkoutRequestId}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(got.statusCode).toBe(200);
    expect(got.json()).toMatchObject({ checkoutRequestId, status: expect.stringMatching(/pending|paid/) });
  });

  it('is for finance, managers and admins only', async () => {
    const { customer } = await customerWithPlan();
    for (const role of ROLES) {
      const code = await codeOf(
        t.caller(staff[role]).mpesa.stkPush({ accountNumber: customer.accountNumber, phone: '0733000111', amountCents: 100 }),
      );
      expect([role, code]).toEqual([role, ['admin', 'manager', 'finance'].includes(role) ? 'OK' : 'FORBIDDEN']);
    }
  });

  it('says M-Pesa did not answer when Daraja fails, and stores nothing', async () => {
    const { customer } = await customerWithPlan();
    const before = await countStk();
    daraja.failNext('http500', { pathPrefix: '/mpesa/stkpush/' });
    await expect(
      t.caller(staff.finance).mpesa.stkPush({ accountNumber: customer.accountNumber, phone: '0733000112', amountCents: 100 }),
    ).rejects.toThrow(/M-Pesa failed \(HTTP 500\); try again/);
    expect(await countStk()).toBe(before);
  });
});
