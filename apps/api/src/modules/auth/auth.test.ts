/**
 * The auth answers as a client sees them (REST and tRPC), and the password rules: argon2id
 * parameters and rehash, length limits without truncation, the common-password list (also dressed
 * up with spaces or invisible characters), no hashing of oversized input, and what the audit trail
 * keeps of an identifier that matches no account. The attacker's view is in attacker.test.ts,
 * account requests and activation in activation.test.ts.
 */
import { INVALID_CREDENTIALS_MESSAGE, REGISTER_ACCEPTED_MESSAGE } from '@netflow/contracts';
import { auditLog, users } from '@netflow/db';
import argon2 from 'argon2';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD } from '../../test/harness';
import {
  BLANK_PASSWORD_MESSAGE,
  COMMON_PASSWORD_MESSAGE,
  commonPasswords,
  PADDED_PASSWORD_MESSAGE,
  passwordProblem,
  PERSONAL_PASSWORD_MESSAGE,
} from './password-policy';
import { passwordWork, setHashCostForTests } from './passwords';
import { unknownIdentifierLabel } from './service';

// The argon2 parameters are a subject of this file: hash at production cost here.
setHashCostForTests('production');

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: unknown, token?: string) =>
  t.app.inject({ method: 'POST', url, payload: payload as object, headers: token ? { authorization: `Bearer ${token}` } : {} });
const get = (url: string, token?: string) =>
  t.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

async function userRow(email: string) {
  const [row] = await t.db.db.select().from(users).where(eq(users.email, email));
  return row;
}
async function auditRows(action: string, entityId?: string) {
  return t.db.db
    .select()
    .from(auditLog)
    .where(entityId ? and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)) : eq(auditLog.action, action));
}
async function loginToken(identifier: string, password = TEST_PASSWORD) {
  const res = await post('/api/auth/login', { identifier, password });
  expect(res.statusCode).toBe(200);
  return res.json().token as string;
}

describe('POST /api/auth/register', () => {
  it('answers 202 with the generic body and records a pending request without any password, audited', async () => {
    const res = await post('/api/auth/register', {
      name: 'Wanjiru Kamau',
      email: '  Wanjiru@Example.COM ',
      phone: '0712 345 678',
      password: 'kettle-orbit-93-lamp',
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ message: REGISTER_ACCEPTED_MESSAGE });
    const row = await userRow('wanjiru@example.com');
    expect(row).toMatchObject({ name: 'Wanjiru Kamau', phone: '0712345678', status: 'pending', role: 'sales', failedLoginCount: 0 });
    // Whatever the registrant sends as a password is never stored: nobody can sign in with it, ever.
    expect(row?.passwordHash).toBeNull();
    expect((await post('/api/auth/login', { identifier: 'wanjiru@example.com', password: 'kettle-orbit-93-lamp' })).statusCode).toBe(401);
    const audits = await auditRows('user.register', row?.id);
    expect(audits).toHaveLength(1);
    expect(audits[0]?.outcome).toBe('success');
    expect(JSON.stringify(audits[0])).not.toContain('kettle-orbit');
  });

  it('answers exactly the same when the e-mail or phone exists, and leaves that account untouched', async () => {
    const before = await userRow('wanjiru@example.com');
    const sameEmail = await post('/api/auth/register', { name: 'Impostor', email: 'WANJIRU@example.com' });
    const samePhone = await post('/api/auth/register', { name: 'Impostor', email: 'new.person@example.com', phone: '0712345678' });
    for (const res of [sameEmail, samePhone]) {
      expect(res.statusCode).toBe(202);
      expect(res.json()).toEqual({ message: REGISTER_ACCEPTED_MESSAGE });
    }
    expect(await userRow('wanjiru@example.com')).toEqual(before);
    expect(await userRow('new.person@example.com')).toBeUndefined();
    const failures = (await auditRows('user.register')).filter((r) => r.outcome === 'failure');
    expect(failures).toHaveLength(2);
  });

  it('refuses invalid e-mail and phone with field errors', async () => {
    const res = await post('/api/auth/register', { name: 'X', email: 'not-an-email', phone: '12345' });
    expect(res.statusCode).toBe(400);
    expect(Object.keys(res.json().fieldErrors).sort()).toEqual(['email', 'phone']);
  });
});

describe('the password policy', () => {
  it.each([
    ['too short', 'short1!', /at least 8/],
    ['too long', 'x'.repeat(129), /at most 128/],
    ['common', 'password123', COMMON_PASSWORD_MESSAGE],
    ['common in another case', 'PassWord123', COMMON_PASSWORD_MESSAGE],
    ['only spaces', ' '.repeat(12), BLANK_PASSWORD_MESSAGE],
    ['only zero-width characters', '\u200B'.repeat(9), BLANK_PASSWORD_MESSAGE],
    ['common with trailing spaces', 'password1   ', COMMON_PASSWORD_MESSAGE],
    ['common with leading spaces', '  iloveyou1', COMMON_PASSWORD_MESSAGE],
    ['common with a zero-width space inside', 'pass\u200Bword123', COMMON_PASSWORD_MESSAGE],
    ['common with a BOM and a word joiner', '\uFEFFfootball\u2060', COMMON_PASSWORD_MESSAGE],
    ['common with a space inside', 'sun shine1', COMMON_PASSWORD_MESSAGE],
    ['short once the padding is gone', 'Xq7!z    ', PADDED_PASSWORD_MESSAGE],
    ['the e-mail itself', 'otieno.wafula@example.com', PERSONAL_PASSWORD_MESSAGE],
    ['the e-mail name with a trailing space', 'otieno.wafula ', PERSONAL_PASSWORD_MESSAGE],
  ])('refuses a %s password when an admin creates a user, with a field error, creating nothing', async (_label, password, message) => {
    const admin = await t.tokenFor(await t.createUser({ role: 'admin' }));
    const res = await post('/api/users', { name: 'Otieno Wafula', email: 'otieno.wafula@example.com', role: 'sales', password }, admin);
    expect(res.statusCode).toBe(400);
    expect(res.json().fieldErrors.password[0]).toMatch(message);
    expect(await userRow('otieno.wafula@example.com')).toBeUndefined();
  });

  it('applies to a password change, an admin-set password and an activation alike', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await loginToken(user.email);
    const admin = await t.tokenFor(await t.createUser({ role: 'admin' }));
    const before = await userRow(user.email);
    for (const bad of ['          ', 'qwerty123\u200B', '  letmein1  ']) {
      const change = await post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: bad }, token);
      expect(change.statusCode).toBe(400);
      expect(change.json().fieldErrors.newPassword).toHaveLength(1);
      const reset = await post(`/api/users/${user.id}/reset-password`, { password: bad }, admin);
      expect(reset.statusCode).toBe(400);
      expect(reset.json().fieldErrors.password).toHaveLength(1);
      const activate = await post('/api/auth/activate', { email: user.email, code: 'ABCD-EFGH-JKLM-NPQR', password: bad });
      expect(activate.statusCode).toBe(400);
      expect(activate.json().fieldErrors.password).toHaveLength(1);
    }
    expect((await userRow(user.email))?.passwordHash).toBe(before?.passwordHash);
    expect(await loginToken(user.email)).toEqual(expect.any(String));
  });

  it('still accepts strong passwords with inner spaces, emoji joiners and non-Latin letters', () => {
    for (const good of ['correct horse battery staple', 'kettle orbit 93 lamp', 'mama👩‍👩‍👧nyumbani', 'Ни одного пароля 42']) {
      expect(passwordProblem(good), good).toBeNull();
    }
  });
});

describe('POST /api/auth/login', () => {
  it('signs in by e-mail in any case and with spaces: token, expiry and the public user, audited', async () => {
    const user = await t.createUser({ role: 'support', email: 'amina.support@example.com', phone: '0722000111' });
    const res = await post('/api/auth/login', { identifier: '  Amina.Support@EXAMPLE.com ', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['expiresAt', 'token', 'user']);
    expect(body.user).toEqual({
      id: user.id,
      name: user.name,
      email: 'amina.support@example.com',
      phone: '0722000111',
      role: 'support',
      status: 'active',
      lastLoginAt: expect.any(String),
      createdAt: expect.any(String),
    });
    const hoursLeft = (Date.parse(body.expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    expect(res.headers['cache-control']).toBe('no-store');
    const [success] = (await auditRows('auth.login', user.id)).filter((r) => r.outcome === 'success');
    expect(success).toMatchObject({ actorId: user.id, ip: '127.0.0.1', requestId: res.headers['x-request-id'] });
  });

  it('signs in by 10-digit phone, spaces and dashes ignored', async () => {
    const res = await post('/api/auth/login', { identifier: '0722-000 111', password: TEST_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect(res.json().user.email).toBe('amina.support@example.com');
  });

  it('answers 401 "Invalid credentials" to a wrong password and counts the failure', async () => {
    const res = await post('/api/auth/login', { identifier: 'amina.support@example.com', password: 'wrong-password-1' });
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    expect((await userRow('amina.support@example.com'))?.failedLoginCount).toBe(1);
    const failure = (await auditRows('auth.login')).find((r) => r.outcome === 'failure' && r.reason === 'wrong password');
    expect(failure).toBeDefined();
  });

  it('a success resets the failure counter', async () => {
    await loginToken('amina.support@example.com');
    expect((await userRow('amina.support@example.com'))?.failedLoginCount).toBe(0);
  });

  it('upgrades a hash made with weaker parameters at the next sign-in', async () => {
    const weak = await argon2.hash(TEST_PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
    const user = await t.createUser({ role: 'finance' });
    await t.db.db.update(users).set({ passwordHash: weak }).where(eq(users.id, user.id));
    await loginToken(user.email);
    const row = await userRow(user.email);
    expect(row?.passwordHash).not.toBe(weak);
    expect(row?.passwordHash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const [success] = (await auditRows('auth.login', user.id)).filter((r) => r.outcome === 'success');
    expect(success?.changes).toEqual({ credentialUpgraded: true });
    // and the upgraded hash still verifies
    await loginToken(user.email);
  });

  it('never truncates: a 128-character password must be typed in full', async () => {
    const long = 'Kx9!'.repeat(32);
    expect(long).toHaveLength(128);
    const user = await t.createUser({ role: 'sales', password: long });
    expect((await post('/api/auth/login', { identifier: user.email, password: long.slice(0, 127) })).statusCode).toBe(401);
    expect((await post('/api/auth/login', { identifier: user.email, password: long.slice(0, 72) })).statusCode).toBe(401);
    expect((await post('/api/auth/login', { identifier: user.email, password: long })).statusCode).toBe(200);
  });
});

describe('the signed-in session', () => {
  it('GET /api/auth/me answers {user} without hash, secret or token fields', async () => {
    const user = await t.createUser({ role: 'manager' });
    const token = await loginToken(user.email);
    const res = await get('/api/auth/me', token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      user: expect.objectContaining({ id: user.id, email: user.email, role: 'manager', status: 'active' }),
      mfaEnabled: false,
      mfaRequired: false,
    });
    expect(res.body).not.toMatch(/hash|secret|token|argon/i);
  });

  it('GET /api/auth/verify answers {valid: true, userId, expiresAt}', async () => {
    const user = await t.createUser({ role: 'technician' });
    const login = await post('/api/auth/login', { identifier: user.email, password: TEST_PASSWORD });
    const { token, expiresAt } = login.json();
    const res = await get('/api/auth/verify', token);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ valid: true, userId: user.id, expiresAt });
  });

  it('POST /api/auth/logout answers 204 without a body; every token issued before stops working', async () => {
    const user = await t.createUser({ role: 'sales' });
    const first = await loginToken(user.email);
    const second = await loginToken(user.email);
    const res = await t.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${first}` } });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await get('/api/auth/me', first)).statusCode).toBe(401);
    expect((await get('/api/auth/me', second)).statusCode).toBe(401);
    expect(await auditRows('auth.logout', user.id)).toHaveLength(1);
    // signing in again works
    expect((await get('/api/auth/me', await loginToken(user.email))).statusCode).toBe(200);
  });
});

describe('POST /api/auth/password', () => {
  it('REST: 204, the new password works, the old one and every earlier token do not', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await loginToken(user.email);
    const other = await loginToken(user.email);
    const res = await post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: 'quiet-harbour-58-lantern' }, token);
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe('');
    expect((await get('/api/auth/me', other)).statusCode).toBe(401);
    expect((await get('/api/auth/me', token)).statusCode).toBe(401);
    expect((await post('/api/auth/login', { identifier: user.email, password: TEST_PASSWORD })).statusCode).toBe(401);
    await loginToken(user.email, 'quiet-harbour-58-lantern');
    const [audit] = await auditRows('auth.password_change', user.id);
    expect(audit).toMatchObject({ outcome: 'success', actorId: user.id });
    expect(JSON.stringify(audit?.changes)).not.toContain('quiet-harbour');
  });

  it('tRPC: answers a fresh token for the caller while every other session ends', async () => {
    const user = await t.createUser({ role: 'finance' });
    const other = await loginToken(user.email);
    const token = await loginToken(user.email);
    const res = await post('/trpc/auth.changePassword', { currentPassword: TEST_PASSWORD, newPassword: 'amber-meadow-14-violin' }, token);
    expect(res.statusCode).toBe(200);
    const fresh = res.json().result.data;
    expect(fresh).toEqual({ token: expect.any(String), expiresAt: expect.any(String) });
    expect((await get('/api/auth/me', fresh.token)).statusCode).toBe(200);
    expect((await get('/api/auth/me', other)).statusCode).toBe(401);
    expect((await get('/api/auth/me', token)).statusCode).toBe(401);
  });

  it('a wrong current password is a 400 on currentPassword, changes nothing, and counts as a failure', async () => {
    const user = await t.createUser({ role: 'sales' });
    const token = await loginToken(user.email);
    const before = await userRow(user.email);
    const res = await post('/api/auth/password', { currentPassword: 'not-my-password', newPassword: 'amber-meadow-14-violin' }, token);
    expect(res.statusCode).toBe(400);
    expect(res.json().fieldErrors).toEqual({ currentPassword: ['Current password is incorrect'] });
    const after = await userRow(user.email);
    expect(after?.passwordHash).toBe(before?.passwordHash);
    expect(after?.failedLoginCount).toBe(1);
    expect((await get('/api/auth/me', token)).statusCode).toBe(200);
    const [audit] = await auditRows('auth.password_change', user.id);
    expect(audit).toMatchObject({ outcome: 'failure', reason: 'wrong current password' });
  });

  it.each([
    ['the same password', TEST_PASSWORD, 'Choose a password different from the current one'],
    ['a common password', 'iloveyou123', COMMON_PASSWORD_MESSAGE],
    ['too short a password', 'abc', 'Use at least 8 characters'],
  ])('refuses %s as the new one', async (_label, newPassword, message) => {
    const user = await t.createUser({ role: 'sales' });
    const token = await loginToken(user.email);
    const before = await userRow(user.email);
    const res = await post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword }, token);
    expect(res.statusCode).toBe(400);
    expect(res.json().fieldErrors.newPassword).toEqual([message]);
    expect((await userRow(user.email))?.passwordHash).toBe(before?.passwordHash);
  });
});

describe('password limits are enforced before any hashing', () => {
  const huge = 'a'.repeat(1_000_000);

  it('a 1 MB password is refused with 400 by activation, login and password change without running argon2', async () => {
    const user = await t.createUser({ role: 'sales' });
    const token = await t.tokenFor(user);
    const before = { ...passwordWork };
    const answers = await Promise.all([
      post('/api/auth/activate', { email: 'huge@example.com', code: 'ABCD-EFGH-JKLM-NPQR', password: huge }),
      post('/api/auth/login', { identifier: user.email, password: huge }),
      post('/api/auth/password', { currentPassword: huge, newPassword: 'amber-meadow-14-violin' }, token),
      post('/api/auth/password', { currentPassword: TEST_PASSWORD, newPassword: huge }, token),
      post('/trpc/auth.login', { identifier: user.email, password: huge }),
    ]);
    for (const res of answers) {
      expect(res.statusCode).toBe(400);
      expect(res.body.length).toBeLessThan(2_000);
    }
    expect(passwordWork).toEqual(before);
    expect((await userRow(user.email))?.failedLoginCount).toBe(0);
  });

  it('a body over 1 MB is refused with 413 before parsing', async () => {
    const before = { ...passwordWork };
    const res = await post('/api/auth/login', { identifier: 'someone@example.com', password: 'a'.repeat(1_100_000) });
    expect(res.statusCode).toBe(413);
    expect(passwordWork).toEqual(before);
  });
});

describe('the common-password list', () => {
  it('holds at least 10,000 passwords long enough to pass the length rule', () => {
    const list = commonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    for (const p of ['password', 'password1', '12345678', 'qwertyuiop', 'iloveyou', 'sunshine', 'football']) {
      expect(list.has(p)).toBe(true);
    }
  });
});

describe('what the audit trail keeps of a failed sign-in', () => {
  it('an identifier matching no account is kept only as a keyed hash: a password typed there is never stored', async () => {
    const typedPassword = 'My-Secret-Passw0rd!';
    const typedEmail = 'nobody.here@Example.com';
    const manager = await t.tokenFor(await t.createUser({ role: 'manager' }));
    for (const identifier of [typedPassword, typedEmail, typedPassword, `  ${typedEmail.toUpperCase()} `]) {
      expect((await post('/api/auth/login', { identifier, password: 'whatever-1234' })).statusCode).toBe(401);
    }
    const failures = (await auditRows('auth.login')).filter((r) => r.outcome === 'failure' && r.entityId === null);
    const labels = failures.map((r) => r.actorLabel);
    const forPassword = unknownIdentifierLabel(t.config.jwt.secret, typedPassword);
    const forEmail = unknownIdentifierLabel(t.config.jwt.secret, typedEmail);
    expect(forPassword).toMatch(/^unknown:[0-9a-f]{16}$/);
    // the same text gives the same label (attempts still correlate), case and spaces aside
    expect(labels.filter((l) => l === forPassword)).toHaveLength(2);
    expect(labels.filter((l) => l === forEmail)).toHaveLength(2);
    const trail = await get('/api/audit?action=auth.login&outcome=failure&limit=100', manager);
    expect(trail.statusCode).toBe(200);
    expect(trail.body).toContain(forPassword);
    for (const secret of [typedPassword, typedPassword.toLowerCase(), typedEmail.toLowerCase(), 'nobody.here']) {
      expect(trail.body).not.toContain(secret);
      expect(JSON.stringify(failures)).not.toContain(secret);
    }
    // the key is the server's: the label is not a plain hash anyone could recompute
    expect(unknownIdentifierLabel('another-secret-that-is-long-enough-0123456789', typedPassword)).not.toBe(forPassword);
  });

  it('a known account is still named by its e-mail or phone', async () => {
    const user = await t.createUser({ role: 'sales', phone: '0722999888' });
    await post('/api/auth/login', { identifier: '0722 999 888', password: 'wrong-password-1' });
    const [failure] = (await auditRows('auth.login', user.id)).filter((r) => r.outcome === 'failure');
    expect(failure?.actorLabel).toBe('0722999888');
  });
});
