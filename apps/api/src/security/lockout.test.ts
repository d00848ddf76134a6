/**
 * The sign-in lockout as an account's owner and an attacker meet it. Failures are counted per
 * (account, client network), so an attacker elsewhere cannot keep the owner out; an hourly
 * per-account ceiling bounds what an attacker spread over many networks can guess. Client
 * addresses come through a trusted proxy's X-Forwarded-For, as in production behind a load balancer.
 */
import { INVALID_CREDENTIALS_MESSAGE } from '@netflow/contracts';
import { auditLog, signInFailures, users } from '@netflow/db';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD } from '../test/harness';
import { networkOf } from './lockout';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const PROXY = '10.0.0.1';
/** The documented numbers, small (every attempt costs an argon2 run): 2 failures lock a network; 4 an hour per account. */
const THRESHOLD = 2;
const PER_HOUR = 4;
/** Networks the spread-out attacker uses: five times what the hourly ceiling lets through. */
const NETWORKS = 5 * (PER_HOUR / THRESHOLD);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({
    TRUST_PROXY: PROXY,
    LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD),
    LOGIN_LOCKOUT_BASE_SECONDS: '60',
    LOGIN_ACCOUNT_FAILURES_PER_HOUR: String(PER_HOUR),
  });
});
afterAll(async () => {
  await t.close();
});

/** A request from `client`, as the trusted proxy forwards it. */
const via = (client: string) => ({ remoteAddress: PROXY, headers: { 'x-forwarded-for': client } });
const login = (identifier: string, password: string, client: string) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier, password }, ...via(client) });

async function failureReasons(userId: string) {
  const rows = await t.db.db
    .select({ reason: auditLog.reason })
    .from(auditLog)
    .where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.entityId, userId), eq(auditLog.outcome, 'failure')))
    .orderBy(asc(auditLog.id));
  return rows.map((r) => r.reason ?? '');
}
/** Guesses that reached a password check (the rest were refused unverified). */
async function verifiedGuesses(userId: string) {
  return (await failureReasons(userId)).filter((r) => r.startsWith('wrong password')).length;
}

describe('networkOf', () => {
  it.each([
    ['203.0.113.7', '203.0.113.0/24'],
    ['::ffff:203.0.113.7', '203.0.113.0/24'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:DB8::1', '2001:db8:0:0::/64'],
    ['2001:db8:0:0:ffff::1', '2001:db8:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.33', '64:ff9b:0:0::/64'],
  ])('%s is counted as %s', (ip, network) => {
    expect(networkOf(ip)).toBe(network);
  });

  it('an absent address is one network of its own', () => {
    expect(networkOf(null)).toBe('unknown');
  });
});

describe('an attacker elsewhere cannot keep the owner out', () => {
  it('the owner signs in from their address while the attacker’s network is locked', async () => {
    const owner = await t.createUser({ role: 'admin' });
    expect((await login(owner.email, TEST_PASSWORD, '203.0.113.10')).statusCode).toBe(200);

    for (let i = 0; i < THRESHOLD; i += 1) expect((await login(owner.email, `guess-${i}`, '198.51.100.7')).statusCode).toBe(401);
    // the attacker's network is locked: even the right password answers exactly like a wrong one
    const locked = await login(owner.email, TEST_PASSWORD, '198.51.100.7');
    const wrong = await login(owner.email, 'guess-x', '198.51.100.99');
    expect(locked.statusCode).toBe(401);
    expect(locked.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    expect(locked.body).toBe(wrong.body);

    // the owner, from their own address, a neighbour's, or a network they never used before
    for (const client of ['203.0.113.10', '203.0.113.200', '192.0.2.5']) {
      expect((await login(owner.email, TEST_PASSWORD, client)).statusCode, client).toBe(200);
    }
    // the owner's success does not unlock the attacker
    expect((await login(owner.email, TEST_PASSWORD, '198.51.100.7')).statusCode).toBe(401);
    expect(await failureReasons(owner.id)).toContain('account locked (network locked)');
  });

  it('IPv6 clients are counted by their /64: the same /64 shares the lock, the next one does not', async () => {
    const owner = await t.createUser({ role: 'sales' });
    for (let i = 0; i < THRESHOLD; i += 1) expect((await login(owner.email, `guess-${i}`, '2001:db8:1:1::a')).statusCode).toBe(401);
    expect((await login(owner.email, TEST_PASSWORD, '2001:db8:1:1:ffff::b')).statusCode).toBe(401);
    expect((await login(owner.email, TEST_PASSWORD, '2001:db8:1:2::1')).statusCode).toBe(200);
  });

  it('a wrong current password in a password change counts on the caller’s network, and a lock there answers alike', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await t.tokenFor(user);
    const change = (currentPassword: string) =>
      t.app.inject({
        method: 'POST',
        url: '/api/auth/password',
        payload: { currentPassword, newPassword: 'plum-orchard-64-violin' },
        headers: { authorization: `Bearer ${token}`, 'x-forwarded-for': '198.51.100.50' },
        remoteAddress: PROXY,
      });
    const answers = [];
    for (let i = 0; i < THRESHOLD; i += 1) answers.push(await change(`not-it-${i}`));
    const withRightOne = await change(TEST_PASSWORD);
    for (const res of [...answers, withRightOne]) {
      expect(res.statusCode).toBe(400);
      expect(res.json().fieldErrors).toEqual({ currentPassword: ['Current password is incorrect'] });
    }
    const [row] = await t.db.db.select().from(users).where(eq(users.id, user.id));
    expect(row?.failedLoginCount).toBe(THRESHOLD);
    // the same network cannot sign in either; another can, with the unchanged password
    expect((await login(user.email, TEST_PASSWORD, '198.51.100.51')).statusCode).toBe(401);
    expect((await login(user.email, TEST_PASSWORD, '203.0.113.77')).statusCode).toBe(200);
  });
});

describe('total guessing stays bounded', () => {
  it(`an attacker spread over ${NETWORKS} networks gets ${PER_HOUR} guesses an hour, no more; the owner’s network still gets in`, async () => {
    const owner = await t.createUser({ role: 'admin' });
    expect((await login(owner.email, TEST_PASSWORD, '203.0.113.10')).statusCode).toBe(200);

    for (let n = 1; n <= NETWORKS; n += 1) {
      for (let k = 0; k < THRESHOLD; k += 1) expect((await login(owner.email, `guess-${n}-${k}`, `198.51.${n}.7`)).statusCode).toBe(401);
    }
    expect(await verifiedGuesses(owner.id)).toBe(PER_HOUR);
    // a fresh network with the right password is refused unverified, like a wrong one
    const right = await login(owner.email, TEST_PASSWORD, '198.18.0.1');
    expect(right.statusCode).toBe(401);
    expect(right.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    expect((await failureReasons(owner.id)).at(-1)).toBe('account locked (hourly failure limit reached)');
    expect(await verifiedGuesses(owner.id)).toBe(PER_HOUR);

    // the owner signs in from the network they use, during the attack
    expect((await login(owner.email, TEST_PASSWORD, '203.0.113.10')).statusCode).toBe(200);
    // the staff list shows until when sign-ins are refused: when the oldest counted failure is an hour old
    const [row] = await t.db.db.select().from(users).where(eq(users.id, owner.id));
    const [oldest] = await t.db.db
      .select()
      .from(signInFailures)
      .where(eq(signInFailures.userId, owner.id))
      .orderBy(asc(signInFailures.at))
      .limit(1);
    expect(row?.lockedUntil?.getTime()).toBe((oldest?.at.getTime() ?? 0) + 3_600_000);

    // an hour later (the window slides), the next network gets guesses again, up to the same number
    await t.db.db
      .update(signInFailures)
      .set({ at: sql`${signInFailures.at} - interval '61 minutes'` })
      .where(eq(signInFailures.userId, owner.id));
    for (let n = 100; n < 100 + PER_HOUR / THRESHOLD + 1; n += 1) {
      for (let k = 0; k < THRESHOLD; k += 1) expect((await login(owner.email, `later-${n}-${k}`, `198.51.${n}.7`)).statusCode).toBe(401);
    }
    expect(await verifiedGuesses(owner.id)).toBe(2 * PER_HOUR);
    // failures older than the hour are not kept
    const kept = await t.db.db
      .select()
      .from(signInFailures)
      .where(and(eq(signInFailures.userId, owner.id), like(signInFailures.network, '198.51.%')));
    expect(kept).toHaveLength(PER_HOUR);
    // ~30 sign-in attempts, each an argon2 run: ~5 s here with a busy machine; the margin is for a busier one
  }, 120_000);
});
