/**
 * Whom the limits count, where their counters live and what happens when that place fails:
 * - per client: a signed-in request spends its user's budget, anything else its address's, so one
 *   office behind one NAT address is never refused for normal work; CSV exports spend the user's
 *   per-call budget like every procedure;
 * - in memory: fixed windows, bounded key count;
 * - with REDIS_URL: in Redis, so two API instances share one limit;
 * - Redis down from the start, or going down and coming back: nothing hangs, limits keep holding
 *   with per-instance memory counters, the switch is logged, and the per-account lockout (in
 *   Postgres) is untouched.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { Writable } from 'node:stream';
import { auditLog, users } from '@netflow/db';
import { eq, inArray } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildServer } from '../server';
import { createTokenService } from '../modules/auth';
import { createHarness, createTestApp, TEST_PASSWORD, testConfig, type Harness } from '../test/harness';
import { MemoryCounterStore, RedisCounterStore } from './counters';
import { createSecurity } from './index';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

async function redisAnswers(url: string): Promise<boolean> {
  const probe = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1_000,
    retryStrategy: () => null,
  });
  probe.on('error', () => {});
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const redisAvailable = await redisAnswers(REDIS_URL);
if (!redisAvailable && process.env.CI) throw new Error(`CI must provide Redis at ${REDIS_URL}`);

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Log lines as parsed JSON. */
function captureLog() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { lines, stream };
}

const login = (app: FastifyInstance, identifier: string, password: string) =>
  app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier, password } });

describe('per client, not per office', () => {
  const OFFICE = '203.0.113.7';
  const PROXY = '10.0.0.1';
  /** A request from the office NAT address, arriving through the trusted proxy. */
  const fromOffice = (app: FastifyInstance, url: string, token?: string) =>
    app.inject({
      method: 'GET',
      url,
      remoteAddress: PROXY,
      headers: { 'x-forwarded-for': OFFICE, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });

  describe('an office of thirty behind one NAT address', () => {
    let t: Awaited<ReturnType<typeof createTestApp>>;
    beforeAll(async () => {
      // Scaled down: 40 requests a minute per client, 30 calls a minute per user (defaults 600 / 300).
      t = await createTestApp({ RATE_LIMIT_GLOBAL_PER_MINUTE: '40', RATE_LIMIT_USER_PER_MINUTE: '30', TRUST_PROXY: PROXY });
    });
    afterAll(async () => {
      await t.close();
    });

    it('work past the per-address limit; an unauthenticated flood from that address is stopped', async () => {
      const staff = await Promise.all(
        Array.from({ length: 30 }, (_, i) => t.createUser({ role: i % 2 ? 'sales' : 'support', email: `office${i}@example.test` })),
      );
      const tokens = await Promise.all(staff.map((user) => t.tokenFor(user)));
      // Normal work: each opens the app, lists leads over tRPC (a batch of two calls) and over REST.
      const statuses = new Map<number, number>();
      for (const token of tokens) {
        for (const url of [
          '/api/auth/me',
          `/trpc/leads.list,customers.list?batch=1&input=${encodeURIComponent('{"0":{},"1":{}}')}`,
          '/api/leads?limit=5',
        ]) {
          const status = (await fromOffice(t.app, url, token)).statusCode;
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }
      // 90 requests (120 calls) from one address in a minute: more than twice the per-address limit.
      expect(Object.fromEntries(statuses)).toEqual({ 200: 90 });

      // Nobody signed in: the address's own budget of 40, then 429 with Retry-After.
      const anonymous = [];
      for (let i = 0; i < 41; i += 1) anonymous.push((await fromOffice(t.app, '/api/health/status')).statusCode);
      expect(anonymous.slice(0, 40).every((s) => s === 200)).toBe(true);
      expect(anonymous[40]).toBe(429);
      const limited = await fromOffice(t.app, '/api/auth/verify');
      expect(limited.statusCode).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);

      // A garbage, a forged (other secret) or a revoked token is no way around it: no session, the address pays.
      const forged = (
        await createTokenService({ ...t.config.jwt, secret: 'another-secret-that-is-long-enough-0123456789' }).sign(
          staff[0] ?? { id: randomUUID(), email: 'x@example.com' },
        )
      ).token;
      const disabled = await t.createUser({ role: 'sales', status: 'disabled' });
      for (const token of ['a.b.c', 'not-a-jwt', forged, await t.tokenFor(disabled)]) {
        expect((await fromOffice(t.app, '/api/auth/me', token)).statusCode).toBe(429);
      }
      // Staff keep working.
      expect((await fromOffice(t.app, '/api/auth/me', tokens[0])).statusCode).toBe(200);
      // Another address is untouched.
      const elsewhere = await t.app.inject({
        method: 'GET',
        url: '/api/health/status',
        remoteAddress: PROXY,
        headers: { 'x-forwarded-for': '198.51.100.20' },
      });
      expect(elsewhere.statusCode).toBe(200);
    }, 60_000);
  });

  it('one user is still limited per request and per call, wherever they come from', async () => {
    const t = await createTestApp({ RATE_LIMIT_GLOBAL_PER_MINUTE: '6', RATE_LIMIT_USER_PER_MINUTE: '1000', TRUST_PROXY: PROXY });
    try {
      const token = await t.tokenFor(await t.createUser({ role: 'admin' }));
      const statuses = [];
      for (let i = 0; i < 7; i += 1) {
        const res = await t.app.inject({
          method: 'GET',
          url: '/api/auth/me',
          remoteAddress: PROXY,
          headers: { 'x-forwarded-for': `198.51.100.${i + 1}`, authorization: `Bearer ${token}` },
        });
        statuses.push(res.statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 429]);
    } finally {
      await t.close();
    }
  });

  it('CSV exports count against the per-user limit, shared with every other call', async () => {
    const t = await createTestApp({ RATE_LIMIT_USER_PER_MINUTE: '3' });
    try {
      const token = await t.tokenFor(await t.createUser({ role: 'manager' }));
      const headers = { authorization: `Bearer ${token}` };
      const exports = [];
      for (const url of ['/api/leads/export', '/api/customers/export', '/api/leads/export', '/api/customers/export']) {
        exports.push(await t.app.inject({ method: 'GET', url, headers }));
      }
      expect(exports.map((r) => r.statusCode)).toEqual([200, 200, 200, 429]);
      const refused = exports[3];
      expect(refused?.json()).toEqual({ error: 'Too many requests' });
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      // The same budget: the next procedure call is refused as well.
      expect((await t.app.inject({ method: 'GET', url: '/api/leads', headers })).statusCode).toBe(429);
      // Only the three exports that ran were audited.
      const audited = await t.db.db
        .select()
        .from(auditLog)
        .where(inArray(auditLog.action, ['lead.export', 'customer.export']));
      expect(audited).toHaveLength(3);
    } finally {
      await t.close();
    }
  });
});

describe('memory counters', () => {
  it('count within a window and start again after it', async () => {
    const store = new MemoryCounterStore();
    expect((await store.hit('a', 60_000)).count).toBe(1);
    const second = await store.hit('a', 60_000);
    expect(second.count).toBe(2);
    expect(second.resetInMs).toBeGreaterThan(59_000);
    expect((await store.hit('b', 60_000)).count).toBe(1);
    // a window of 0 ms is over at once
    await store.hit('c', 0);
    expect((await store.hit('c', 0)).count).toBe(1);
  });

  it('keep a bounded number of keys (an address-rotating flood cannot grow memory)', async () => {
    const store = new MemoryCounterStore(3);
    for (const key of ['k1', 'k2', 'k3', 'k4', 'k5']) await store.hit(key, 60_000);
    // the oldest were dropped: they count from 1 again; the newest kept counting
    expect((await store.hit('k5', 60_000)).count).toBe(2);
    expect((await store.hit('k1', 60_000)).count).toBe(1);
  });
});

describe.runIf(redisAvailable)('with Redis', () => {
  it('counts atomically in Redis with the window as expiry', async () => {
    const redis = new Redis(REDIS_URL);
    const prefix = `netflow-test:${randomUUID()}:`;
    try {
      const store = new RedisCounterStore(redis, prefix);
      const hits = await Promise.all(Array.from({ length: 10 }, () => store.hit('k', 60_000)));
      expect(hits.map((h) => h.count).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(await redis.get(`${prefix}k`)).toBe('10');
      const ttl = await redis.pttl(`${prefix}k`);
      expect(ttl).toBeGreaterThan(50_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    } finally {
      redis.disconnect();
    }
  });

  it('two API instances share one per-address limit', async () => {
    const overrides = { REDIS_URL, REDIS_KEY_PREFIX: `netflow-test:${randomUUID()}:`, RATE_LIMIT_AUTH_PER_MINUTE: '3' };
    const first = await createTestApp(overrides);
    const second = await buildServer({ config: first.config, db: first.db, logStream: captureLog().stream });
    await second.ready();
    try {
      expect(first.app.services.security.backend()).toBe('redis');
      const statuses = [];
      for (const app of [first.app, second, first.app, second, first.app]) {
        statuses.push((await login(app, 'nobody@example.com', 'wrong-password-1')).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('two API instances share one per-user limit (per request and per call, exports included)', async () => {
    const overrides = { REDIS_URL, REDIS_KEY_PREFIX: `netflow-test:${randomUUID()}:`, RATE_LIMIT_USER_PER_MINUTE: '3' };
    const first = await createTestApp(overrides);
    const second = await buildServer({ config: first.config, db: first.db, logStream: captureLog().stream });
    await second.ready();
    try {
      const headers = { authorization: `Bearer ${await first.tokenFor(await first.createUser({ role: 'admin' }))}` };
      const statuses = [];
      for (const [app, url] of [
        [first.app, '/api/leads/export'],
        [second, '/api/leads'],
        [first.app, '/api/customers/export'],
        [second, '/api/customers/export'],
      ] as const) {
        statuses.push((await app.inject({ method: 'GET', url, headers })).statusCode);
      }
      expect(statuses).toEqual([200, 200, 200, 429]);
    } finally {
      await second.close();
      await first.close();
    }
  });

  it('a Redis that comes up after start-up is picked up without a restart', async () => {
    const port = await closedPort();
    const security = await createSecurity(testConfig({ REDIS_URL: `redis://127.0.0.1:${port}` }), pino({ level: 'silent' }));
    const target = new URL(REDIS_URL);
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      client.on('error', () => {});
      upstream.on('error', () => {});
      client.pipe(upstream).pipe(client);
    });
    try {
      expect(security.backend()).toBe('memory');
      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
      await vi.waitFor(() => expect(security.backend()).toBe('redis'), { timeout: 15_000, interval: 100 });
    } finally {
      await security.close();
      relay.close();
    }
  }, 30_000);

  it('when Redis goes away mid-flight: answers stay quick, limits fall back to memory, and come back to Redis', async () => {
    // A TCP relay in front of Redis that the test can cut.
    const target = new URL(REDIS_URL);
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect(Number(target.port || 6379), target.hostname);
      for (const s of [client, upstream]) {
        sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const address = relay.address();
    if (!address || typeof address === 'string') throw new Error('no relay port');
    const port = address.port;
    const { lines, stream } = captureLog();

    const harness = await createHarness({
      REDIS_URL: `redis://127.0.0.1:${port}`,
      REDIS_KEY_PREFIX: `netflow-test:${randomUUID()}:`,
      RATE_LIMIT_AUTH_PER_MINUTE: '4',
      LOG_LEVEL: 'info',
    });
    const app = await buildServer({ config: harness.config, db: harness.db, logStream: stream });
    await app.ready();
    try {
      expect(app.services.security.backend()).toBe('redis');
      expect((await login(app, 'nobody@example.com', 'wrong-password-1')).statusCode).toBe(401);

      // Cut Redis off.
      await new Promise<void>((resolve) => {
        relay.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      await vi.waitFor(() => expect(app.services.security.backend()).toBe('memory'), { timeout: 5_000 });

      const started = Date.now();
      const statuses = [];
      for (let i = 0; i < 6; i += 1) statuses.push((await login(app, 'nobody@example.com', 'wrong-password-1')).statusCode);
      // Memory counters start from zero: 4 more allowed, then 429.
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(lines.some((l) => l.event === 'ratelimit.redis.unavailable')).toBe(true);

      // Redis returns on the same address: the client reconnects and counting goes back to Redis.
      await new Promise<void>((resolve) => relay.listen(port, '127.0.0.1', resolve));
      await vi.waitFor(() => expect(app.services.security.backend()).toBe('redis'), { timeout: 15_000, interval: 100 });
      expect((await login(app, 'nobody@example.com', 'wrong-password-1')).statusCode).toBe(401);
      expect(lines.some((l) => l.event === 'ratelimit.redis.restored')).toBe(true);
    } finally {
      await app.close();
      await harness.close();
      relay.close();
      for (const s of sockets) s.destroy();
    }
    // Its own database and app, and waits for reconnects: 8-34 s measured with both cores busy.
  }, 90_000);
});

describe('with REDIS_URL pointing at a Redis that is down from the start', () => {
  let harness: Harness;
  let app: Awaited<ReturnType<typeof buildServer>>;
  const log = captureLog();
  let started: number;

  beforeAll(async () => {
    harness = await createHarness({
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      RATE_LIMIT_AUTH_PER_MINUTE: '5',
      LOGIN_LOCKOUT_THRESHOLD: '3',
      LOG_LEVEL: 'info',
    });
    // Only the server's start is timed: creating the test database is not what could wait on Redis.
    started = Date.now();
    app = await buildServer({ config: harness.config, db: harness.db, logStream: log.stream });
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    await harness.close();
  });

  it('starts without waiting long and says so in the log', () => {
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(app.services.security.backend()).toBe('memory');
    expect(log.lines.some((l) => l.event === 'ratelimit.redis.unavailable' && l.level === 40)).toBe(true);
  });

  it('keeps limiting per address with memory counters, answering at once', async () => {
    const t0 = Date.now();
    const statuses = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await login(app, 'ghost@example.com', 'wrong-password-1')).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    expect(Date.now() - t0).toBeLessThan(5_000);
    const health = await app.inject({ method: 'GET', url: '/api/health' });
    expect(health.statusCode).toBe(200);
  });

  it('the per-account lockout still holds (it lives in Postgres)', async () => {
    const user = await harness.createUser({ role: 'sales' });
    // a second instance, so the per-address limit of the first is not what stops us
    const other = await buildServer({ config: harness.config, db: harness.db, logStream: captureLog().stream });
    await other.ready();
    try {
      for (let i = 0; i < 3; i += 1) expect((await login(other, user.email, 'wrong-password-1')).statusCode).toBe(401);
      const [row] = await harness.db.db.select().from(users).where(eq(users.id, user.id));
      expect(row?.failedLoginCount).toBe(3);
      expect(row?.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
      expect((await login(other, user.email, TEST_PASSWORD)).statusCode).toBe(401);
    } finally {
      await other.close();
    }
  });
});
