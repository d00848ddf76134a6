/**
 * SMS against the Africa's Talking stand-in (a loopback server speaking AT's real shapes): the
 * configuration rules, the provider adapters, templates (validation, preview, admin-only edits),
 * opt-out, sending with retries that never duplicate, and the delivery-report hook.
 * The queue-driven flows (payment → receipt, expiry sweep, reminders) are in sms.queue.test.ts.
 */
import { createServer, type IncomingMessage } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_SMS_TEMPLATES, ROLES, smsSegments, type Role } from '@netflow/contracts';
import { activities, auditLog, customers, smsMessages, smsTemplates } from '@netflow/db';
import { and, eq } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config';
import { systemActor, type CurrentUser } from '../../lib/actor';
import { startAfricasTalkingStandin, type AfricasTalkingStandin } from '../../standins';
import { insertCustomer, insertPlan, insertSubscription } from '../../test/fixtures';
import { codeOf, createTestApp } from '../../test/harness';
import { queueMessage } from './messages';
import { africasTalkingProvider, createSmsProvider, httpProvider, ProviderError } from './providers';
import { RetryLater, sendMessage } from './send';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
const CALLBACK = 'cb-token-0123456789abcdef';
const log = pino({ level: 'silent' });
let at: AfricasTalkingStandin;
let t: TestApp;
const staff = {} as Record<Role, CurrentUser>;

beforeAll(async () => {
  at = await startAfricasTalkingStandin({ username: 'netflow-isp' });
  t = await createTestApp({
    SMS_PROVIDER: 'africastalking',
    AT_USERNAME: at.username,
    AT_API_KEY: at.apiKey,
    AT_BASE_URL: at.url,
    AT_SENDER_ID: 'NETFLOW',
    SMS_CALLBACK_TOKEN: CALLBACK,
    SMS_PAYBILL: '888555',
    SMS_TIMEOUT_SECONDS: '1',
  });
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t?.close();
  await at?.close();
});
beforeEach(() => at.reset());

const base = { JWT_SECRET: 'j'.repeat(40), AUDIT_KEY: 'a'.repeat(40), APP_ENCRYPTION_KEY: 'e'.repeat(40) };
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'netflow-sms-'));

describe('configuration', () => {
  it('refuses to start in production without SMS_PROVIDER, in one line; log is the default elsewhere', () => {
    const attempt = () => loadConfig({ ...base, NODE_ENV: 'production', DATA_DIR: tempDir() });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/^SMS_PROVIDER is not set; choose africastalking, http, or log \(nothing sent\) explicitly$/);
    expect(loadConfig({ ...base, DATA_DIR: tempDir() }).sms.provider).toBe('log');
    const explicitLog = loadConfig({ ...base, NODE_ENV: 'production', SMS_PROVIDER: 'log', DATA_DIR: tempDir() });
    expect(explicitLog.warnings.some((w) => w.includes('SMS_PROVIDER=log'))).toBe(true);
  });

  it('needs AT credentials for africastalking and a URL for http; picks the sandbox for username sandbox', () => {
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'africastalking', DATA_DIR: tempDir() })).toThrow(/AT_USERNAME and AT_API_KEY/);
    expect(() => loadConfig({ ...base, SMS_PROVIDER: 'http', DATA_DIR: tempDir() })).toThrow(/SMS_HTTP_URL/);
    const sandbox = loadConfig({ ...base, SMS_PROVIDER: 'africastalking', AT_USERNAME: 'sandbox', AT_API_KEY: 'k', DATA_DIR: tempDir() });
    expect(sandbox.sms.africasTalking?.baseUrl).toBe('https://api.sandbox.africastalking.com');
    const live = loadConfig({ ...base, SMS_PROVIDER: 'africastalking', AT_USERNAME: 'isp', AT_API_KEY: 'k', DATA_DIR: tempDir() });
    expect(live.sms.africasTalking?.baseUrl).toBe('https://api.africastalking.com');
    expect(live.sms.reminderDays).toBe(3);
    expect(() => loadConfig({ ...base, SMS_CALLBACK_TOKEN: 'short', DATA_DIR: tempDir() })).toThrow(/SMS_CALLBACK_TOKEN/);
  });
});

describe("Africa's Talking adapter against the stand-in", () => {
  const provider = () => africasTalkingProvider({ username: at.username, apiKey: at.apiKey, senderId: 'NETFLOW', baseUrl: at.url }, 1000);

  it('POSTs the form to /version1/messaging with apiKey and Accept headers and reads the 201 recipients', async () => {
    const sent = await provider().send({ to: '+254712345678', message: 'Hello & welcome', reference: 'ref-1' });
    expect(sent.providerMessageId).toMatch(/^ATXid_/);
    expect(sent.cost).toBe('KES 0.8000');
    expect(at.received).toHaveLength(1);
    const [request] = at.received;
    expect(request).toMatchObject({ method: 'POST', path: '/version1/messaging', status: 201 });
    expect(request?.headers.apikey).toBe(at.apiKey);
    expect(request?.headers.accept).toBe('application/json');
    expect(request?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(request?.form).toEqual({ username: 'netflow-isp', to: '+254712345678', message: 'Hello & welcome', from: 'NETFLOW' });
  });

  it('classifies failures: invalid number and blacklist are final, 500 and insufficient balance retry, timeouts are unknown', async () => {
    const failure = async (promise: Promise<unknown>) => {
      try {
        await promise;
        return 'sent';
      } catch (error) {
        return error instanceof ProviderError ? `${error.failure}: ${error.message}` : String(error);
      }
    };
    expect(await failure(provider().send({ to: '+2547123', message: 'x', reference: 'r' }))).toBe('final: InvalidPhoneNumber (403)');
    at.setRecipientCode('+254711111111', 406);
    expect(await failure(provider().send({ to: '+254711111111', message: 'x', reference: 'r' }))).toBe('final: UserInBlacklist (406)');
    at.setRecipientCode('+254722222222', 405);
    expect(await failure(provider().send({ to: '+254722222222', message: 'x', reference: 'r' }))).toBe('retry: InsufficientBalance (405)');
    at.failNext('500');
    expect(await failure(provider().send({ to: '+254712345678', message: 'x', reference: 'r' }))).toBe(
      'retry: HTTP 500: Internal Server Error',
    );
    at.failNext('credentials');
    expect(await failure(provider().send({ to: '+254712345678', message: 'x', reference: 'r' }))).toBe(
      'final: HTTP 401: The supplied authentication is invalid',
    );
    const wrongKey = africasTalkingProvider({ username: at.username, apiKey: 'nope', senderId: undefined, baseUrl: at.url }, 1000);
    expect(await failure(wrongKey.send({ to: '+254712345678', message: 'x', reference: 'r' }))).toMatch(/^final: HTTP 401/);
    at.failNext('timeout');
    expect(await failure(provider().send({ to: '+254712345678', message: 'x', reference: 'r' }))).toBe(
      'unknown: no answer from the gateway within 1 s',
    );
    expect(at.accepted()).toEqual([]);
  });

  it('reports a refused connection as retryable (nothing was sent)', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const address = probe.address();
    await new Promise((r) => probe.close(r));
    const port = typeof address === 'object' && address ? address.port : 1;
    const dead = africasTalkingProvider({ username: 'u', apiKey: 'k', senderId: undefined, baseUrl: `http://127.0.0.1:${port}` }, 1000);
    await expect(dead.send({ to: '+254712345678', message: 'x', reference: 'r' })).rejects.toMatchObject({ failure: 'retry' });
  });
});

describe('the generic http provider', () => {
  it('POSTs JSON {to, message, reference} with the bearer token and takes {id} from a 2xx', async () => {
    const seen: Array<{ headers: IncomingMessage['headers']; body: unknown }> = [];
    let answer = 500;
    const server = createServer((req, res) => {
      let text = '';
      req.on('data', (c: Buffer) => (text += c.toString()));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: JSON.parse(text) as unknown });
        res.writeHead(answer, { 'content-type': 'application/json' });
        res.end(answer === 202 ? JSON.stringify({ id: 'gw-42' }) : '{"error":"down"}');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/send`;
    try {
      const provider = httpProvider({ url, token: 'gw-secret' }, 1000);
      await expect(provider.send({ to: '+254712345678', message: 'Hi', reference: 'm-1' })).rejects.toMatchObject({ failure: 'retry' });
      answer = 202;
      expect(await provider.send({ to: '+254712345678', message: 'Hi', reference: 'm-1' })).toEqual({
        providerMessageId: 'gw-42',
        cost: null,
      });
      expect(seen[1]?.body).toEqual({ to: '+254712345678', message: 'Hi', reference: 'm-1' });
      expect(seen[1]?.headers.authorization).toBe('Bearer gw-secret');
      expect(seen[1]?.headers['content-type']).toBe('application/json');
      answer = 400;
      await expect(provider.send({ to: '+254712345678', message: 'Hi', reference: 'm-2' })).rejects.toMatchObject({ failure: 'final' });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});

describe('templates', () => {
  it('lists the four defaults (created on first read) with placeholders and segment counts', async () => {
    const list = await t.caller(staff.manager).sms.templates({});
    expect(list.items.map((i) => i.key)).toEqual(['receipt', 'reminder', 'suspension', 'restoration']);
    expect(list.items[0]).toMatchObject({
      body: DEFAULT_SMS_TEMPLATES.receipt,
      updatedAt: null,
      sample: { encoding: 'GSM-7', segments: 1 },
    });
    expect(Object.keys(list.placeholders)).toEqual(['name', 'account', 'amount', 'balance', 'plan', 'expiry', 'paybill']);
    expect((await t.db.db.select().from(smsTemplates)).length).toBe(4);
  });

  it('lets an admin edit a template (audited); others get 403; unknown placeholders are refused and nothing changes', async () => {
    await t.caller(staff.admin).sms.templates({});
    for (const role of ['manager', 'finance', 'support', 'sales', 'technician'] as const) {
      expect(await codeOf(t.caller(staff[role]).sms.updateTemplate({ key: 'receipt', body: 'Hi {name}' })), role).toBe('FORBIDDEN');
    }
    for (const role of ['finance', 'support', 'sales', 'technician'] as const) {
      expect(await codeOf(t.caller(staff[role]).sms.templates({})), role).toBe('FORBIDDEN');
    }
    const bad = t.caller(staff.admin).sms.updateTemplate({ key: 'receipt', body: 'Hi {nmae}, paid {amount} {foo}' });
    await expect(bad).rejects.toThrow(/Unknown placeholders \{nmae\}, \{foo\}; use \{name\}/);
    expect(await codeOf(t.caller(staff.admin).sms.updateTemplate({ key: 'receipt', body: '   ' }))).toBe('BAD_REQUEST');
    const [row] = await t.db.db.select().from(smsTemplates).where(eq(smsTemplates.key, 'receipt'));
    expect(row?.body).toBe(DEFAULT_SMS_TEMPLATES.receipt);

    const saved = await t
      .caller(staff.admin)
      .sms.updateTemplate({ key: 'receipt', body: 'Asante {name}! {amount} received for {account}.' });
    expect(saved).toMatchObject({
      key: 'receipt',
      body: 'Asante {name}! {amount} received for {account}.',
      updatedByName: staff.admin.name,
    });
    const audits = await t.db.db.select().from(auditLog).where(eq(auditLog.action, 'sms_template.update'));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.changes).toMatchObject({ key: 'receipt', body: { from: DEFAULT_SMS_TEMPLATES.receipt } });

    const res = await t.app.inject({
      method: 'PUT',
      url: '/api/sms/templates/reminder',
      headers: { authorization: `Bearer ${await t.tokenFor(staff.manager)}` },
      payload: { body: 'x' },
    });
    expect(res.statusCode).toBe(403);
  });

  it('previews a template (saved or as typed) with sample values or a chosen customer, counting parts', async () => {
    const plan = await insertPlan(t.db.db, { name: 'Fibre 20' });
    const customer = await insertCustomer(t.db.db, { name: 'Wanjiru Kamau', phone: '0722000111', balanceCents: 50_000 });
    await insertSubscription(t.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'active',
      expiresAt: new Date('2026-12-05T20:30:00Z'),
    });
    const admin = t.caller(staff.admin);
    const sample = await admin.sms.preview({ key: 'reminder' });
    expect(sample.sample).toBe(true);
    expect(sample.text).toContain('Jane Wanjiku');
    expect(sample.text).toContain('paybill 888555');
    const chosen = await admin.sms.preview({
      key: 'reminder',
      body: '{name} {plan} {expiry} {balance} {account}',
      customerId: customer.id,
    });
    // 20:30 UTC is 23:30 in Nairobi, still the 5th.
    expect(chosen.text).toBe(`Wanjiru Kamau Fibre 20 05 Dec 2026 KES 500 ${customer.accountNumber}`);
    expect(chosen).toMatchObject({ sample: false, encoding: 'GSM-7', segments: 1 });
    const long = await admin.sms.preview({ key: 'reminder', body: 'x'.repeat(161) });
    expect(long).toMatchObject({ length: 161, segments: 2 });
    const unicode = await admin.sms.preview({ key: 'reminder', body: 'Habari 👋 {name}' });
    expect(unicode.encoding).toBe('UCS-2');
    expect(await codeOf(admin.sms.preview({ key: 'reminder', body: '{oops}' }))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.sms.preview({ key: 'reminder', customerId: crypto.randomUUID() }))).toBe('NOT_FOUND');
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', length: 160, segments: 1 });
  });
});

describe('opt-out', () => {
  it('support and sales switch it (timeline, audit); technicians may not; sales see no message texts', async () => {
    const customer = await insertCustomer(t.db.db, { phone: '0733000222' });
    expect(await codeOf(t.caller(staff.technician).sms.setOptOut({ customerId: customer.id, optOut: true }))).toBe('FORBIDDEN');
    const after = await t.caller(staff.support).sms.setOptOut({ customerId: customer.id, optOut: true });
    expect(after).toMatchObject({ optOut: true, optOutByName: staff.support.name, messages: [] });
    // The same again writes nothing.
    await t.caller(staff.support).sms.setOptOut({ customerId: customer.id, optOut: true });
    const audits = await t.db.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'customer.sms_opt_out'), eq(auditLog.entityId, customer.id)));
    expect(audits).toHaveLength(1);
    expect(audits[0]?.changes).toEqual({ smsOptOut: { from: false, to: true } });
    expect((await t.caller(staff.sales).sms.customer({ customerId: customer.id })).messages).toBeNull();
    const back = await t.caller(staff.sales).sms.setOptOut({ customerId: customer.id, optOut: false });
    expect(back).toMatchObject({ optOut: false, optOutAt: null });
    const timeline = await t.caller(staff.manager).activities.listForCustomer({ id: customer.id });
    expect(timeline.items.map((a) => a.body)).toEqual(['Opted back in to SMS', 'Opted out of SMS: no automatic messages will be sent']);
    // SMS events are hidden from roles without sms.read (technicians).
    expect((await t.caller(staff.technician).activities.listForCustomer({ id: customer.id })).items).toEqual([]);
    expect(await codeOf(t.caller(staff.support).sms.customer({ customerId: crypto.randomUUID() }))).toBe('NOT_FOUND');
  });
});

describe('sending', () => {
  const sms = () => ({ paybill: '888555', timeoutMs: 1000 });
  const provider = () => createSmsProvider(t.config.sms, log);

  async function queued(phone = '0712000333', key = `test:${crypto.randomUUID()}`) {
    const customer = await insertCustomer(t.db.db, { name: 'Otieno', phone });
    const id = await t.db.db.transaction((tx) =>
      queueMessage(tx, systemActor('test'), { customerId: customer.id, templateKey: 'suspension', eventKey: key }),
    );
    if (!id) throw new Error('not queued');
    return { customer, id };
  }
  const row = async (id: string) => (await t.db.db.select().from(smsMessages).where(eq(smsMessages.id, id)))[0];

  it('queues once per event key, shows it on the timeline and sends it with +254 and the rendered template', async () => {
    const { customer, id } = await queued('0712000333', 'suspension:once');
    const again = await t.db.db.transaction((tx) =>
      queueMessage(tx, systemActor('test'), { customerId: customer.id, templateKey: 'suspension', eventKey: 'suspension:once' }),
    );
    expect(again).toBeNull();
    expect(await sendMessage(t.db.db, id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('sent');
    // Running the job again sends nothing more.
    expect(await sendMessage(t.db.db, id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('nothing-to-do');
    expect(at.accepted()).toEqual([
      {
        number: '+254712000333',
        from: 'NETFLOW',
        messageId: expect.stringMatching(/^ATXid_/) as string,
        message: expect.stringContaining('Dear Otieno') as string,
      },
    ]);
    expect(at.accepted()[0]?.message).toContain('paybill 888555');
    const sent = await row(id);
    expect(sent).toMatchObject({ status: 'sent', attempts: 1, cost: 'KES 0.8000', provider: 'africastalking', phone: '+254712000333' });
    const entries = await t.db.db
      .select()
      .from(activities)
      .where(and(eq(activities.customerId, customer.id), eq(activities.kind, 'sms')));
    expect(entries).toHaveLength(1);
    expect(entries[0]?.body).toMatch(/^Service suspended SMS sent to \+254712000333: "Dear Otieno/);
  });

  it('provider answering 500, then 201: one message delivered, none duplicated', async () => {
    const { id } = await queued();
    at.failNext('500');
    await expect(sendMessage(t.db.db, id, { provider: provider(), sms: sms(), lastAttempt: false, log })).rejects.toThrow(RetryLater);
    expect(await row(id)).toMatchObject({ status: 'queued', attempts: 1, lastError: 'HTTP 500: Internal Server Error' });
    expect(await sendMessage(t.db.db, id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('sent');
    expect(await sendMessage(t.db.db, id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('nothing-to-do');
    expect(at.received.map((r) => r.status)).toEqual([500, 201]);
    expect(at.accepted()).toHaveLength(1);
    expect(await row(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: null });
  });

  it('a timeout is not retried (it may have been delivered); the last retryable failure is recorded as failed', async () => {
    const first = await queued();
    at.failNext('timeout');
    expect(await sendMessage(t.db.db, first.id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('failed');
    expect(await row(first.id)).toMatchObject({
      status: 'failed',
      lastError: expect.stringMatching(/not retried, it may have been delivered/) as string,
    });
    const second = await queued();
    at.failNext('500');
    expect(await sendMessage(t.db.db, second.id, { provider: provider(), sms: sms(), lastAttempt: true, log })).toBe('failed');
    const failed = await row(second.id);
    expect(failed).toMatchObject({ status: 'failed', lastError: 'HTTP 500: Internal Server Error' });
    const [entry] = await t.db.db
      .select()
      .from(activities)
      .where(and(eq(activities.customerId, second.customer.id), eq(activities.kind, 'sms')));
    expect(entry?.body).toMatch(/failed \(HTTP 500: Internal Server Error\)/);
  });

  it('opted-out customers and unusable phones get skipped messages, visible, never sent', async () => {
    const optedOut = await insertCustomer(t.db.db, { phone: '0712000444', smsOptOut: true });
    const id = await t.db.db.transaction((tx) =>
      queueMessage(tx, systemActor('test'), {
        customerId: optedOut.id,
        templateKey: 'receipt',
        eventKey: `receipt:${crypto.randomUUID()}`,
      }),
    );
    expect(await row(id ?? '')).toMatchObject({ status: 'skipped', lastError: 'the customer opted out of SMS' });
    // Opting out after queueing still stops the send.
    const later = await queued();
    await t.db.db.update(customers).set({ smsOptOut: true }).where(eq(customers.id, later.customer.id));
    expect(await sendMessage(t.db.db, later.id, { provider: provider(), sms: sms(), lastAttempt: false, log })).toBe('skipped');
    const landline = await queued('0202000000');
    expect(await row(landline.id)).toMatchObject({ status: 'skipped', phone: null });
    expect(at.received).toEqual([]);
    const panel = await t.caller(staff.finance).sms.customer({ customerId: optedOut.id });
    expect(panel.messages?.map((m) => m.status)).toEqual(['skipped']);
  });
});

describe('delivery reports', () => {
  const hook = (token: string, form: Record<string, string>) =>
    t.app.inject({
      method: 'POST',
      url: `/api/hooks/sms/${token}/delivery`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(form).toString(),
    });

  it('a wrong token answers like an unknown path; an unknown message id answers 200 and records nothing', async () => {
    const unknownPath = await t.app.inject({ method: 'POST', url: '/api/hooks/nothing-here', payload: {} });
    const wrong = await hook('wrong-token-0123456789', { id: 'ATXid_x', status: 'Success' });
    expect(wrong.statusCode).toBe(404);
    expect(wrong.json()).toEqual(unknownPath.json());
    const before = await t.db.db.select().from(smsMessages);
    const unknown = await hook(CALLBACK, { id: 'ATXid_unknown', status: 'Success', phoneNumber: '+254712000999' });
    expect(unknown.statusCode).toBe(200);
    expect(await t.db.db.select().from(smsMessages)).toEqual(before);
    expect((await hook(CALLBACK, { id: 'ATXid_unknown', status: 'Bogus' })).statusCode).toBe(400);
    // Form bodies stay refused everywhere else.
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'identifier=a&password=b',
    });
    expect(login.statusCode).toBe(415);
  });

  it('moves a sent message to delivered (or failed with the reason), updating its one timeline entry', async () => {
    const customer = await insertCustomer(t.db.db, { name: 'Akinyi', phone: '0712000555' });
    const ids: string[] = [];
    for (const key of ['a', 'b']) {
      const id = await t.db.db.transaction((tx) =>
        queueMessage(tx, systemActor('test'), {
          customerId: customer.id,
          templateKey: 'restoration',
          eventKey: `restoration:${key}:${customer.id}`,
        }),
      );
      ids.push(id ?? '');
      await sendMessage(t.db.db, id ?? '', {
        provider: createSmsProvider(t.config.sms, log),
        sms: { paybill: undefined, timeoutMs: 1000 },
        lastAttempt: false,
        log,
      });
    }
    const [first, second] = at.accepted();
    expect(
      (await hook(CALLBACK, { id: first?.messageId ?? '', status: 'Buffered', phoneNumber: '+254712000555', networkCode: '63902' }))
        .statusCode,
    ).toBe(200);
    expect(
      (await hook(CALLBACK, { id: first?.messageId ?? '', status: 'Success', phoneNumber: '+254712000555', networkCode: '63902' }))
        .statusCode,
    ).toBe(200);
    expect(
      (
        await hook(CALLBACK, {
          id: second?.messageId ?? '',
          status: 'Failed',
          phoneNumber: '+254712000555',
          failureReason: 'AbsentSubscriber',
        })
      ).statusCode,
    ).toBe(200);
    // A late intermediate report does not undo "delivered".
    await hook(CALLBACK, { id: first?.messageId ?? '', status: 'Sent', phoneNumber: '+254712000555' });
    const rows = await t.db.db.select().from(smsMessages).where(eq(smsMessages.customerId, customer.id));
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(byId.get(ids[0] ?? '')).toMatchObject({ status: 'delivered', deliveryStatus: 'Success' });
    expect(byId.get(ids[1] ?? '')).toMatchObject({ status: 'failed', deliveryStatus: 'Failed', failureReason: 'AbsentSubscriber' });
    const entries = await t.db.db
      .select()
      .from(activities)
      .where(and(eq(activities.customerId, customer.id), eq(activities.kind, 'sms')));
    expect(entries).toHaveLength(2);
    expect(entries.map((e) => e.body).sort()).toEqual([
      expect.stringMatching(/^Service restored SMS delivered to \+254712000555: "Dear Akinyi/) as string,
      expect.stringMatching(/^Service restored SMS to \+254712000555 failed \(AbsentSubscriber\)/) as string,
    ]);
  });

  it('the stand-in posts a real delivery report to a listening server', async () => {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const res = await at.postDeliveryReport(`http://127.0.0.1:${port}/api/hooks/sms/${CALLBACK}/delivery`, {
      id: 'ATXid_none',
      status: 'Success',
      phoneNumber: '+254712000999',
    });
    expect(res.status).toBe(200);
  });
});
