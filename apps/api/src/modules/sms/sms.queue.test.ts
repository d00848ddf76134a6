/**
 * SMS through the real job queue (pg-boss, driven by `runQueuedJobs`) and billing's domain events,
 * against the Africa's Talking stand-in: a payment gives exactly one receipt even when its event or
 * job comes twice; a 500 then a 201 delivers one message; the expiry sweep gives one suspension
 * notice however often (and wherever) it runs; reminders go out once per expiry date; a restoring
 * payment sends a receipt and a restoration notice; opted-out customers get nothing sent.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { activities, smsMessages } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emitEvent } from '../../lib/events';
import { systemActor, type CurrentUser } from '../../lib/actor';
import { enqueue } from '../jobs';
import { sweepExpiredSubscriptions } from '../subscriptions';
import { startAfricasTalkingStandin, type AfricasTalkingStandin } from '../../standins';
import { DAY_MS, daysFromNow, insertCustomer, insertPlan, insertSubscription } from '../../test/fixtures';
import { createHarness, type Harness } from '../../test/harness';
import { jobRows, queueScheduleTick, runQueuedJobs } from '../../test/jobs';
import { queueReminders, smsSendJob } from '.';

let at: AfricasTalkingStandin;
let h: Harness;
const staff = {} as Record<Role, CurrentUser>;
let n = 0;
const ref = () => `QSMS${Date.now().toString(36).toUpperCase()}${(n += 1)}`;
const phone = () => `07${String(10_000_000 + (n += 1)).padStart(8, '0')}`;
const intl = (local: string) => `+254${local.slice(1)}`;

beforeAll(async () => {
  at = await startAfricasTalkingStandin();
  h = await createHarness({
    SMS_PROVIDER: 'africastalking',
    AT_USERNAME: at.username,
    AT_API_KEY: at.apiKey,
    AT_BASE_URL: at.url,
    SMS_PAYBILL: '888555',
    SMS_TIMEOUT_SECONDS: '2',
  });
  for (const role of ROLES) staff[role] = await h.createUser({ role });
});
afterAll(async () => {
  await h?.close();
  await at?.close();
});
beforeEach(() => at.reset());

const messagesOf = (customerId: string) => h.db.db.select().from(smsMessages).where(eq(smsMessages.customerId, customerId));
const sentTo = (number: string) => at.accepted().filter((m) => m.number === number);
const run = () => runQueuedJobs(h, { names: ['sms.send'], includeRetries: true });

/** A customer with an active 30-day subscription expiring in `days` days. */
async function activeCustomer(days = 10, overrides: Parameters<typeof insertCustomer>[1] = {}) {
  const plan = await insertPlan(h.db.db, { priceCents: 150_000, validityDays: 30 });
  const customer = await insertCustomer(h.db.db, { name: 'Mwangi', phone: phone(), ...overrides });
  const sub = await insertSubscription(h.db.db, {
    customerId: customer.id,
    planId: plan.id,
    status: 'active',
    startsAt: daysFromNow(days - 30),
    expiresAt: daysFromNow(days),
  });
  return { plan, customer, sub };
}

describe('payment receipts', () => {
  it('one receipt per payment, even when the event is delivered twice and the job runs again', async () => {
    const { customer } = await activeCustomer();
    const paid = await h
      .caller(staff.finance)
      .payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 150_000 });
    const [message] = await messagesOf(customer.id);
    expect(message).toMatchObject({ templateKey: 'receipt', status: 'queued', eventKey: `receipt:${paid.id}` });
    const jobs = await jobRows(h, 'sms.send');
    expect(jobs.filter((j) => j.singletonKey === `sms:${message?.id}`)).toHaveLength(1);

    // The same event again (a replayed webhook, a second listener pass): nothing new.
    await h.db.db.transaction((tx) =>
      emitEvent(tx, systemActor('test'), {
        type: 'payment.applied',
        paymentId: paid.id,
        customerId: customer.id,
        amountCents: 150_000,
        reference: paid.reference,
        renewedUntil: null,
        balanceCents: 0,
      }),
    );
    expect(await messagesOf(customer.id)).toHaveLength(1);

    expect((await run()).completed).toBeGreaterThanOrEqual(1);
    // A second job for the same message (e.g. re-enqueued after its singleton finished) sends nothing.
    await enqueue(h.db.db, smsSendJob, { messageId: message?.id ?? '' });
    await run();
    const received = sentTo(intl(customer.phone));
    expect(received).toHaveLength(1);
    expect(received[0]?.message).toMatch(/^Dear Mwangi, we have received KES 1,500 for account NF-\d{6}\./);
    const [sent] = await messagesOf(customer.id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, providerMessageId: received[0]?.messageId });
    // One timeline entry, a payment event: finance sees it, support (no payments.read) does not.
    const isSms = (a: { data: Record<string, unknown> | null }) => a.data?.smsMessageId !== undefined;
    const timeline = await h.caller(staff.finance).activities.listForCustomer({ id: customer.id });
    const smsEntries = timeline.items.filter(isSms);
    expect(smsEntries).toHaveLength(1);
    expect(smsEntries[0]).toMatchObject({ kind: 'payment', body: expect.stringMatching(/^Payment receipt SMS sent to \+2547/) as string });
    expect((await h.caller(staff.support).activities.listForCustomer({ id: customer.id })).items.filter(isSms)).toEqual([]);
    expect((await h.caller(staff.support).sms.customer({ customerId: customer.id })).messages).toEqual([]);
    expect((await h.caller(staff.finance).sms.customer({ customerId: customer.id })).messages).toHaveLength(1);
  });

  it('provider answering 500, then success: one message delivered, none duplicated', async () => {
    const { customer } = await activeCustomer();
    at.failNext('500');
    await h.caller(staff.finance).payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 150_000 });
    const counts = await run();
    expect(counts).toMatchObject({ retried: 1, completed: 1, failed: 0 });
    expect(at.received.map((r) => r.status)).toEqual([500, 201]);
    expect(sentTo(intl(customer.phone))).toHaveLength(1);
    const [message] = await messagesOf(customer.id);
    expect(message).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('an opted-out customer gets a visible skipped receipt and no job, nothing sent', async () => {
    const { customer } = await activeCustomer(10, { smsOptOut: true });
    await h.caller(staff.finance).payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 150_000 });
    const [message] = await messagesOf(customer.id);
    expect(message).toMatchObject({ status: 'skipped', lastError: 'the customer opted out of SMS' });
    expect((await jobRows(h, 'sms.send')).filter((j) => j.singletonKey === `sms:${message?.id}`)).toEqual([]);
    await run();
    expect(at.received).toEqual([]);
  });
});

describe('suspension and restoration', () => {
  it('the expiry sweep gives one suspension SMS, run twice or on two instances at once', async () => {
    const { customer, sub } = await activeCustomer(-3);
    const actor = systemActor('expiry-sweep');
    const input = { now: new Date(), graceHours: 24 };
    await Promise.all([sweepExpiredSubscriptions(h.db.db, actor, input), sweepExpiredSubscriptions(h.db.db, actor, input)]);
    await sweepExpiredSubscriptions(h.db.db, actor, input);
    await run();
    await run();
    const messages = await messagesOf(customer.id);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ templateKey: 'suspension', status: 'sent' });
    expect(messages[0]?.eventKey.startsWith(`suspension:${sub.id}:`)).toBe(true);
    const received = sentTo(intl(customer.phone));
    expect(received).toHaveLength(1);
    expect(received[0]?.message).toContain('has been suspended. Pay via M-Pesa paybill 888555');
  });

  it('a payment that restores a suspended service sends a receipt and a restoration notice, once each', async () => {
    const { customer, sub } = await activeCustomer(-3);
    await sweepExpiredSubscriptions(h.db.db, systemActor('expiry-sweep'), { now: new Date(), graceHours: 24 });
    await h.caller(staff.finance).payments.record({ customerId: customer.id, method: 'mpesa', reference: ref(), amountCents: 150_000 });
    await run();
    const messages = await messagesOf(customer.id);
    expect(messages.map((m) => m.templateKey).sort()).toEqual(['receipt', 'restoration', 'suspension']);
    expect(messages.every((m) => m.status === 'sent')).toBe(true);
    const restoration = messages.find((m) => m.templateKey === 'restoration');
    expect(restoration?.eventKey.startsWith(`restoration:${sub.id}:`)).toBe(true);
    expect(sentTo(intl(customer.phone))).toHaveLength(3);
    const entries = await h.db.db.select().from(activities).where(eq(activities.customerId, customer.id));
    const kinds = entries.filter((e) => e.data?.smsMessageId !== undefined).map((e) => e.kind);
    expect(kinds.sort()).toEqual(['payment', 'sms', 'sms']);
  });
});

describe('expiry reminders', () => {
  it('one reminder per subscription per expiry date, however often the schedule runs', async () => {
    const soon = await activeCustomer(2);
    const later = await activeCustomer(10);
    await queueScheduleTick(h, 'sms.reminders');
    await queueScheduleTick(h, 'sms.reminders');
    await runQueuedJobs(h, { names: ['sms.reminders'] });
    // Two instances at once.
    await Promise.all([queueReminders(h.db.db, h.config.sms, new Date()), queueReminders(h.db.db, h.config.sms, new Date())]);
    await run();
    expect(await messagesOf(later.customer.id)).toEqual([]);
    const [reminder, ...rest] = await messagesOf(soon.customer.id);
    expect(rest).toEqual([]);
    expect(reminder).toMatchObject({ templateKey: 'reminder', status: 'sent' });
    expect(sentTo(intl(soon.customer.phone))).toHaveLength(1);
    expect(sentTo(intl(soon.customer.phone))[0]?.message).toMatch(/expires on \d{2} \w{3} \d{4}\. Pay via M-Pesa paybill 888555/);

    // A renewal moves the expiry: the new date gets its own reminder when it comes near.
    const { sub } = soon;
    const renewedExpiry = new Date((sub.expiresAt?.getTime() ?? 0) + 30 * DAY_MS);
    expect(await queueReminders(h.db.db, h.config.sms, new Date(renewedExpiry.getTime() - 2 * DAY_MS))).toEqual({ queued: 0 });
  });
});
