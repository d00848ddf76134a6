/**
 * The Daraja client against the stand-in: the shared OAuth token (one fetch for many calls, across
 * instances; refreshed when expired or refused), failures (HTTP 500, timeout, wrong credentials),
 * C2B URL registration (function and CLI), Daraja's time and amount formats, and the statement
 * reconciliation (function and CLI). Both engines; the Redis store when Redis answers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createDatabase, mpesaOauthTokens, payments } from '@netflow/db';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { startDarajaStandin, type DarajaStandin } from '../../standins/daraja';
import { insertCustomer } from '../../test/fixtures';
import { createHarness, TEST_AUDIT_KEY, TEST_ENCRYPTION_KEY, TEST_SECRET, testConfig, type Harness } from '../../test/harness';
import { createDarajaClient, DarajaError, type DarajaSettings } from './daraja';
import { formatReport, parseStatement, reconcile } from './reconcile';
import { registerC2BUrls } from './register';
import { postgresTokenStore, redisTokenStore } from './token-store';
import { darajaTimestamp, kesToCents, parseDarajaTime } from './time';

let daraja: DarajaStandin;
let h: Harness;
let settings: DarajaSettings;
const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

beforeAll(async () => {
  daraja = await startDarajaStandin();
  h = await createHarness();
  settings = { baseUrl: daraja.url, ...daraja.credentials, timeoutMs: 2_000 };
});
afterAll(async () => {
  await h?.close();
  await daraja?.close();
});

const oauthCalls = () => daraja.requestsTo('/oauth/').length;
const pushRequest = (n: number) => ({
  phone: '254712345678',
  amountKes: n,
  accountReference: 'NF-000001',
  description: 'Internet',
  callbackUrl: 'https://crm.example/api/hooks/stk/x/result',
});
let storeCounter = 0;
/** A store of its own per test, so tests do not share a token. */
const freshStore = () => {
  storeCounter += 1;
  return postgresTokenStore(h.db.db, `test-${storeCounter}-${Date.now()}`);
};

describe('OAuth token', () => {
  it('is fetched once for several calls and shared by another instance through the store', async () => {
    const store = freshStore();
    const before = oauthCalls();
    const a = createDarajaClient(settings, store);
    for (const n of [1, 2, 3]) expect((await a.stkPush(pushRequest(n))).ResponseCode).toBe('0');
    expect(oauthCalls() - before).toBe(1);
    const auth = daraja.requestsTo('/oauth/').at(-1);
    expect(auth?.path).toBe('/oauth/v1/generate?grant_type=client_credentials');
    expect(auth?.method).toBe('GET');
    expect(auth?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${settings.consumerKey}:${settings.consumerSecret}`).toString('base64')}`,
    );
    // A second instance (its own client, same store) uses the same token.
    const b = createDarajaClient(settings, store);
    await b.stkPush(pushRequest(4));
    expect(oauthCalls() - before).toBe(1);
  });

  it('is kept sealed at rest', async () => {
    const key = `sealed-${Date.now()}`;
    const client = createDarajaClient(settings, postgresTokenStore(h.db.db, key));
    const token = await client.accessToken();
    const rows = await h.db.db.select().from(mpesaOauthTokens);
    const row = rows.find((r) => r.key === key);
    expect(row?.sealedToken).toMatch(/^v1\./);
    expect(row?.sealedToken).not.toContain(token);
    expect(row?.expiresAt && row.expiresAt.getTime() - Date.now()).toBeGreaterThan(3_500_000);
  });

  it('is refreshed when it is about to expire, and concurrent refreshes fetch one token', async () => {
    const key = `expiring-${Date.now()}`;
    const store = postgresTokenStore(h.db.db, key);
    await createDarajaClient(settings, store).accessToken();
    await h.db.db.update(mpesaOauthTokens).set({ expiresAt: new Date(Date.now() + 30_000) });
    const before = oauthCalls();
    const clients = [1, 2, 3].map(() => createDarajaClient(settings, store));
    const tokens = await Promise.all(clients.map((c) => c.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(oauthCalls() - before).toBe(1);
    expect(tokens[0]).toBe(daraja.tokens.at(-1));
  });

  it('a refused token (another party took a new one) is refreshed once and the call retried', async () => {
    const client = createDarajaClient(settings, freshStore());
    await client.stkPush(pushRequest(1));
    daraja.issueTokenElsewhere();
    const before = oauthCalls();
    const pushesBefore = daraja.requestsTo('/mpesa/stkpush/').length;
    expect((await client.stkPush(pushRequest(2))).ResponseCode).toBe('0');
    expect(oauthCalls() - before).toBe(1);
    expect(daraja.requestsTo('/mpesa/stkpush/').length - pushesBefore).toBe(2);
  });

  it('an instance whose cached token was replaced by another instance picks up the new one without fetching', async () => {
    const store = freshStore();
    const a = createDarajaClient(settings, store);
    const b = createDarajaClient(settings, store);
    await a.stkPush(pushRequest(1));
    // b refreshes (as if a's token were refused), invalidating a's cached token at Daraja.
    await store.refresh(await a.accessToken(), async () => {
      const res = await fetch(`${daraja.url}/oauth/v1/generate?grant_type=client_credentials`, {
        headers: { authorization: `Basic ${Buffer.from(`${settings.consumerKey}:${settings.consumerSecret}`).toString('base64')}` },
      });
      const body = (await res.json()) as { access_token: string };
      return { token: body.access_token, expiresAt: new Date(Date.now() + 3_599_000) };
    });
    const before = oauthCalls();
    expect((await a.stkPush(pushRequest(2))).ResponseCode).toBe('0');
    expect(oauthCalls() - before).toBe(0);
    expect(await b.accessToken()).toBe(await a.accessToken());
  });

  it('wrong credentials are named as such', async () => {
    const client = createDarajaClient({ ...settings, consumerSecret: 'wrong' }, freshStore());
    const error = await client.stkPush(pushRequest(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DarajaError);
    expect(error).toMatchObject({ kind: 'credentials', message: expect.stringMatching(/MPESA_CONSUMER_KEY/) });
    daraja.failNext('wrong-credentials', { pathPrefix: '/oauth/' });
    await expect(createDarajaClient(settings, freshStore()).accessToken()).rejects.toMatchObject({ kind: 'credentials' });
  });
});

describe('failures', () => {
  it('HTTP 500 and a Daraja that never answers become DarajaErrors, within the timeout', async () => {
    const client = createDarajaClient({ ...settings, timeoutMs: 400 }, freshStore());
    await client.accessToken();
    daraja.failNext('http500', { pathPrefix: '/mpesa/stkpush/' });
    await expect(client.stkPush(pushRequest(1))).rejects.toMatchObject({ kind: 'server', status: 500 });
    daraja.failNext('timeout', { pathPrefix: '/mpesa/stkpush/' });
    const started = Date.now();
    await expect(client.stkPush(pushRequest(1))).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(10_000);
    // And it works again afterwards.
    expect((await client.stkPush(pushRequest(1))).ResponseCode).toBe('0');
  });

  it('Daraja’s validation errors come back as its message', async () => {
    const client = createDarajaClient({ ...settings, passkey: 'not-the-passkey' }, freshStore());
    await expect(client.stkPush(pushRequest(1))).rejects.toMatchObject({
      kind: 'rejected',
      message: 'M-Pesa refused the request: Bad Request - Invalid Password',
    });
  });
});

describe('the Redis token store', async () => {
  const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500 });
  probe.on('error', () => {});
  const available = await probe.connect().then(
    () => true,
    () => false,
  );
  afterAll(() => probe.disconnect());

  it.skipIf(!available)('shares one token between instances and refreshes it under a lock', async () => {
    const key = `test-${Date.now()}`;
    const prefix = 'netflow-test:';
    const before = oauthCalls();
    const clients = [1, 2, 3].map(() => createDarajaClient(settings, redisTokenStore(probe, prefix, key)));
    const tokens = await Promise.all(clients.map((c) => c.accessToken()));
    expect(new Set(tokens).size).toBe(1);
    expect(oauthCalls() - before).toBe(1);
    const stored = await probe.get(`${prefix}mpesa:oauth:${key}`);
    expect(stored).not.toContain(tokens[0]);
    expect(await probe.pttl(`${prefix}mpesa:oauth:${key}`)).toBeGreaterThan(3_000_000);
    daraja.issueTokenElsewhere();
    expect((await clients[0]?.stkPush(pushRequest(1)))?.ResponseCode).toBe('0');
    expect(oauthCalls() - before).toBe(2);
    // Another instance still holds the refused token: Daraja refuses it, and it takes the shared new one.
    expect((await clients[1]?.stkPush(pushRequest(2)))?.ResponseCode).toBe('0');
    expect(oauthCalls() - before).toBe(2);
    expect(await clients[1]?.accessToken()).toBe(await clients[0]?.accessToken());
    await probe.del(`${prefix}mpesa:oauth:${key}`);
  });
});

describe('C2B URL registration', () => {
  it('registers the confirmation and validation URLs under the token, avoiding words Daraja refuses', async () => {
    const config = testConfig({
      MPESA_BASE_URL: daraja.url,
      MPESA_CONSUMER_KEY: settings.consumerKey,
      MPESA_CONSUMER_SECRET: settings.consumerSecret,
      MPESA_SHORTCODE: settings.shortcode,
      MPESA_PASSKEY: settings.passkey,
      MPESA_CALLBACK_TOKEN: 'a'.repeat(40),
      MPESA_PUBLIC_URL: 'https://crm.isp.co.ke/',
    });
    const result = await registerC2BUrls(config, h.db.db);
    expect(daraja.registered).toEqual({
      confirmationUrl: `https://crm.isp.co.ke/api/hooks/c2b/${'a'.repeat(40)}/confirmation`,
      validationUrl: `https://crm.isp.co.ke/api/hooks/c2b/${'a'.repeat(40)}/validation`,
      responseType: 'Completed',
    });
    expect(result.answer).toMatchObject({ ResponseCode: '0' });
    expect(daraja.requestsTo('/mpesa/c2b/v1/registerurl').at(-1)?.body).toMatchObject({
      ShortCode: settings.shortcode,
      ResponseType: 'Completed',
    });
  });

  it('the stand-in refuses URLs Daraja refuses', async () => {
    const config = testConfig({
      MPESA_BASE_URL: daraja.url,
      MPESA_CONSUMER_KEY: settings.consumerKey,
      MPESA_CONSUMER_SECRET: settings.consumerSecret,
      MPESA_SHORTCODE: settings.shortcode,
      MPESA_PASSKEY: settings.passkey,
      MPESA_CALLBACK_TOKEN: 'b'.repeat(40),
      MPESA_PUBLIC_URL: 'https://mpesa.isp.co.ke',
    });
    await expect(registerC2BUrls(config, h.db.db)).rejects.toMatchObject({
      kind: 'rejected',
      message: expect.stringMatching(/Invalid ConfirmationURL/),
    });
  });
});

describe('Daraja formats', () => {
  it('reads TransTime as Nairobi time and writes Timestamps in it', () => {
    expect(parseDarajaTime('20261130000001')?.toISOString()).toBe('2026-11-29T21:00:01.000Z');
    expect(parseDarajaTime(20191219102115)?.toISOString()).toBe('2019-12-19T07:21:15.000Z');
    expect(parseDarajaTime('20260231120000')).toBeNull();
    expect(parseDarajaTime('2026113012000')).toBeNull();
    expect(darajaTimestamp(new Date('2026-11-29T21:00:01Z'))).toBe('20261130000001');
  });

  it('turns amounts into cents exactly', () => {
    expect(kesToCents('2500.00')).toBe(250_000);
    expect(kesToCents('2500')).toBe(250_000);
    expect(kesToCents('0.1')).toBe(10);
    expect(kesToCents('19.99')).toBe(1_999);
    expect(kesToCents('1,000.00')).toBeNull();
    expect(kesToCents('-5')).toBeNull();
  });

  it('config: M-Pesa half configured is refused, production needs https', () => {
    const base = {
      NODE_ENV: 'test',
      JWT_SECRET: TEST_SECRET,
      AUDIT_KEY: TEST_AUDIT_KEY,
      APP_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      DATA_DIR: tmpdir(),
    };
    expect(loadConfig(base).mpesa).toBeUndefined();
    expect(() => loadConfig({ ...base, MPESA_CONSUMER_KEY: 'k' })).toThrow(/half configured: set MPESA_CONSUMER_SECRET/);
    const full = {
      ...base,
      MPESA_CONSUMER_KEY: 'k',
      MPESA_CONSUMER_SECRET: 's',
      MPESA_SHORTCODE: '600000',
      MPESA_PASSKEY: 'p',
      MPESA_CALLBACK_TOKEN: 'c'.repeat(32),
      MPESA_PUBLIC_URL: 'http://crm.local',
    };
    expect(loadConfig(full).mpesa).toMatchObject({ baseUrl: 'https://sandbox.safaricom.co.ke', validation: 'off', allowedIps: [] });
    expect(loadConfig({ ...full, MPESA_ENVIRONMENT: 'production' }).mpesa?.baseUrl).toBe('https://api.safaricom.co.ke');
    expect(() => loadConfig({ ...full, MPESA_CALLBACK_TOKEN: 'short' })).toThrow(/MPESA_CALLBACK_TOKEN/);
    expect(() => loadConfig({ ...full, MPESA_ALLOWED_IPS: '196.201.214.0/33' })).toThrow(/MPESA_ALLOWED_IPS/);
    expect(() =>
      loadConfig({
        ...full,
        NODE_ENV: 'production',
        SMS_PROVIDER: 'log',
        JWT_SECRET: 'j'.repeat(40),
        AUDIT_KEY: 'a'.repeat(40),
        APP_ENCRYPTION_KEY: 'e'.repeat(40),
      }),
    ).toThrow(/https/);
    expect(() =>
      loadConfig({
        ...base,
        STANDINS: 'on',
        NODE_ENV: 'production',
        JWT_SECRET: 'j'.repeat(40),
        AUDIT_KEY: 'a'.repeat(40),
        APP_ENCRYPTION_KEY: 'e'.repeat(40),
      }),
    ).toThrow(/STANDINS/);
  });
});

const STATEMENT_HEADER = [
  '"Account Holder:","NETFLOW ISP LTD"',
  '"Short Code:","600000"',
  '"Time Period:","From 01-11-2026 To 30-11-2026"',
  '',
  '"Receipt No.","Completion Time","Initiation Time","Details","Transaction Status","Paid In","Withdrawn","Balance","Balance Confirmed","Reason Type","Other Party Info","Linked Transaction ID","A/C No."',
].join('\n');
const line = (receipt: string, time: string, paidIn: string, account: string, status = 'Completed') =>
  `"${receipt}","${time}","${time}","Pay Bill from 2547****126 - JOHN DOE Acc. ${account}","${status}","${paidIn}","","100,000.00","true","Pay Bill Online","2547****126 - JOHN DOE","","${account}"`;

describe('reconciliation', () => {
  it('lists receipts without a payment, differing amounts and accounts, and payments missing from the statement', async () => {
    const customer = await insertCustomer(h.db.db);
    const at = (iso: string) => new Date(iso);
    const tag = Date.now().toString(36).toUpperCase().slice(-4);
    const [ok, amount, account, absent, outside] = ['OK', 'AM', 'AC', 'AB', 'OU'].map((p) => `R${p}${tag}X1`) as [
      string,
      string,
      string,
      string,
      string,
    ];
    await h.db.db.insert(payments).values([
      {
        method: 'mpesa',
        reference: ok,
        amountCents: 250_000,
        accountReference: customer.accountNumber,
        customerId: customer.id,
        status: 'applied',
        paidAt: at('2026-11-10T08:00:00Z'),
      },
      {
        method: 'mpesa',
        reference: amount,
        amountCents: 100_000,
        accountReference: customer.accountNumber,
        customerId: customer.id,
        status: 'applied',
        paidAt: at('2026-11-11T08:00:00Z'),
      },
      {
        method: 'mpesa',
        reference: account,
        amountCents: 50_000,
        accountReference: 'NF-000777',
        status: 'unmatched',
        paidAt: at('2026-11-12T08:00:00Z'),
      },
      {
        method: 'mpesa',
        reference: absent,
        amountCents: 70_000,
        accountReference: customer.accountNumber,
        customerId: customer.id,
        status: 'applied',
        paidAt: at('2026-11-13T08:00:00Z'),
      },
      // Paid on 1 December at 01:00 Nairobi time: outside November.
      { method: 'mpesa', reference: outside, amountCents: 70_000, status: 'unmatched', paidAt: at('2026-11-30T22:00:00Z') },
      { method: 'cash', reference: `CASH${tag}`, amountCents: 70_000, status: 'unmatched', paidAt: at('2026-11-13T08:00:00Z') },
    ]);
    const missing = `RMI${tag}X1`;
    const csv = [
      STATEMENT_HEADER,
      line(ok, '2026-11-10 11:00:00', '2,500.00', customer.accountNumber.toLowerCase()),
      line(amount, '2026-11-11 11:00:00', '1,500.00', customer.accountNumber),
      line(account, '2026-11-12 11:00:00', '500.00', 'NF-000778'),
      line(missing, '2026-11-14 09:15:00', '3,000.00', 'NF-000123'),
      line(`RFA${tag}X1`, '2026-11-15 09:15:00', '3,000.00', 'NF-000123', 'Failed'),
      line(outside, '2026-12-01 01:00:00', '700.00', ''),
    ].join('\r\n');
    const rows = parseStatement(csv);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toMatchObject({ receipt: ok, paidInCents: 250_000, completedAt: at('2026-11-10T08:00:00Z') });
    const report = await reconcile(h.db.db, { from: '2026-11-01', to: '2026-11-30', rows });
    const kinds = report.differences.map((d) => [d.kind, 'receipt' in d ? d.receipt : d.reference]);
    expect(kinds).toEqual(
      expect.arrayContaining([
        ['missing', missing],
        ['amount', amount],
        ['account', account],
        ['not-in-statement', absent],
      ]),
    );
    expect(kinds.filter(([, r]) => r === ok || r === outside || r === `RFA${tag}X1`)).toEqual([]);
    expect(report.matched).toBe(1);
    expect(formatReport(report).find((l) => l.startsWith('MISSING') && l.includes(missing))).toContain('KES 3,000.00');
  });

  it('refuses a file that is not a statement, naming the line', () => {
    expect(() => parseStatement('a,b\n1,2')).toThrow(/no header row starting with "Receipt No."/);
    expect(() => parseStatement(`${STATEMENT_HEADER}\n${line('RX1', 'yesterday', '1.00', '')}`)).toThrow(/line 6: "Completion Time"/);
    expect(() => parseStatement(`${STATEMENT_HEADER}\n${line('RX1', '2026-11-10 10:00:00', 'ten', '')}`)).toThrow(/line 6: "Paid In"/);
  });

  it('pnpm mpesa:reconcile and mpesa:register-urls: exit codes and output', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'netflow-mpesa-cli-'));
    try {
      const dataDir = path.join(work, 'data');
      const handle = await createDatabase({ dataDir: path.join(dataDir, 'pglite') });
      await handle.migrate();
      await handle.db.insert(payments).values({
        method: 'mpesa',
        reference: 'RCLI000001',
        amountCents: 100_000,
        accountReference: 'NF-000001',
        status: 'unmatched',
        paidAt: new Date('2026-11-10T08:00:00Z'),
      });
      await handle.close();
      writeFileSync(
        path.join(work, 'same.csv'),
        `${STATEMENT_HEADER}\n${line('RCLI000001', '2026-11-10 11:00:00', '1,000.00', 'NF-000001')}\n`,
      );
      writeFileSync(
        path.join(work, 'differs.csv'),
        `${STATEMENT_HEADER}\n${line('RCLI000002', '2026-11-10 11:00:00', '1,000.00', 'NF-000001')}\n`,
      );
      const env = {
        ...process.env,
        NODE_ENV: 'test',
        DATA_DIR: dataDir,
        JWT_SECRET: TEST_SECRET,
        AUDIT_KEY: TEST_AUDIT_KEY,
        APP_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        INIT_CWD: work,
        DATABASE_URL: '',
        REDIS_URL: '',
        MPESA_BASE_URL: daraja.url,
        MPESA_CONSUMER_KEY: settings.consumerKey,
        MPESA_CONSUMER_SECRET: settings.consumerSecret,
        MPESA_SHORTCODE: settings.shortcode,
        MPESA_PASSKEY: settings.passkey,
        MPESA_CALLBACK_TOKEN: 'z'.repeat(40),
        MPESA_PUBLIC_URL: 'https://crm.isp.co.ke',
      };
      const run = (script: string, args: string[]) =>
        promisify(execFile)(process.execPath, ['--import', 'tsx', `src/cli/${script}`, ...args], { cwd: apiRoot, env }).then(
          (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
          (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
        );
      const same = await run('mpesa-reconcile.ts', ['--from', '2026-11-01', '--to', '2026-11-30', '--file', 'same.csv']);
      expect(same).toMatchObject({ code: 0, stdout: expect.stringMatching(/1 matched, 0 differences/) });
      const differs = await run('mpesa-reconcile.ts', ['--from=2026-11-01', '--to=2026-11-30', '--file=differs.csv']);
      expect(differs.code).toBe(1);
      expect(differs.stdout).toMatch(/MISSING +RCLI000002/);
      expect(differs.stdout).toMatch(/NOT ON STATEMENT RCLI000001/);
      expect((await run('mpesa-reconcile.ts', ['--from', '2026-11-01', '--file', 'same.csv'])).code).toBe(2);
      expect((await run('mpesa-reconcile.ts', ['--from', '2026-11-01', '--to', '2026-11-30', '--file', 'nope.csv'])).code).toBe(2);

      const registered = await run('mpesa-register-urls.ts', ['--response-type', 'Cancelled']);
      expect(registered).toMatchObject({
        code: 0,
        stdout: expect.stringMatching(/confirmation https:\/\/crm\.isp\.co\.ke\/api\/hooks\/c2b\/zzzz…\/confirmation/),
      });
      expect(registered.stdout).not.toContain('z'.repeat(40));
      expect(daraja.registered).toMatchObject({
        responseType: 'Cancelled',
        validationUrl: `https://crm.isp.co.ke/api/hooks/c2b/${'z'.repeat(40)}/validation`,
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 180_000);
});
