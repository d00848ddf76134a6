/**
 * GET /metrics through the real app: hidden without METRICS_TOKEN, refused without the right
 * bearer token, and a scrape whose histogram is labelled by route templates and procedure names
 * (never a raw id), whose security counters move on a failed sign-in, a lockout and a 429, and
 * whose business gauges come from the database (the job queue and provisioning only once their
 * tables exist).
 */
import { randomUUID } from 'node:crypto';
import { payments, subscriptions } from '@netflow/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer, insertPlan, insertSubscription } from '../test/fixtures';
import { createTestApp, TEST_PASSWORD } from '../test/harness';
import { bearerMatches } from './metrics';
import { z } from 'zod';
import { defineJob, enqueue } from '../modules/jobs';

const metricsTestJob = defineJob({ name: 'sms', schema: z.object({ n: z.number() }), run: async () => {} });

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const TOKEN = 'metrics-token-for-tests-0123456789';
const scrapeHeaders = { authorization: `Bearer ${TOKEN}` };
/** Scrapes come from the monitoring host's address, apart from the traffic under test. */
const MONITOR = '192.0.2.200';

async function scrape(t: TestApp): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders, remoteAddress: MONITOR });
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** The value of one sample (`name{labels} value`), 0 when the series is absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split('\n')) {
    if (line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const brace = series.indexOf('{');
    if ((brace < 0 ? series : series.slice(0, brace)) !== name) continue;
    const present = Object.fromEntries([...series.slice(brace + 1).matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]]));
    if (Object.entries(labels).every(([k, v]) => present[k] === v)) return Number(line.slice(space + 1));
  }
  return 0;
}

describe('GET /metrics without METRICS_TOKEN', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => t.close());

  it('does not exist: the same 404 as any unknown path', async () => {
    const metrics = await t.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders });
    const unknown = await t.app.inject({ method: 'GET', url: '/no-such-page' });
    expect(metrics.statusCode).toBe(404);
    expect(metrics.body).toBe(unknown.body);
    expect(metrics.json()).toEqual({ error: 'Not found' });
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  let token: string;
  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN, LOGIN_LOCKOUT_THRESHOLD: '3', RATE_LIMIT_AUTH_PER_MINUTE: '5' });
    token = await t.tokenFor(await t.createUser({ role: 'admin' }));
  });
  afterAll(async () => t.close());

  it('answers only the right bearer token (401 otherwise)', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token-of-some-length', `Basic ${TOKEN}`, `Bearer ${TOKEN}x`, TOKEN]) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(401);
      expect(res.body).not.toContain('netflow_');
    }
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: scrapeHeaders });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(res.body).toContain('# TYPE netflow_http_request_duration_seconds histogram');
    expect(res.body).toContain('netflow_process_cpu_seconds_total');
    expect(bearerMatches(`bearer ${TOKEN}`, TOKEN)).toBe(true);
    expect(bearerMatches(undefined, TOKEN)).toBe(false);
  });

  it('labels requests by route template or procedure, never by raw URL', async () => {
    const id = randomUUID();
    const auth = { authorization: `Bearer ${token}` };
    // The registry is the process's: other test files in this worker count too, so compare deltas.
    // Summed over every series of the route (a route can answer several statuses).
    const countIn = (body: string, route: string, status?: string) =>
      body
        .split('\n')
        .filter((l) => l.startsWith('netflow_http_request_duration_seconds_count{') && l.includes(`route="${route}"`))
        .filter((l) => l.includes('method="GET"') && (!status || l.includes(`status="${status}"`)))
        .reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
    const before = await scrape(t);
    expect((await t.app.inject({ method: 'GET', url: `/api/leads/${id}`, headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/v1/leads/${id}?x=${id}`, headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/api/no-such/${id}`, headers: auth })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'GET', url: `/elsewhere/${id}.js` })).statusCode).toBe(404);
    const batch = await t.app.inject({
      method: 'GET',
      url: `/trpc/leads.list,customers.list,nope${id.slice(0, 8)}?batch=1&input=${encodeURIComponent('{"0":{},"1":{},"2":{}}')}`,
      headers: auth,
    });
    expect(batch.statusCode).toBeGreaterThanOrEqual(200);
    expect((await t.app.inject({ method: 'GET', url: '/api/health' })).statusCode).toBe(200);

    const text = await scrape(t);
    expect(text).not.toContain(id);
    expect(text).not.toContain(id.slice(0, 8));
    const count = (route: string, status?: string) => countIn(text, route, status) - countIn(before, route, status);
    expect(count('/api/leads/:id', '404')).toBe(1);
    expect(count('/api/v1/leads/:id', '404')).toBe(1);
    expect(count('/api/health', '200')).toBeGreaterThanOrEqual(1);
    expect(count('leads.list')).toBe(1);
    expect(count('customers.list')).toBe(1);
    expect(count('unmatched')).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(
      /netflow_http_request_duration_seconds_bucket\{le="\+Inf",method="GET",route="\/api\/leads\/:id",status="404"\} \d+/,
    );
    for (const line of text.split('\n').filter((l) => l.startsWith('netflow_http_request_duration_seconds_count'))) {
      const route = /route="([^"]*)"/.exec(line)?.[1] ?? '';
      expect(route, line).toMatch(/^(unmatched|\/[\w/:.*-]*|[a-zA-Z]+\.[\w.]+)$/);
    }
  });

  it('counts failed sign-ins, lockouts and successes', async () => {
    const user = await t.createUser({ role: 'sales' });
    const before = await scrape(t);
    const login = (password: string, remoteAddress = '198.51.100.7') =>
      t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier: user.email, password }, remoteAddress });
    for (let i = 0; i < 3; i += 1) expect((await login('Wrong-password-123')).statusCode).toBe(401);
    expect((await login(TEST_PASSWORD, '203.0.113.9')).statusCode).toBe(200);
    const after = await scrape(t);
    const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('netflow_auth_sign_ins_total', { result: 'failure', reason: 'wrong_password' })).toBe(3);
    expect(delta('netflow_auth_sign_ins_total', { result: 'success' })).toBe(1);
    expect(delta('netflow_auth_lockouts_total')).toBe(1);
    // The locked network is refused without a password check, and counted as such.
    expect((await login(TEST_PASSWORD)).statusCode).toBe(401);
    expect(sample(await scrape(t), 'netflow_auth_sign_ins_total', { result: 'failure', reason: 'locked' })).toBeGreaterThanOrEqual(1);
  });

  it('counts 429s by limit', async () => {
    const before = sample(await scrape(t), 'netflow_rate_limit_refusals_total', { limit: 'auth' });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { identifier: 'nobody@example.test', password: 'whatever-123' },
        remoteAddress: '198.51.100.99',
      });
      statuses.push(res.statusCode);
    }
    expect(statuses.at(-1)).toBe(429);
    const refused = statuses.filter((s) => s === 429).length;
    expect(sample(await scrape(t), 'netflow_rate_limit_refusals_total', { limit: 'auth' }) - before).toBe(refused);
  });

  it('counts refusals by the global per-client limit', async () => {
    const limited = await createTestApp({ METRICS_TOKEN: TOKEN, RATE_LIMIT_GLOBAL_PER_MINUTE: '3' });
    try {
      const before = sample(await scrape(limited), 'netflow_rate_limit_refusals_total', { limit: 'global' });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) {
        statuses.push((await limited.app.inject({ method: 'GET', url: '/api/health/status', remoteAddress: '198.51.100.50' })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const after = sample(await scrape(limited), 'netflow_rate_limit_refusals_total', { limit: 'global' });
      expect(after - before).toBe(2);
    } finally {
      await limited.close();
    }
  });

  it('reports payments, jobs and failed provisioning from the database at every scrape', async () => {
    await t.db.db.insert(payments).values([
      { method: 'mpesa', reference: 'MX1', amountCents: 100_00, status: 'unmatched' },
      { method: 'mpesa', reference: 'MX2', amountCents: 200_00, status: 'unmatched' },
      { method: 'cash', reference: 'C1', amountCents: 300_00, status: 'reversed' },
    ]);
    let text = await scrape(t);
    expect(sample(text, 'netflow_business_metrics_up')).toBe(1);
    expect(sample(text, 'netflow_payments', { status: 'unmatched', method: 'mpesa' })).toBe(2);
    expect(sample(text, 'netflow_payments', { status: 'reversed', method: 'cash' })).toBe(1);
    expect(text).toContain('netflow_db_pool_max_connections{engine="');

    // What the job queue (pg-boss) and provisioning hold, read afresh at each scrape.
    const other = await createTestApp({ METRICS_TOKEN: TOKEN });
    try {
      const db = other.db.db;
      expect(await scrape(other)).not.toMatch(/^netflow_jobs\{/m);
      // Real queue rows (pg-boss's tables come with the migrations): three jobs, one of them failed.
      for (const n of [1, 2, 3]) await enqueue(db, metricsTestJob, { n });
      await db.execute(
        sql`update pgboss.job set state = 'failed' where id = (select id from pgboss.job where name = 'sms' order by id limit 1)`,
      );
      const customer = await insertCustomer(db);
      const plan = await insertPlan(db);
      const sub = await insertSubscription(db, { customerId: customer.id, planId: plan.id });
      await db.execute(sql`update ${subscriptions} set provisioning_state = 'failed' where id = ${sub.id}`);
      text = await scrape(other);
      expect(sample(text, 'netflow_jobs', { queue: 'sms', state: 'failed' })).toBe(1);
      expect(sample(text, 'netflow_jobs', { queue: 'sms', state: 'created' })).toBe(2);
      expect(sample(text, 'netflow_subscriptions_provisioning_failed')).toBe(1);
    } finally {
      await other.close();
    }
  });

  it('counts database errors, and says when the business gauges could not be read', async () => {
    const broken = await createTestApp({ METRICS_TOKEN: TOKEN });
    const adminToken = await broken.tokenFor(await broken.createUser({ role: 'admin' }));
    const before = await scrape(broken);
    const dbErrors = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('netflow_db_errors_total{'))
        .reduce((sum, l) => sum + Number(l.split(' ').at(-1)), 0);
    await broken.db.close();
    try {
      const res = await broken.app.inject({ method: 'GET', url: '/api/leads', headers: { authorization: `Bearer ${adminToken}` } });
      expect(res.statusCode).toBe(500);
      const after = await scrape(broken);
      expect(dbErrors(after) - dbErrors(before)).toBeGreaterThanOrEqual(1);
      expect(sample(after, 'netflow_business_metrics_up')).toBe(0);
    } finally {
      await broken.app.close();
      await broken.close().catch(() => undefined);
    }
  });
});
