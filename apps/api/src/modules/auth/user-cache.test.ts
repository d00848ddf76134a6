/**
 * The user cache on the PostgreSQL server (the only engine that uses it): two instances on one
 * database, each with its own cache warmed by a request; a logout, a role change or a disabled
 * account through one instance is seen by the other on its very next request. When the listening
 * connection is lost, the cache steps aside until it is back. Runs with TEST_DATABASE_URL.
 */
import { createDatabase, users, type DatabaseHandle } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server';
import { createTestApp } from '../../test/harness';

const serverUrl = process.env.TEST_DATABASE_URL;
let t: Awaited<ReturnType<typeof createTestApp>>;
let second: FastifyInstance;
let secondDb: DatabaseHandle;

const until = async (check: () => boolean | Promise<boolean>, what: string) => {
  for (let i = 0; i < 100; i += 1) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: not within 10 s`);
};

beforeAll(async () => {
  if (!serverUrl) return;
  t = await createTestApp({ AUTH_CACHE_SECONDS: '30' });
  secondDb = await createDatabase({ url: t.db.url, maxConnections: 3 });
  second = await buildServer({ config: t.config, db: secondDb });
  await second.ready();
  await until(() => Boolean(t.app.services.userCache?.enabled && second.services.userCache?.enabled), 'both caches live');
});
afterAll(async () => {
  await second?.close();
  await secondDb?.close();
  await t?.close();
});

/** Milliseconds until `app` refuses `token` (the notification reached it); fails after 1 s. */
async function untilRefused(app: FastifyInstance, token: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < 1000) {
    if ((await me(app, token)).statusCode === 401) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new Error('still accepted 1 s after the change');
}

const me = (app: FastifyInstance, token: string) =>
  app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });

describe.skipIf(!serverUrl)('user cache across two instances', () => {
  it('serves a warmed user from memory, and a change on one instance is seen by the other at once', async () => {
    const admin = await t.createUser({ role: 'admin' });
    const adminToken = await t.tokenFor(admin);
    const latencies: number[] = [];
    for (let round = 0; round < 10; round += 1) {
      const user = await t.createUser({ role: 'support' });
      const token = await t.tokenFor(user);
      expect((await me(second, token)).statusCode).toBe(200);
      expect(second.services.userCache?.get(user.id)?.role).toBe('support');
      // Promoted through the first instance: the second answers with the new role on its next request.
      const promoted = await t.app.inject({
        method: 'PATCH',
        url: `/api/users/${user.id}`,
        headers: { authorization: `Bearer ${adminToken}` },
        payload: { role: 'finance' },
      });
      expect(promoted.statusCode).toBe(200);
      // The role change ends the user's sessions; a new token shows the new role.
      await untilRefused(second, token);
      const fresh = await t.tokenFor(user);
      const seen = await me(second, fresh);
      expect(seen.statusCode).toBe(200);
      expect(seen.json<{ user: { role: string } }>().user.role).toBe('finance');
      // Logout on the first instance: refused there at once, and on the second as soon as the
      // database's notification arrives (milliseconds; the bound here is generous).
      expect(
        (await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${fresh}` } })).statusCode,
      ).toBe(204);
      expect((await me(t.app, fresh)).statusCode).toBe(401);
      latencies.push(await untilRefused(second, fresh));
    }
    console.info(`user cache: a logout reached the other instance after ${Math.max(...latencies)} ms at most (${latencies.join(', ')})`);
  });

  it('a disabled account is refused everywhere at once, even while cached', async () => {
    const user = await t.createUser({ role: 'sales' });
    const token = await t.tokenFor(user);
    expect((await me(second, token)).statusCode).toBe(200);
    expect((await me(t.app, token)).statusCode).toBe(200);
    // Written straight to the database (no instance's own write): both learn it from the notification.
    await t.db.db.update(users).set({ status: 'disabled' }).where(eq(users.id, user.id));
    await untilRefused(second, token);
    await untilRefused(t.app, token);
  });

  it('steps aside while its listening connection is lost, and comes back empty', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await t.tokenFor(user);
    expect((await me(second, token)).statusCode).toBe(200);
    const cache = second.services.userCache;
    expect(cache?.get(user.id)).toBeDefined();
    await t.db.db.execute(sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'netflow-user-cache'`);
    await until(() => cache?.enabled === false, 'cache off after the listener dropped');
    expect(cache?.get(user.id)).toBeUndefined();
    // Meanwhile every request reads the database: a change is seen without any notification.
    expect((await me(second, token)).statusCode).toBe(200);
    await until(() => cache?.enabled === true, 'listener back');
    expect(cache?.get(user.id)).toBeUndefined();
    expect((await me(second, token)).statusCode).toBe(200);
    expect(cache?.get(user.id)).toBeDefined();
  });
});
