/**
 * (c) Two API instances behind one address, sharing a private PostgreSQL and a private Redis:
 * rate limits are shared, and a logout on one instance revokes the session there at once and on the
 * other as soon as the database's notification reaches it (each instance caches user rows).
 * (d) Redis stopped and restarted under load: the documented policy holds (each instance limits
 * with its own memory meanwhile, never fails closed, never waits), nothing hangs, and the
 * counters are shared again once Redis is back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, createStaff, eventually, load, sleep, startApi, type Answer, type Api } from './stack';
import { missingTools, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './services';

const skip = missingTools();
const AUTH_LIMIT = 6;
let pg: PrivatePostgres;
let redis: PrivateRedis;
let a: Api;
let b: Api;

beforeAll(async () => {
  if (skip) return;
  pg = await startPrivatePostgres();
  redis = await startPrivateRedis();
  const overrides = {
    REDIS_URL: redis.url,
    RATE_LIMIT_AUTH_PER_MINUTE: String(AUTH_LIMIT),
    REDIS_KEY_PREFIX: `res${Date.now().toString(36)}:`,
    LOG_LEVEL: 'info',
  };
  a = await startApi(pg.url, overrides);
  b = await startApi(pg.url, overrides);
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await redis?.stop();
  await pg?.destroy();
});

/** Sign-in attempts from one address, alternating instances, until the first 429: returns how many went through. */
async function attemptsUntilLimited(identifier: string, max = 3 * AUTH_LIMIT): Promise<{ through: number; limited: Answer | null }> {
  for (let i = 0; i < max; i += 1) {
    const api = i % 2 === 0 ? a : b;
    const res = await call(api.origin, 'login', '/api/auth/login', { method: 'POST', body: { identifier, password: 'not-the-password' } });
    if (res.status === 429) return { through: i, limited: res };
    expect(res.status).toBe(401);
  }
  return { through: max, limited: null };
}

describe.skipIf(skip)('two instances, one PostgreSQL, one Redis', () => {
  it('share the sign-in limit: the limit holds across both, whichever instance is asked', async () => {
    const { through, limited } = await attemptsUntilLimited('nobody-1@resilience.test');
    expect(through).toBe(AUTH_LIMIT);
    expect(limited?.body).toMatch(/Too many/i);
  });

  it('a logout on one instance revokes the session there at once and on the other within milliseconds', async () => {
    const delays: number[] = [];
    for (let round = 0; round < 5; round += 1) {
      const staff = await createStaff(a, 'support');
      // Both instances have the user cached.
      expect((await call(b.origin, 'me', '/api/auth/me', { token: staff.token })).status).toBe(200);
      expect((await call(a.origin, 'me', '/api/auth/me', { token: staff.token })).status).toBe(200);
      expect((await call(a.origin, 'logout', '/api/auth/logout', { method: 'POST', token: staff.token })).status).toBe(204);
      expect((await call(a.origin, 'me', '/api/auth/me', { token: staff.token })).status).toBe(401);
      const started = Date.now();
      await eventually(
        async () => (await call(b.origin, 'me', '/api/auth/me', { token: staff.token })).status === 401,
        1000,
        'refused on the other instance',
      );
      delays.push(Date.now() - started);
    }
    console.info(`revocation across instances: ${delays.join(', ')} ms after the logout answered`);
  });

  it('Redis stopped and restarted under load: nothing fails or hangs, memory limits meanwhile, shared again after', async () => {
    const staff = await createStaff(a, 'manager');
    let stop!: () => void;
    const until = new Promise<void>((resolve) => (stop = resolve));
    const running = load({
      concurrency: 6,
      until,
      next: (i) => call((i % 2 === 0 ? a : b).origin, 'me', '/api/auth/me', { token: staff.token, timeoutMs: 10_000 }),
    });
    await sleep(1000);
    await redis.stop();
    const downAt = Date.now();
    // Limits still hold while Redis is away, per instance (fail open to memory, not to nothing).
    let limitedWhileDown = false;
    for (let i = 0; i < 3 * AUTH_LIMIT && !limitedWhileDown; i += 1) {
      const res = await call(a.origin, 'login', '/api/auth/login', {
        method: 'POST',
        body: { identifier: 'nobody-2@resilience.test', password: 'x-wrong-x' },
      });
      limitedWhileDown = res.status === 429;
    }
    expect(limitedWhileDown).toBe(true);
    await sleep(1500);
    await redis.start();
    const upAt = Date.now();
    // Both instances find Redis again by themselves and say so once.
    await eventually(
      async () => a.logs().includes('ratelimit.redis.restored') && b.logs().includes('ratelimit.redis.restored'),
      30_000,
      'both instances back on Redis',
    );
    await sleep(500);
    stop();
    const answers = await running;

    expect(answers.length).toBeGreaterThan(20);
    const failed = answers.filter((x) => x.status !== 200);
    expect(failed, JSON.stringify(failed.slice(0, 3))).toEqual([]);
    // No request waited on the dead Redis beyond its command timeout (250 ms) plus scheduling noise.
    const slowest = Math.max(...answers.map((x) => x.ms));
    expect(slowest).toBeLessThan(5_000);
    expect(a.logs()).toContain('ratelimit.redis.unavailable');

    // Shared again: a fresh identifier is limited after AUTH_LIMIT attempts across both instances.
    const { through } = await attemptsUntilLimited('nobody-3@resilience.test');
    expect(through).toBe(AUTH_LIMIT);
    console.info(
      `redis outage: ${answers.length} requests, none failed, slowest ${slowest} ms; down ${upAt - downAt} ms; both instances back on Redis ${Date.now() - upAt} ms after restart`,
    );
  });
});
