/**
 * The attacker's suite: what someone without the right credentials tries, and what
 * they get. Forged and stale tokens, enumeration through sign-in answers, brute force through
 * batches and spoofed addresses, mass assignment, malformed bodies, foreign origins, and what
 * ends up in the log. Every answer is checked as the attacker sees it (status, body, headers)
 * and against the database.
 */
import { createHmac, generateKeyPairSync, sign as signWithKey } from 'node:crypto';
import { Writable } from 'node:stream';
import { INVALID_CREDENTIALS_MESSAGE } from '@netflow/contracts';
import { auditLog, signInNetworks, users } from '@netflow/db';
import { and, eq } from 'drizzle-orm';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../server';
import { createHarness, createTestApp, TEST_PASSWORD, TEST_SECRET, testConfig, type Harness } from '../../test/harness';
import { networkOf } from '../../security/lockout';
import type { CurrentUser } from '../../trpc/context';
import { passwordWork } from './passwords';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

const ISSUER = 'netflow-crm';
const AUDIENCE = 'netflow-crm-staff';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const HMAC_OF: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * A JWT made by hand, as an attacker would: any header, any claims, an HMAC under `secret` for the
 * HS algorithms (so nothing in the library under test helps or refuses to forge).
 */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret = TEST_SECRET): string {
  const input = `${b64({ typ: 'JWT', ...header })}.${b64(payload)}`;
  const hash = HMAC_OF[String(header.alg)] ?? 'sha256';
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

/** The `kid` of a token's header. */
function kidOf(token: string): unknown {
  const [header] = token.split('.');
  return (JSON.parse(Buffer.from(header ?? '', 'base64url').toString('utf8')) as { kid?: unknown }).kid;
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

function loginOn(app: FastifyInstance, identifier: string, password: string, headers: Record<string, string> = {}, remoteAddress?: string) {
  return app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { identifier, password },
    headers,
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

/** The security headers every answer carries, errors included. */
function expectSecurityHeaders(res: LightMyRequestResponse, label: string) {
  expect(res.headers['content-security-policy'], label).toContain("frame-ancestors 'none'");
  expect(res.headers['strict-transport-security'], label).toContain('max-age=');
  expect(res.headers['x-content-type-options'], label).toBe('nosniff');
  expect(res.headers['referrer-policy'], label).toBe('no-referrer');
  expect(res.headers['x-powered-by'], label).toBeUndefined();
  expect(res.headers['x-request-id'], label).toMatch(/^[0-9a-f-]{36}$/);
}

/** A batch of `n` calls of one procedure: /trpc/p,p,…?batch=1 with {"0": input, "1": input, …}. */
function batch(app: FastifyInstance, procedure: string, inputs: unknown[], remoteAddress?: string) {
  const payload = Object.fromEntries(inputs.map((input, i) => [String(i), input]));
  return app.inject({
    method: 'POST',
    url: `/trpc/${inputs.map(() => procedure).join(',')}?batch=1`,
    payload,
    ...(remoteAddress ? { remoteAddress } : {}),
  });
}

let t: TestApp;
let victim: CurrentUser;
let victimToken: string;
let kid: string;

beforeAll(async () => {
  t = await createTestApp({ LOGIN_LOCKOUT_THRESHOLD: '3', LOGIN_LOCKOUT_BASE_SECONDS: '60' });
  victim = await t.createUser({ role: 'sales' });
  victimToken = await t.tokenFor(victim);
  const header = kidOf(victimToken);
  if (typeof header !== 'string') throw new Error('token without kid');
  kid = header;
});
afterAll(async () => {
  await t.close();
});

const me = (token: string | undefined, headers: Record<string, string> = {}) =>
  t.app.inject({ method: 'GET', url: '/api/auth/me', headers: token === undefined ? headers : { ...bearer(token), ...headers } });

function claims(user: CurrentUser, overrides: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: user.id,
    userId: user.id,
    email: user.email,
    iatMs: Date.now(),
    iat: now,
    exp: now + 3600,
    iss: ISSUER,
    aud: AUDIENCE,
    ...overrides,
  };
}

describe('Authorization headers and forged tokens', () => {
  it('the genuine token works (so every refusal below is about the forgery)', async () => {
    expect((await me(victimToken)).statusCode).toBe(200);
  });

  it.each([
    ['no header', {}],
    ['an empty header', { authorization: '' }],
    ['only the scheme', { authorization: 'Bearer' }],
    ['the scheme and a space', { authorization: 'Bearer ' }],
    ['not a JWT', { authorization: 'Bearer abc' }],
    ['Basic credentials', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['a JWT with garbage segments', { authorization: 'Bearer eyJhbGciOi.eyJzdWIi.c2ln' }],
  ])('%s → 401', async (_label, headers) => {
    const res = await me(undefined, headers);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'Authentication required' });
  });

  it('a valid token under another scheme, without a scheme, or with trailing junk → 401', async () => {
    for (const authorization of [
      `Token ${victimToken}`,
      victimToken,
      `Bearer ${victimToken} extra`,
      `Bearer ${victimToken}, Bearer ${victimToken}`,
    ]) {
      expect((await me(undefined, { authorization })).statusCode, authorization.slice(0, 12)).toBe(401);
    }
  });

  it('a tampered payload (another user id, same signature) → 401', async () => {
    const admin = await t.createUser({ role: 'admin' });
    const [header, , signature] = victimToken.split('.');
    const forged = `${header}.${b64(claims(admin))}.${signature}`;
    expect((await me(forged)).statusCode).toBe(401);
  });

  it.each(['none', 'None', 'NONE', 'nOnE'])('alg "%s" (unsigned) → 401', async (alg) => {
    const payload = b64(claims(victim));
    for (const signature of ['', victimToken.split('.')[2]]) {
      const forged = `${b64({ alg, typ: 'JWT', kid })}.${payload}.${signature}`;
      expect((await me(forged)).statusCode).toBe(401);
    }
  });

  it('HS512 (or HS384) signed with the real secret → 401: the algorithm is pinned to HS256', async () => {
    for (const alg of ['HS512', 'HS384']) {
      const forged = forge({ alg, kid }, claims(victim));
      expect((await me(forged)).statusCode).toBe(401);
    }
  });

  it('algorithm confusion: RS256/ES256 headers, whether HMAC-signed with the secret or really signed with a key pair → 401', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const input = `${b64({ alg: 'RS256', typ: 'JWT', kid })}.${b64(claims(victim))}`;
    const rsaSigned = `${input}.${signWithKey('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    for (const token of [rsaSigned, forge({ alg: 'RS256', kid }, claims(victim)), forge({ alg: 'ES256', kid }, claims(victim))]) {
      expect((await me(token)).statusCode).toBe(401);
    }
  });

  it('the genuine forge helper is right: the same claims HS256-signed with the real secret are accepted', async () => {
    expect((await me(forge({ alg: 'HS256', kid }, claims(victim)))).statusCode).toBe(200);
  });

  it('a token without exp → 401', async () => {
    const { exp: _exp, ...noExp } = claims(victim);
    const forged = forge({ alg: 'HS256', kid }, noExp);
    expect((await me(forged)).statusCode).toBe(401);
  });

  it('a token without iat, or with sub and userId disagreeing → 401', async () => {
    const { iat: _iat, ...noIat } = claims(victim);
    const admin = await t.createUser({ role: 'admin' });
    for (const payload of [noIat, claims(victim, { userId: admin.id }), claims(victim, { sub: admin.id })]) {
      expect((await me(forge({ alg: 'HS256', kid }, payload))).statusCode).toBe(401);
    }
  });

  it('a validly signed token whose sub is no UUID → 401, not 500', async () => {
    for (const sub of ['not-a-uuid', '1', "' or 1=1 --", '00000000-0000-4000-8000-00000000000g']) {
      const res = await me(forge({ alg: 'HS256', kid }, claims(victim, { sub, userId: sub })));
      expect(res.statusCode, sub).toBe(401);
      expect(res.json()).toEqual({ error: 'Authentication required' });
    }
  });

  it('an expired token → 401', async () => {
    const past = Math.floor(Date.now() / 1000) - 7200;
    const expired = forge({ alg: 'HS256', kid }, claims(victim, { iat: past, exp: past + 3600 }));
    expect((await me(expired)).statusCode).toBe(401);
  });

  it.each([
    ['iss', { iss: 'someone-else' }],
    ['aud', { aud: 'another-app' }],
  ])('a wrong %s → 401', async (_claim, override) => {
    const forged = forge({ alg: 'HS256', kid }, claims(victim, override));
    expect((await me(forged)).statusCode).toBe(401);
  });

  it('a token signed with another secret, or naming an unknown key, → 401', async () => {
    const wrongKey = forge({ alg: 'HS256', kid }, claims(victim), 'another-secret-that-is-also-long-enough-0123456789');
    const unknownKid = forge({ alg: 'HS256', kid: 'somebody-elses' }, claims(victim));
    const noKid = forge({ alg: 'HS256' }, claims(victim));
    for (const token of [wrongKey, unknownKid, noKid]) expect((await me(token)).statusCode).toBe(401);
  });

  it('a token for a user that does not exist → 401', async () => {
    const ghost = { ...victim, id: '00000000-0000-4000-8000-000000000001' };
    expect((await me(await t.tokenFor(ghost))).statusCode).toBe(401);
  });

  it('JWT_SECRET_PREVIOUS keeps earlier tokens valid during a rotation, and only then', async () => {
    // Two more instances on this suite's database: one mid-rotation, one after it.
    const newSecret = 'the-next-secret-rotated-in-and-long-enough-9876543210';
    const rotated = await buildServer({ config: testConfig({ JWT_SECRET: newSecret, JWT_SECRET_PREVIOUS: TEST_SECRET }), db: t.db });
    const after = await buildServer({ config: testConfig({ JWT_SECRET: newSecret }), db: t.db });
    try {
      const user = await t.createUser({ role: 'support' });
      const oldToken = await t.tokenFor(user);
      expect((await rotated.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(oldToken) })).statusCode).toBe(200);
      const login = await loginOn(rotated, user.email, TEST_PASSWORD);
      const newToken: string = login.json().token;
      expect(kidOf(newToken)).not.toBe(kidOf(oldToken));
      expect((await rotated.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(newToken) })).statusCode).toBe(200);
      // once the previous secret is dropped, its tokens stop working; the new ones go on
      expect((await after.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(oldToken) })).statusCode).toBe(401);
      expect((await after.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(newToken) })).statusCode).toBe(200);
    } finally {
      await rotated.close();
      await after.close();
    }
    // Two more apps, each with its own database: 23-34 s measured with both cores busy.
  }, 120_000);
});

describe('tokens after the account changes', () => {
  it('after logout → 401', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = (await loginOn(t.app, user.email, TEST_PASSWORD)).json().token;
    expect((await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: bearer(token) })).statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('after a password change → 401 (the new password and token work)', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await t.tokenFor(user);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/password',
      headers: bearer(token),
      payload: { currentPassword: TEST_PASSWORD, newPassword: 'tangerine-glacier-27-oboe' },
    });
    expect(res.statusCode).toBe(204);
    expect((await me(token)).statusCode).toBe(401);
    expect((await loginOn(t.app, user.email, 'tangerine-glacier-27-oboe')).statusCode).toBe(200);
  });

  it('after disabling → 401 at once', async () => {
    const user = await t.createUser({ role: 'finance' });
    const token = await t.tokenFor(user);
    const admin = await t.createUser({ role: 'admin' });
    const res = await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${user.id}`,
      headers: bearer(await t.tokenFor(admin)),
      payload: { status: 'disabled' },
    });
    expect(res.statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
  });

  it('a demotion is effective on the very next request (the role is read from the database each time)', async () => {
    const manager = await t.createUser({ role: 'manager' });
    const token = await t.tokenFor(manager);
    const listUsers = () => t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });
    expect((await listUsers()).statusCode).toBe(200);
    // Even a change made behind the API's back (no session revocation) applies at once.
    await t.db.db.update(users).set({ role: 'sales' }).where(eq(users.id, manager.id));
    expect((await listUsers()).statusCode).toBe(403);
    // Through the API, the token ends altogether.
    const admin = await t.createUser({ role: 'admin' });
    await t.db.db.update(users).set({ role: 'manager' }).where(eq(users.id, manager.id));
    expect((await listUsers()).statusCode).toBe(200);
    await t.app.inject({
      method: 'PATCH',
      url: `/api/users/${manager.id}`,
      headers: bearer(await t.tokenFor(admin)),
      payload: { role: 'support' },
    });
    expect((await listUsers()).statusCode).toBe(401);
  });
});

describe('registration', () => {
  it('mass assignment: role, status, counters, ids and hashes sent at register are ignored', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      payload: {
        name: 'Mallory',
        email: 'mallory@example.com',
        password: 'violet-canyon-88-drum',
        role: 'admin',
        status: 'active',
        id: '00000000-0000-4000-8000-00000000abcd',
        passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$forged$forged',
        failedLoginCount: -1000,
        lockedUntil: null,
        sessionsValidAfter: '1970-01-01T00:00:00Z',
      },
    });
    expect(res.statusCode).toBe(202);
    const [row] = await t.db.db.select().from(users).where(eq(users.email, 'mallory@example.com'));
    expect(row).toMatchObject({ role: 'sales', status: 'pending', failedLoginCount: 0 });
    expect(row?.id).not.toBe('00000000-0000-4000-8000-00000000abcd');
    expect(row?.passwordHash).toBeNull();
    expect(row && row.sessionsValidAfter.getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await loginOn(t.app, 'mallory@example.com', 'violet-canyon-88-drum')).statusCode).toBe(401);
  });
});

describe('sign-in answers reveal nothing', () => {
  it('unknown user, wrong password, pending, disabled and locked get identical status, body and headers', async () => {
    const pending = await t.createUser({ role: 'sales', status: 'pending' });
    const disabled = await t.createUser({ role: 'sales', status: 'disabled' });
    const locked = await t.createUser({ role: 'sales' });
    await t.db.db
      .insert(signInNetworks)
      .values({ userId: locked.id, network: networkOf('127.0.0.1'), failures: 3, locks: 1, lockedUntil: new Date(Date.now() + 600_000) });
    const known = await t.createUser({ role: 'sales' });

    const attempts = {
      unknown: await loginOn(t.app, 'nobody-here@example.com', TEST_PASSWORD),
      unknownPhone: await loginOn(t.app, '0799999999', TEST_PASSWORD),
      malformed: await loginOn(t.app, 'not an identifier', TEST_PASSWORD),
      wrongPassword: await loginOn(t.app, known.email, 'not-the-password'),
      pending: await loginOn(t.app, pending.email, TEST_PASSWORD),
      disabled: await loginOn(t.app, disabled.email, TEST_PASSWORD),
      locked: await loginOn(t.app, locked.email, TEST_PASSWORD),
    };
    const shape = (res: LightMyRequestResponse) => ({
      status: res.statusCode,
      body: res.body,
      headers: Object.keys(res.headers)
        .filter((h) => !['x-request-id', 'date', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(h))
        .sort()
        .map((h) => `${h}: ${String(res.headers[h])}`),
    });
    const expected = shape(attempts.unknown);
    expect(expected.status).toBe(401);
    expect(JSON.parse(expected.body)).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    for (const [label, res] of Object.entries(attempts)) expect(shape(res), label).toEqual(expected);

    // over tRPC too
    const trpc = await Promise.all(
      [
        ['nobody-here@example.com', TEST_PASSWORD],
        [known.email, 'not-the-password'],
        [pending.email, TEST_PASSWORD],
        [disabled.email, TEST_PASSWORD],
        [locked.email, TEST_PASSWORD],
      ].map(([identifier, password]) => t.app.inject({ method: 'POST', url: '/trpc/auth.login', payload: { identifier, password } })),
    );
    for (const res of trpc) {
      expect(res.statusCode).toBe(401);
      expect(res.body).toBe(trpc[0]?.body);
    }

    // …while the audit trail knows why
    const reasons = await t.db.db
      .select({ reason: auditLog.reason })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.login'), eq(auditLog.outcome, 'failure')));
    expect(reasons.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        'unknown account',
        'wrong password',
        'account pending',
        'account disabled',
        'account locked (network locked)',
      ]),
    );
  });
});

describe('brute force', () => {
  it('lockout after the threshold, a fresh count when the lock ends, growing backoff, and reset by a success', async () => {
    const user = await t.createUser({ role: 'support' });
    const row = async () => (await t.db.db.select().from(users).where(eq(users.id, user.id)))[0];
    const network = async () =>
      (
        await t.db.db
          .select()
          .from(signInNetworks)
          .where(and(eq(signInNetworks.userId, user.id), eq(signInNetworks.network, networkOf('127.0.0.1'))))
      )[0];
    const endLock = () =>
      t.db.db
        .update(signInNetworks)
        .set({ lockedUntil: new Date(Date.now() - 1000) })
        .where(eq(signInNetworks.userId, user.id));
    const wrong = () => loginOn(t.app, user.email, 'wrong-password-1');

    for (let i = 0; i < 3; i += 1) expect((await wrong()).statusCode).toBe(401);
    const first = await network();
    expect(first).toMatchObject({ failures: 3, locks: 1 });
    const firstLock = (first?.lockedUntil?.getTime() ?? 0) - Date.now();
    expect(firstLock).toBeGreaterThan(55_000);
    expect(firstLock).toBeLessThanOrEqual(60_000);
    expect((await row())?.lockedUntil?.getTime()).toBe(first?.lockedUntil?.getTime());

    // locked: even the right password answers like a wrong one, and nothing is counted
    const whileLocked = await loginOn(t.app, user.email, TEST_PASSWORD);
    expect(whileLocked.statusCode).toBe(401);
    expect(whileLocked.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    expect((await network())?.failures).toBe(3);
    expect((await row())?.failedLoginCount).toBe(3);

    // the lock runs out (time moved on): the count starts again, so one failure does not re-lock…
    await endLock();
    for (let i = 0; i < 2; i += 1) expect((await wrong()).statusCode).toBe(401);
    expect(await network()).toMatchObject({ failures: 2, locks: 1, lockedUntil: null });
    // the threshold-th failure locks again, twice as long as before
    expect((await wrong()).statusCode).toBe(401);
    const second = await network();
    expect(second).toMatchObject({ failures: 3, locks: 2 });
    const secondLock = (second?.lockedUntil?.getTime() ?? 0) - Date.now();
    expect(secondLock).toBeGreaterThan(115_000);
    expect(secondLock).toBeLessThanOrEqual(120_000);

    // after the lock, a success resets everything
    await endLock();
    expect((await wrong()).statusCode).toBe(401);
    expect((await loginOn(t.app, user.email, TEST_PASSWORD)).statusCode).toBe(200);
    expect(await row()).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    expect(await network()).toMatchObject({ failures: 0, locks: 0, lockedUntil: null, lastSuccessAt: expect.any(Date) });
  });

  describe('per-address limit', () => {
    let limited: TestApp;
    beforeAll(async () => {
      limited = await createTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '3', LOGIN_LOCKOUT_THRESHOLD: '100' });
    });
    afterAll(async () => {
      await limited.close();
    });

    it('rotating X-Forwarded-For does not escape it (no trusted proxy)', async () => {
      const answers = [];
      for (let i = 1; i <= 5; i += 1) {
        answers.push(
          await loginOn(limited.app, 'target@example.com', 'guess-' + i, { 'x-forwarded-for': `203.0.113.${i}` }, '198.51.100.7'),
        );
      }
      expect(answers.map((r) => r.statusCode)).toEqual([401, 401, 401, 429, 429]);
      const refused = answers[4];
      if (!refused) throw new Error('missing answer');
      expect(refused.json()).toEqual({ error: 'Too many requests' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
      expectSecurityHeaders(refused, '429');
      expect(refused.headers['cache-control']).toBe('no-store');
      // registration shares the limit
      const register = await limited.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        payload: { name: 'X', email: 'x@example.com', password: 'violet-canyon-88-drum' },
        remoteAddress: '198.51.100.7',
      });
      expect(register.statusCode).toBe(429);
      // another address is not affected
      expect((await loginOn(limited.app, 'target@example.com', 'guess', {}, '198.51.100.8')).statusCode).toBe(401);
    });

    it('a 50-call tRPC batch of logins is refused whole (400) and counts nothing', async () => {
      const user = await limited.createUser({ role: 'sales' });
      const before = { ...passwordWork };
      const res = await batch(
        limited.app,
        'auth.login',
        Array.from({ length: 50 }, (_, i) => ({ identifier: user.email, password: `guess-${i}` })),
        '198.51.100.20',
      );
      expect(res.statusCode).toBe(400);
      expect(passwordWork).toEqual(before);
      const [row] = await limited.db.db.select().from(users).where(eq(users.id, user.id));
      expect(row?.failedLoginCount).toBe(0);
      expect(await limited.db.db.select().from(auditLog).where(eq(auditLog.entityId, user.id))).toEqual([]);
    });

    it('in a batch of 20 logins every call counts: 3 reach the password check, 17 are refused with 429', async () => {
      const user = await limited.createUser({ role: 'sales' });
      const res = await batch(
        limited.app,
        'auth.login',
        Array.from({ length: 20 }, (_, i) => ({ identifier: user.email, password: `guess-${i}` })),
        '198.51.100.21',
      );
      const results = res.json<{ error?: { data: { httpStatus: number } } }[]>();
      expect(results).toHaveLength(20);
      const statuses = results.map((r) => r.error?.data.httpStatus);
      expect(statuses.filter((s) => s === 401)).toHaveLength(3);
      expect(statuses.filter((s) => s === 429)).toHaveLength(17);
      expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      const [row] = await limited.db.db.select().from(users).where(eq(users.id, user.id));
      expect(row?.failedLoginCount).toBe(3);
    });
  });

  it('with a trusted proxy, X-Forwarded-For is believed only from that proxy', async () => {
    const proxied = await createTestApp({ RATE_LIMIT_AUTH_PER_MINUTE: '2', TRUST_PROXY: '10.0.0.1' });
    try {
      // through the proxy: each real client has its own budget
      const viaProxy = [];
      for (let i = 1; i <= 4; i += 1)
        viaProxy.push(
          (await loginOn(proxied.app, 'a@example.com', 'guess', { 'x-forwarded-for': `203.0.113.${i}` }, '10.0.0.1')).statusCode,
        );
      expect(viaProxy).toEqual([401, 401, 401, 401]);
      // the client address recorded is the forwarded one
      const [audit] = await proxied.db.db.select().from(auditLog).where(eq(auditLog.ip, '203.0.113.4'));
      expect(audit?.action).toBe('auth.login');
      // anyone else sending the header is ignored
      const direct = [];
      for (let i = 1; i <= 4; i += 1)
        direct.push(
          (await loginOn(proxied.app, 'a@example.com', 'guess', { 'x-forwarded-for': `203.0.113.${50 + i}` }, '10.0.0.2')).statusCode,
        );
      expect(direct).toEqual([401, 401, 429, 429]);
    } finally {
      await proxied.close();
    }
  });

  it('the global limit covers every request, unknown paths included', async () => {
    const small = await createTestApp({ RATE_LIMIT_GLOBAL_PER_MINUTE: '3' });
    try {
      const statuses = [];
      for (const url of ['/api/health/status', '/api/nope', '/api/users', '/api/nope', '/trpc/health.check']) {
        statuses.push((await small.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.99' })).statusCode);
      }
      expect(statuses.slice(3)).toEqual([429, 429]);
    } finally {
      await small.close();
    }
  });
});

describe('malformed requests', () => {
  it('413 for a body over 1 MB, on REST and tRPC, with headers', async () => {
    const big = { identifier: 'a@example.com', password: 'x'.repeat(1_100_000) };
    for (const url of ['/api/auth/login', '/trpc/auth.login']) {
      const res = await t.app.inject({ method: 'POST', url, payload: big });
      expect(res.statusCode, url).toBe(413);
      expectSecurityHeaders(res, url);
    }
  });

  it('415 for a body that is not JSON (text/plain, form-encoded), which a foreign page could send without preflight', async () => {
    for (const url of ['/api/auth/login', '/trpc/auth.login', '/api/auth/register']) {
      for (const [type, body] of [
        ['text/plain', '{"identifier":"a@example.com","password":"x"}'],
        ['application/x-www-form-urlencoded', 'identifier=a%40example.com&password=x'],
      ] as const) {
        const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': type }, payload: body });
        expect(res.statusCode, `${url} ${type}`).toBe(415);
      }
    }
  });

  it('400 for prototype poisoning; nothing is created', async () => {
    for (const body of [
      '{"name":"P","email":"proto@example.com","password":"violet-canyon-88-drum","__proto__":{"role":"admin","status":"active"}}',
      '{"name":"P","email":"proto@example.com","password":"violet-canyon-88-drum","constructor":{"prototype":{"role":"admin"}}}',
    ]) {
      for (const url of ['/api/auth/register', '/trpc/auth.register']) {
        const res = await t.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json' }, payload: body });
        expect(res.statusCode, url).toBe(400);
        expectSecurityHeaders(res, url);
      }
    }
    expect(await t.db.db.select().from(users).where(eq(users.email, 'proto@example.com'))).toEqual([]);
  });

  it('400 for invalid JSON, without echoing it', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"identifier": "a", "password": "secret-typed-here',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).not.toContain('secret-typed-here');
  });
});

describe('cross-origin requests', () => {
  let cors: TestApp;
  beforeAll(async () => {
    cors = await createTestApp({ CORS_ORIGINS: 'https://crm.example.com' });
  });
  afterAll(async () => {
    await cors.close();
  });

  it.each(['https://evil.example', 'null', 'https://crm.example.com.evil.example', 'http://crm.example.com'])(
    '%s gets no CORS permission',
    async (origin) => {
      const preflight = await cors.app.inject({
        method: 'OPTIONS',
        url: '/api/auth/login',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
      });
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const simple = await cors.app.inject({
        method: 'GET',
        url: '/api/auth/me',
        headers: { origin, ...bearer(await cors.tokenFor(await cors.createUser())) },
      });
      expect(simple.headers['access-control-allow-origin']).toBeUndefined();
      expect(simple.headers['access-control-allow-credentials']).toBeUndefined();
    },
  );

  it('the listed origin is allowed', async () => {
    const preflight = await cors.app.inject({
      method: 'OPTIONS',
      url: '/api/auth/login',
      headers: {
        origin: 'https://crm.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,authorization',
      },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe('https://crm.example.com');
  });
});

describe('error answers', () => {
  it('401, 403, 404 and 429 carry the security headers and no-store', async () => {
    const unauthorized = await me(undefined);
    const forbidden = await t.app.inject({ method: 'GET', url: '/api/users', headers: bearer(victimToken) });
    const notFound = await t.app.inject({ method: 'GET', url: '/api/definitely-not-here' });
    const trpcNotFound = await t.app.inject({ method: 'GET', url: '/trpc/nope.nothing' });
    expect([unauthorized.statusCode, forbidden.statusCode, notFound.statusCode, trpcNotFound.statusCode]).toEqual([401, 403, 404, 404]);
    for (const res of [unauthorized, forbidden, notFound, trpcNotFound]) {
      expectSecurityHeaders(res, String(res.statusCode));
      expect(res.headers['cache-control']).toBe('no-store');
    }
    // (429 is checked with the per-address limit above)
  });

  describe('500', () => {
    let harness: Harness;
    let app: FastifyInstance;
    let token: string;
    beforeAll(async () => {
      harness = await createHarness();
      app = await buildServer({ config: harness.config, db: harness.db });
      app.get('/api/test-boom', async () => {
        throw new Error('connect ECONNREFUSED db.internal.example:5432 while running SELECT password_hash FROM users');
      });
      await app.ready();
      token = await harness.tokenFor(await harness.createUser({ role: 'admin' }));
    });
    afterAll(async () => {
      await app.close();
      await harness.close();
    });

    it('a failing route answers a generic message with the request id, never the cause', async () => {
      const res = await app.inject({ method: 'GET', url: '/api/test-boom' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Internal server error', requestId: res.headers['x-request-id'] });
      expectSecurityHeaders(res, '500');
      expect(res.body).not.toMatch(/ECONNREFUSED|db\.internal|SELECT|password_hash|stack|at /);
    });

    it('a database failure inside a procedure answers the same over REST and tRPC', async () => {
      await harness.db.close();
      const rest = await app.inject({ method: 'GET', url: '/api/users', headers: bearer(token) });
      const trpc = await app.inject({ method: 'GET', url: '/trpc/users.list', headers: bearer(token) });
      for (const res of [rest, trpc]) {
        expect(res.statusCode).toBe(500);
        expectSecurityHeaders(res, '500');
        expect(res.body).toContain(String(res.headers['x-request-id']));
        expect(res.body).toContain('Internal server error');
        expect(res.body).not.toMatch(/ECONNREFUSED|postgres|pglite|relation|select |stack|\bat \w/i);
      }
      expect(rest.json()).toEqual({ error: 'Internal server error', requestId: rest.headers['x-request-id'] });
    });
  });
});

describe('the log', () => {
  it('records sign-in successes and failures, refusals and validation failures, but never a password or a token', async () => {
    const chunks: string[] = [];
    const logStream = new Writable({
      write(chunk: Buffer, _enc, done) {
        chunks.push(chunk.toString('utf8'));
        done();
      },
    });
    const harness = await createHarness({ LOG_LEVEL: 'trace' });
    const app = await buildServer({ config: harness.config, db: harness.db, logStream });
    await app.ready();
    const tokens: string[] = [];
    const passwords = [TEST_PASSWORD, 'wrong-guess-Xq7', 'brand-new-Secret-93-kayak', 'password123'];
    try {
      const user = await harness.createUser({ role: 'admin' });
      const login = await loginOn(app, user.email, TEST_PASSWORD);
      tokens.push(login.json().token);
      await loginOn(app, user.email, 'wrong-guess-Xq7');
      await app.inject({ method: 'GET', url: '/api/auth/me', headers: bearer(tokens[0] ?? '') });
      await app.inject({
        method: 'GET',
        url: `/trpc/auth.me?input=${encodeURIComponent(JSON.stringify({ token: tokens[0] }))}`,
        headers: bearer(tokens[0] ?? ''),
      });
      const change = await app.inject({
        method: 'POST',
        url: '/trpc/auth.changePassword',
        headers: bearer(tokens[0] ?? ''),
        payload: { currentPassword: TEST_PASSWORD, newPassword: 'brand-new-Secret-93-kayak' },
      });
      tokens.push(change.json().result.data.token);
      await app.inject({
        method: 'POST',
        url: '/api/auth/activate',
        payload: { email: 'c@example.com', code: 'ABCD-EFGH-JKLM-NPQR', password: 'password123' },
      });
      const colleague = await harness.createUser({ role: 'sales' });
      const reset = await app.inject({
        method: 'POST',
        url: `/api/users/${colleague.id}/reset-password`,
        headers: bearer(tokens[1] ?? ''),
        payload: {},
      });
      expect(reset.statusCode).toBe(200);
      passwords.push(reset.json().temporaryPassword);
      await app.inject({ method: 'GET', url: '/api/users', headers: { authorization: `Bearer ${tokens[0]}` } });
    } finally {
      await app.close();
      await harness.close();
    }
    const log = chunks.join('');
    expect(log.length).toBeGreaterThan(1000);
    for (const token of tokens) {
      expect(log).not.toContain(token);
      // not even the signature part on its own
      expect(log).not.toContain(token.split('.')[2]);
    }
    for (const password of passwords) expect(log).not.toContain(password);
    expect(log).not.toContain(TEST_SECRET);
    const events = chunks
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event?: string; reqId?: string });
    for (const event of ['auth.login.success', 'auth.login.failure', 'auth.password_change', 'validation.failed', 'authn.required']) {
      expect(
        events.some((e) => e.event === event),
        event,
      ).toBe(true);
    }
    expect(events.filter((e) => e.event).every((e) => typeof e.reqId === 'string')).toBe(true);
  });
});
