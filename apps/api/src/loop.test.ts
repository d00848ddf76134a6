/**
 * The ISP loop end to end, across the integrations, against the three stand-ins at once (Daraja,
 * Africa's Talking, RouterOS): a customer pays by M-Pesa with their account number and the
 * confirmation arrives twice at once → one payment, the subscription extended once, one receipt
 * SMS, the PPP secret enabled on the router with the plan's profile. Then the expiry sweep after
 * the grace period, run twice → suspended once, the secret disabled and its session dropped, one
 * suspension SMS. Runs on both engines.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { payments, smsMessages } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemActor, type CurrentUser } from './lib/actor';
import { sweepExpiredSubscriptions } from './modules/subscriptions';
import { startAfricasTalkingStandin, type AfricasTalkingStandin } from './standins/africastalking';
import { startDarajaStandin, type DarajaStandin } from './standins/daraja';
import { startRouterOsStandIn, type RouterOsStandIn } from './standins/routeros';
import { subscriptionRow } from './test/fixtures';
import { createTestApp } from './test/harness';
import { runQueuedJobs } from './test/jobs';

const TOKEN = 'loop-token-0123456789abcdefghijklmnopqrstuv';
let daraja: DarajaStandin;
let at: AfricasTalkingStandin;
let ros: RouterOsStandIn;
let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;

beforeAll(async () => {
  [daraja, at, ros] = await Promise.all([
    startDarajaStandin({ callbackDelayMs: 100 }),
    startAfricasTalkingStandin(),
    startRouterOsStandIn(),
  ]);
  t = await createTestApp({
    MPESA_BASE_URL: daraja.url,
    MPESA_CONSUMER_KEY: daraja.credentials.consumerKey,
    MPESA_CONSUMER_SECRET: daraja.credentials.consumerSecret,
    MPESA_SHORTCODE: daraja.credentials.shortcode,
    MPESA_PASSKEY: daraja.credentials.passkey,
    MPESA_CALLBACK_TOKEN: TOKEN,
    MPESA_PUBLIC_URL: 'http://127.0.0.1:9',
    SMS_PROVIDER: 'africastalking',
    AT_USERNAME: at.username,
    AT_API_KEY: at.apiKey,
    AT_BASE_URL: at.url,
    SMS_TIMEOUT_SECONDS: '2',
    ROUTEROS_TIMEOUT_MS: '2000',
  });
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t?.close();
  await Promise.all([daraja?.close(), at?.close(), ros?.close()]);
});

const drain = () => runQueuedJobs(t, { names: ['provision.subscription', 'sms.send'], includeRetries: true });
const confirmation = (account: string, transId: string) => ({
  TransactionType: 'Pay Bill',
  TransID: transId,
  TransTime: '20261130091500',
  TransAmount: '2500.00',
  BusinessShortCode: daraja.credentials.shortcode,
  BillRefNumber: ` ${account.toLowerCase()} `,
  InvoiceNumber: '',
  OrgAccountBalance: '100000.00',
  ThirdPartyTransID: '',
  MSISDN: '2547 ***** 126',
  FirstName: 'Achieng',
  MiddleName: '',
  LastName: 'Otieno',
});

describe('the ISP loop', () => {
  it('M-Pesa payment → one payment, one renewal, one receipt, the router lets them back on; expiry → cut off and told, once', async () => {
    // A customer on a 10M PPPoE plan served by a registered router, activated, then lapsed and suspended.
    const router = await t.caller(staff.admin).routers.create({
      name: 'Loop core',
      url: ros.url,
      username: ros.username,
      password: ros.password,
      verifyTls: false,
    });
    const plan = await t.caller(staff.admin).plans.create({
      name: 'Loop 10 Mbps',
      type: 'pppoe',
      downloadKbps: 10_000,
      uploadKbps: 5_000,
      priceCents: 250_000,
      validityDays: 30,
      routerProfile: '10M',
    });
    const customer = await t.caller(staff.sales).customers.create({ name: 'Achieng Otieno', phone: '0712000126' });
    await t
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'cash', reference: `LOOPCASH${Date.now()}`, amountCents: 250_000 });
    const sub = await t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id });
    await t.caller(staff.technician).subscriptions.activate({ id: sub.id, routerId: router.id });
    await drain();
    const username = (await subscriptionRow(t.db.db, sub.id)).pppoeUsername ?? '';
    expect(ros.rows('/ppp/secret').find((s) => s.name === username)).toMatchObject({ profile: '10M', disabled: 'false' });

    // The service lapses and the sweep suspends it; the router disables the secret and drops the session.
    ros.connect(username);
    const lapsed = new Date(Date.now() - 3 * 24 * 3600 * 1000);
    await t.db.db.execute(`update subscriptions set expires_at = '${lapsed.toISOString()}' where id = '${sub.id}'`);
    at.reset();
    const sweep = () => sweepExpiredSubscriptions(t.db.db, systemActor('expiry-sweep'), { now: new Date(), graceHours: 24 });
    expect((await sweep()).suspended).toEqual([sub.id]);
    expect((await sweep()).suspended).toEqual([]);
    await drain();
    await drain();
    expect((await subscriptionRow(t.db.db, sub.id)).status).toBe('suspended');
    expect(ros.rows('/ppp/secret').find((s) => s.name === username)?.disabled).toBe('true');
    expect(ros.rows('/ppp/active').filter((s) => s.name === username)).toEqual([]);
    const suspensionSms = at.accepted().filter((m) => m.number === '+254712000126');
    expect(suspensionSms).toHaveLength(1);

    // The customer pays by M-Pesa; Safaricom delivers the confirmation twice at once.
    at.reset();
    const transId = `TL${Date.now().toString(36).toUpperCase()}`.slice(0, 10);
    const body = confirmation(customer.accountNumber, transId);
    const answers = await Promise.all(
      [1, 2].map(() => t.app.inject({ method: 'POST', url: `/api/hooks/c2b/${TOKEN}/confirmation`, payload: body })),
    );
    for (const a of answers) expect(a.json()).toEqual({ ResultCode: 0, ResultDesc: 'Accepted' });
    await drain();
    await drain();

    const recorded = await t.db.db.select().from(payments).where(eq(payments.reference, transId));
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ method: 'mpesa', amountCents: 250_000, customerId: customer.id, status: 'applied' });
    const after = await subscriptionRow(t.db.db, sub.id);
    expect(after.status).toBe('active');
    // Extended once: one 30-day period from the payment (it had lapsed), not two.
    const days = ((after.expiresAt?.getTime() ?? 0) - Date.now()) / (24 * 3600 * 1000);
    expect(days).toBeGreaterThan(29);
    expect(days).toBeLessThan(31);
    const secret = ros.rows('/ppp/secret').find((s) => s.name === username);
    expect(secret).toMatchObject({ profile: '10M', disabled: 'false' });
    const texts = at.accepted().filter((m) => m.number === '+254712000126');
    // One receipt and one restoration notice: each event once, however often the confirmation came.
    const receipts = await t.db.db.select().from(smsMessages).where(eq(smsMessages.customerId, customer.id));
    expect(receipts.filter((m) => m.templateKey === 'receipt' && m.eventKey === `receipt:${recorded[0]?.id}`)).toHaveLength(1);
    expect(texts.filter((m) => /2,500/.test(m.message))).toHaveLength(1);
    expect(receipts.filter((m) => m.templateKey === 'suspension')).toHaveLength(1);
    expect((await subscriptionRow(t.db.db, sub.id)).provisioningState).toBe('synced');
  });
});
