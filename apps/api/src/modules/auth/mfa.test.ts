/**
 * Two-step sign-in as clients see it (REST through app.inject, tRPC through callers): enrolment,
 * the sign-in challenge, wrong and replayed codes, recovery codes, the role policy
 * (MFA_REQUIRED_ROLES=admin here), turning it off, an admin's reset, secrets kept out of payloads
 * and logs, the lockout, and the re-sealing of secrets after a key rotation.
 */
import { Writable } from 'node:stream';
import { INVALID_CREDENTIALS_MESSAGE, MFA_REQUIRED_MESSAGE, MFA_SETUP_REQUIRED_MESSAGE } from '@netflow/contracts';
import { auditLog, mfaRecoveryCodes, signInFailures, users } from '@netflow/db';
import { and, asc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import * as OTPAuth from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config';
import { rotateSealedColumns } from '../../lib/sealed-columns';
import { createSecretBox, secretBox, useEncryptionKeys } from '../../lib/secrets';
import { buildServer } from '../../server';
import { codeOf, createHarness, TEST_ENCRYPTION_KEY, TEST_PASSWORD, type Harness } from '../../test/harness';
import { totpAad } from './mfa-codes';

const THRESHOLD = 3;
let t: Harness;
let app: FastifyInstance;
const logLines: string[] = [];

beforeAll(async () => {
  t = await createHarness({ MFA_REQUIRED_ROLES: 'admin', LOG_LEVEL: 'trace', LOGIN_LOCKOUT_THRESHOLD: String(THRESHOLD) });
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  app = await buildServer({ config: t.config, db: t.db, logStream });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await t.close();
});

const headers = (token?: string) => (token ? { authorization: `Bearer ${token}` } : {});
const post = (url: string, payload: unknown, token?: string) =>
  app.inject({ method: 'POST', url, payload: payload as object, headers: headers(token) });
const get = (url: string, token?: string) => app.inject({ method: 'GET', url, headers: headers(token) });

/** The code of the authenticator app `offset` steps from now (0: now, 1: the next 30 s). */
function codeOfSecret(secret: string, offset = 0): string {
  const totp = new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
  return totp.generate({ timestamp: Date.now() + offset * 30_000 });
}

/** A 6-digit code that matches no step near now. */
function wrongCodeFor(secret: string): string {
  const near = new Set([-2, -1, 0, 1, 2].map((offset) => codeOfSecret(secret, offset)));
  return ['000000', '111111', '222222', '333333', '444444', '555555'].find((c) => !near.has(c)) ?? '999999';
}

async function userRow(id: string) {
  const [row] = await t.db.db.select().from(users).where(eq(users.id, id));
  if (!row) throw new Error('no such user');
  return row;
}
async function auditRows(action: string, entityId: string) {
  return t.db.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.id));
}
async function login(identifier: string, totp?: string, password = TEST_PASSWORD) {
  return post('/api/auth/login', { identifier, password, ...(totp === undefined ? {} : { totp }) });
}

/** A user of `role` with two-step sign-in on, enrolled over REST: its secret and recovery codes. */
async function enrolled(role: 'admin' | 'manager' | 'support' = 'support') {
  const user = await t.createUser({ role });
  const token = await t.tokenFor(user);
  const setup = await post('/api/auth/mfa/setup', {}, token);
  expect(setup.statusCode).toBe(200);
  const { secret } = setup.json<{ secret: string }>();
  const enable = await post('/api/auth/mfa/enable', { code: codeOfSecret(secret) }, token);
  expect(enable.statusCode).toBe(200);
  return { user, token, secret, recoveryCodes: enable.json<{ recoveryCodes: string[] }>().recoveryCodes };
}

describe('enrolment', () => {
  it('setup answers the secret, otpauth URL and an SVG QR code; the secret is stored sealed and pending', async () => {
    const user = await t.createUser({ role: 'support', email: 'wambui.mfa@example.test' });
    const token = await t.tokenFor(user);
    const res = await post('/api/auth/mfa/setup', {}, token);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    const url = new URL(body.otpauthUrl);
    expect(url.protocol).toBe('otpauth:');
    expect(url.host).toBe('totp');
    expect(Object.fromEntries(url.searchParams)).toMatchObject({ secret: body.secret, algorithm: 'SHA1', digits: '6', period: '30' });
    expect(decodeURIComponent(url.pathname)).toContain('wambui.mfa@example.test');
    expect(body.qrSvg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(body.qrSvg).not.toMatch(/<script|on\w+=/i);

    const row = await userRow(user.id);
    expect(row.mfaSecret).toBeNull();
    expect(row.mfaEnabledAt).toBeNull();
    expect(row.mfaPendingSecret).toMatch(/^v1\./);
    expect(row.mfaPendingSecret).not.toContain(body.secret);
    // Not active yet: sign-in does not ask for a code.
    expect((await login(user.email)).statusCode).toBe(200);
    expect(await auditRows('auth.mfa_setup', user.id)).toHaveLength(1);
  });

  it('enable refuses a wrong code (400, nothing changed) and takes a right one: 10 distinct recovery codes, stored hashed', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await t.tokenFor(user);
    expect((await post('/api/auth/mfa/enable', { code: '123456' }, token)).json()).toMatchObject({ error: 'Start the setup first' });
    const { secret } = (await post('/api/auth/mfa/setup', {}, token)).json();
    const right = codeOfSecret(secret);
    const bad = await post('/api/auth/mfa/enable', { code: wrongCodeFor(secret) }, token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fieldErrors.code).toBeDefined();
    expect((await userRow(user.id)).mfaEnabledAt).toBeNull();
    expect((await post('/api/auth/mfa/enable', { code: 'abc' }, token)).statusCode).toBe(400);

    const res = await post('/api/auth/mfa/enable', { code: right }, token);
    expect(res.statusCode).toBe(200);
    const codes = res.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    const row = await userRow(user.id);
    expect(row.mfaEnabledAt).toBeInstanceOf(Date);
    expect(row.mfaPendingSecret).toBeNull();
    expect(secretBox().open(row.mfaSecret ?? '', totpAad(user.id))).toBe(secret);
    const stored = await t.db.db.select().from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
    expect(stored).toHaveLength(10);
    for (const s of stored) expect(codes.some((c) => s.codeHash.includes(c) || s.codeHash.includes(c.replace(/-/g, '')))).toBe(false);
    expect(await auditRows('auth.mfa_enable', user.id)).toHaveLength(1);

    // A second enrolment while on: 409.
    expect((await post('/api/auth/mfa/setup', {}, token)).statusCode).toBe(409);
    const me = (await get('/api/auth/me', token)).json();
    expect(me).toMatchObject({ mfaEnabled: true, mfaRequired: false });
  });
});

describe('sign-in with two-step sign-in on', () => {
  it('a right password without a code: 401 "MFA required"; a wrong password without one: "Invalid credentials"', async () => {
    const { user } = await enrolled();
    const res = await login(user.email);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: MFA_REQUIRED_MESSAGE });
    const wrong = await login(user.email, undefined, 'Wrong-Password-99');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    // A wrong password with a right code is still just invalid credentials.
    expect((await login(user.email, '123456', 'Wrong-Password-99')).json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
  });

  it('a right code signs in; the same code again (replay) and a wrong code are refused', async () => {
    const { user, secret } = await enrolled();
    const code = codeOfSecret(secret, 1);
    const ok = await login(user.email, code);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().token).toEqual(expect.any(String));
    const replay = await login(user.email, code);
    expect(replay.statusCode).toBe(401);
    expect(replay.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    expect((await login(user.email, wrongCodeFor(secret))).json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    // The code of an earlier step than the last used one is refused too.
    expect((await login(user.email, codeOfSecret(secret, 0))).statusCode).toBe(401);
    const reasons = (await auditRows('auth.login', user.id)).map((r) => [r.outcome, r.reason]);
    expect(reasons).toContainEqual(['success', null]);
    // The third failure in a row (LOGIN_LOCKOUT_THRESHOLD=3 here) also locks the network.
    expect(reasons.filter(([, reason]) => reason?.startsWith('wrong second-step code'))).toHaveLength(3);
    const success = (await auditRows('auth.login', user.id)).find((r) => r.outcome === 'success');
    expect(success?.changes).toEqual({ secondStep: 'totp' });
  });

  it('a recovery code works once (any case, with or without dashes), tRPC too', async () => {
    const { user, recoveryCodes } = await enrolled();
    const [first = '', second = ''] = recoveryCodes;
    expect((await login(user.email, first.toLowerCase())).statusCode).toBe(200);
    expect((await login(user.email, first)).json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    const result = await t.caller().auth.login({ identifier: user.email, password: TEST_PASSWORD, totp: second.replace(/-/g, '') });
    expect(result.user.id).toBe(user.id);
    const used = await t.db.db.select().from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id));
    expect(used.filter((c) => c.usedAt !== null)).toHaveLength(2);
    // A recovery code of another user does not work here.
    const other = await enrolled();
    expect((await login(user.email, other.recoveryCodes[0])).statusCode).toBe(401);
  });

  it('wrong codes count towards the lockout like wrong passwords; a locked network refuses even the right code', async () => {
    const { user, secret } = await enrolled();
    for (let i = 0; i < THRESHOLD; i += 1) expect((await login(user.email, wrongCodeFor(secret))).statusCode).toBe(401);
    const failures = await t.db.db.select().from(signInFailures).where(eq(signInFailures.userId, user.id));
    expect(failures).toHaveLength(THRESHOLD);
    const locked = await login(user.email, codeOfSecret(secret, 1));
    expect(locked.statusCode).toBe(401);
    expect(locked.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    const last = (await auditRows('auth.login', user.id)).at(-1);
    expect(last?.reason).toMatch(/^account locked/);
    // Locked: not even "MFA required" tells whether the password is right.
    expect((await login(user.email)).json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
  });

  it('a code sent for an account without two-step sign-in is ignored; a malformed code is a 400', async () => {
    const user = await t.createUser({ role: 'support' });
    expect((await login(user.email, '123456')).statusCode).toBe(200);
    const bad = await login(user.email, '12<script>');
    expect(bad.statusCode).toBe(400);
  });
});

describe('turning it off and new recovery codes', () => {
  it('disable needs the password and a current code: wrong either answers 400 and counts; right answers 204', async () => {
    const { user, token, secret } = await enrolled();
    const noCode = await post('/api/auth/mfa/disable', { password: TEST_PASSWORD }, token);
    expect(noCode.statusCode).toBe(400);
    const wrongPassword = await post('/api/auth/mfa/disable', { password: 'Not-The-Password-1', code: codeOfSecret(secret, 1) }, token);
    expect(wrongPassword.statusCode).toBe(400);
    expect(wrongPassword.json()).toEqual({ error: 'Wrong password or code' });
    const wrongCode = await post('/api/auth/mfa/disable', { password: TEST_PASSWORD, code: wrongCodeFor(secret) }, token);
    expect(wrongCode.json()).toEqual({ error: 'Wrong password or code' });
    expect((await userRow(user.id)).mfaEnabledAt).not.toBeNull();
    expect(await t.db.db.select().from(signInFailures).where(eq(signInFailures.userId, user.id))).toHaveLength(2);

    const res = await post('/api/auth/mfa/disable', { password: TEST_PASSWORD, code: codeOfSecret(secret, 1) }, token);
    expect(res.statusCode).toBe(204);
    const row = await userRow(user.id);
    expect([row.mfaSecret, row.mfaPendingSecret, row.mfaEnabledAt, row.mfaLastStep]).toEqual([null, null, null, null]);
    expect(await t.db.db.select().from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, user.id))).toHaveLength(0);
    expect((await login(user.email)).statusCode).toBe(200);
    const audits = await auditRows('auth.mfa_disable', user.id);
    expect(audits.map((a) => a.outcome)).toEqual(['failure', 'failure', 'success']);
    expect((await post('/api/auth/mfa/disable', { password: TEST_PASSWORD, code: '123456' }, token)).statusCode).toBe(409);
  });

  it('recovery-codes answers a fresh set; the old ones stop working', async () => {
    const { user, token, secret, recoveryCodes } = await enrolled();
    const res = await post('/api/auth/mfa/recovery-codes', { password: TEST_PASSWORD, code: codeOfSecret(secret, 1) }, token);
    expect(res.statusCode).toBe(200);
    const fresh = res.json().recoveryCodes as string[];
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    expect((await login(user.email, recoveryCodes[0])).statusCode).toBe(401);
    expect((await login(user.email, fresh[0])).statusCode).toBe(200);
    // A recovery code also confirms the change.
    const again = await post('/api/auth/mfa/recovery-codes', { password: TEST_PASSWORD, code: fresh[1] }, token);
    expect(again.statusCode).toBe(200);
  });
});

describe('MFA_REQUIRED_ROLES=admin', () => {
  it('an admin without it gets 403 "MFA setup required" everywhere but the profile and enrolment, then everything after enrolling', async () => {
    const admin = await t.createUser({ role: 'admin' });
    const signIn = await login(admin.email);
    expect(signIn.statusCode).toBe(200);
    const token = signIn.json().token as string;
    const me = await get('/api/auth/me', token);
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ mfaEnabled: false, mfaRequired: true });
    const users403 = await get('/api/users', token);
    expect(users403.statusCode).toBe(403);
    expect(users403.json()).toEqual({ error: MFA_SETUP_REQUIRED_MESSAGE });
    expect((await get('/api/customers', token)).statusCode).toBe(403);
    expect((await get('/api/staff/assignable?work=tickets', token)).json()).toEqual({ error: MFA_SETUP_REQUIRED_MESSAGE });
    expect((await get('/api/customers/export', token)).statusCode).toBe(403);
    // tRPC: FORBIDDEN with the message.
    await expect(t.caller(admin).users.list({})).rejects.toMatchObject({ code: 'FORBIDDEN', message: MFA_SETUP_REQUIRED_MESSAGE });
    expect(await codeOf(t.caller(admin).auth.me({}))).toBe('OK');
    expect((await get('/api/auth/verify', token)).statusCode).toBe(200);
    // Other roles are not affected.
    const manager = await t.createUser({ role: 'manager' });
    expect(await codeOf(t.caller(manager).users.list({}))).toBe('OK');

    const { secret } = (await post('/api/auth/mfa/setup', {}, token)).json();
    expect((await post('/api/auth/mfa/enable', { code: codeOfSecret(secret) }, token)).statusCode).toBe(200);
    expect((await get('/api/users', token)).statusCode).toBe(200);
    expect(await codeOf(t.caller(admin).users.list({}))).toBe('OK');
  });

  it('password change and logout stay reachable before enrolment', async () => {
    const admin = await t.createUser({ role: 'admin' });
    const token = await t.tokenFor(admin);
    const change = await post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'Another-Long-Pass-77' }, token);
    expect(change.statusCode).toBe(204);
    const fresh = (await login(admin.email, undefined, 'Another-Long-Pass-77')).json().token as string;
    expect((await post('/api/auth/logout', {}, fresh)).statusCode).toBe(204);
  });
});

describe('admin reset', () => {
  it("clears another user's two-step sign-in, ends their sessions, audited; not one's own; managers may not", async () => {
    const admin = await enrolled('admin');
    const target = await enrolled('support');
    const targetToken = (await login(target.user.email, codeOfSecret(target.secret, 1))).json().token as string;
    expect((await get('/api/auth/me', targetToken)).statusCode).toBe(200);

    const manager = await enrolled('manager');
    expect((await post(`/api/users/${target.user.id}/mfa/reset`, {}, manager.token)).statusCode).toBe(403);
    expect((await post(`/api/users/${admin.user.id}/mfa/reset`, {}, admin.token)).statusCode).toBe(403);
    expect((await post('/api/users/00000000-0000-4000-8000-000000000000/mfa/reset', {}, admin.token)).statusCode).toBe(404);

    const res = await post(`/api/users/${target.user.id}/mfa/reset`, {}, admin.token);
    expect(res.statusCode).toBe(204);
    const row = await userRow(target.user.id);
    expect([row.mfaSecret, row.mfaEnabledAt, row.mfaLastStep]).toEqual([null, null, null]);
    expect(await t.db.db.select().from(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, target.user.id))).toHaveLength(0);
    expect((await get('/api/auth/me', targetToken)).statusCode).toBe(401);
    const [entry] = await auditRows('user.mfa_reset', target.user.id);
    expect(entry).toMatchObject({
      actorId: admin.user.id,
      outcome: 'success',
      changes: { mfa: { from: 'on', to: 'off' }, sessionsEnded: true },
    });
    // Signs in with the password alone now (support is not a required role).
    expect((await login(target.user.email)).statusCode).toBe(200);
    const listed = (await get(`/api/users/${target.user.id}`, admin.token)).json();
    expect(listed.mfaEnabled).toBe(false);
    expect((await get(`/api/users/${admin.user.id}`, admin.token)).json().mfaEnabled).toBe(true);
  });
});

describe('secrets stay out of payloads and logs', () => {
  it('no user payload carries MFA columns; logs hold neither the secret, codes nor sealed values', async () => {
    const { user, token, secret, recoveryCodes } = await enrolled('admin');
    const code = codeOfSecret(secret, 1);
    const signedIn = await login(user.email, code);
    const bodies = [
      signedIn.body,
      (await get('/api/auth/me', token)).body,
      (await get('/api/users?limit=100', token)).body,
      (await get(`/api/users/${user.id}`, token)).body,
    ];
    const row = await userRow(user.id);
    for (const body of bodies) {
      expect(body).not.toMatch(/mfaSecret|mfaPendingSecret|mfaLastStep|mfaEnabledAt|recovery/i);
      expect(body).not.toContain(secret);
      expect(body).not.toContain(row.mfaSecret ?? 'unset');
    }
    const logs = logLines.join('\n');
    expect(logs.length).toBeGreaterThan(0);
    // The code quoted, as a logged body would hold it (bare, six digits could sit inside a timestamp).
    for (const needle of [secret, row.mfaSecret ?? 'unset', `"${code}"`, ...recoveryCodes]) expect(logs).not.toContain(needle);
    const audits = await t.db.db.select({ changes: auditLog.changes }).from(auditLog);
    const auditText = JSON.stringify(audits);
    for (const needle of [secret, row.mfaSecret ?? 'unset', ...recoveryCodes]) expect(auditText).not.toContain(needle);
  });
});

describe('pnpm secrets:rotate', () => {
  it('re-seals every value under the new key (old key as previous), idempotently; then the new key alone opens all', async () => {
    const keyA = TEST_ENCRYPTION_KEY;
    const keyB = 'second-encryption-key-that-is-long-enough-0123456789';
    const a = await enrolled();
    const b = await enrolled();
    const pending = await t.createUser({ role: 'support' });
    const pendingSecret = (await post('/api/auth/mfa/setup', {}, await t.tokenFor(pending))).json().secret as string;

    const rotated = loadConfig({
      NODE_ENV: 'test',
      APP_ENCRYPTION_KEY: keyB,
      APP_ENCRYPTION_KEY_PREVIOUS: keyA,
      DATA_DIR: t.config.dataDir,
    });
    const box = createSecretBox(rotated.encryption);
    const counts = await rotateSealedColumns(t.db.db, box, { batchSize: 2 });
    const byName = Object.fromEntries(counts.map((c) => [c.name, c]));
    expect(byName['users.mfa_secret']).toMatchObject({ failed: 0, skipped: 0 });
    expect(byName['users.mfa_secret']?.resealed).toBeGreaterThanOrEqual(2);
    expect(byName['users.mfa_pending_secret']).toMatchObject({ failed: 0, skipped: 0 });
    expect(byName['users.mfa_pending_secret']?.resealed).toBeGreaterThanOrEqual(1);

    const again = await rotateSealedColumns(t.db.db, box, { batchSize: 2 });
    for (const c of again) expect(c).toMatchObject({ resealed: 0, failed: 0, current: c.scanned });

    const onlyB = createSecretBox({ key: keyB, previousKeys: [] });
    const rows = await t.db.db.select().from(users);
    for (const row of rows) {
      if (row.mfaSecret) expect(() => onlyB.open(row.mfaSecret ?? '', totpAad(row.id))).not.toThrow();
      if (row.mfaPendingSecret) expect(() => onlyB.open(row.mfaPendingSecret ?? '', `totp-pending:${row.id}`)).not.toThrow();
    }
    expect(onlyB.open((await userRow(a.user.id)).mfaSecret ?? '', totpAad(a.user.id))).toBe(a.secret);
    expect(onlyB.open((await userRow(pending.id)).mfaPendingSecret ?? '', `totp-pending:${pending.id}`)).toBe(pendingSecret);

    // The server under B alone signs in with codes of the re-sealed secrets.
    useEncryptionKeys({ key: keyB, previousKeys: [] });
    try {
      expect((await login(b.user.email, codeOfSecret(b.secret, 1))).statusCode).toBe(200);
    } finally {
      useEncryptionKeys(t.config.encryption);
    }
    // A value no configured key opens is counted as failed and left alone.
    const stranger = createSecretBox({ key: 'a-key-nobody-configured-0123456789abcdefghij', previousKeys: [] });
    await t.db.db
      .update(users)
      .set({ mfaPendingSecret: stranger.seal('JBSWY3DPEHPK3PXP', `totp-pending:${pending.id}`) })
      .where(eq(users.id, pending.id));
    const withFailure = await rotateSealedColumns(t.db.db, box);
    expect(withFailure.find((c) => c.name === 'users.mfa_pending_secret')?.failed).toBe(1);
  });
});

describe('MFA_REQUIRED_ROLES', () => {
  const base = { NODE_ENV: 'test', JWT_SECRET: 'x'.repeat(40), AUDIT_KEY: 'y'.repeat(40), APP_ENCRYPTION_KEY: 'z'.repeat(40) };
  it('defaults to admin; empty means no role; a list; an unknown role is refused', () => {
    expect(loadConfig(base).mfa.requiredRoles).toEqual(['admin']);
    expect(loadConfig({ ...base, MFA_REQUIRED_ROLES: '' }).mfa.requiredRoles).toEqual([]);
    expect(loadConfig({ ...base, MFA_REQUIRED_ROLES: 'admin, finance,admin' }).mfa.requiredRoles).toEqual(['admin', 'finance']);
    expect(() => loadConfig({ ...base, MFA_REQUIRED_ROLES: 'admin,root' })).toThrow(/MFA_REQUIRED_ROLES/);
  });
});
