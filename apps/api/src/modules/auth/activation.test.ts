/**
 * Account requests, approval and activation as the registrant, the admin and the real hire see
 * them. The attack this closes: a stranger asks for an account in a colleague-to-be's name with a
 * password of their choosing, the admin activates the pending row, and the stranger signs in with
 * the admin-given role. Now no password chosen at registration is kept, an admin's click issues a
 * single-use, expiring activation code, and only its holder sets the password.
 */
import {
  ACCOUNT_ACTIVATED_MESSAGE,
  ACTIVATION_FAILED_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  PENDING_REQUEST_CONFLICT_PREFIX,
} from '@netflow/contracts';
import { auditLog, users } from '@netflow/db';
import { and, asc, eq } from 'drizzle-orm';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD } from '../../test/harness';
import { activationCodeHash } from './service';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let adminToken: string;
let adminId: string;

beforeAll(async () => {
  t = await createTestApp({ LOGIN_LOCKOUT_THRESHOLD: '3', ACCOUNT_ACTIVATION_HOURS: '72' });
  const admin = await t.createUser({ role: 'admin' });
  adminId = admin.id;
  adminToken = await t.tokenFor(admin);
});
afterAll(async () => {
  await t.close();
});

const post = (url: string, payload: object, token?: string) =>
  t.app.inject({ method: 'POST', url, payload, headers: token ? { authorization: `Bearer ${token}` } : {} });
const patch = (url: string, payload: object, token: string) =>
  t.app.inject({ method: 'PATCH', url, payload, headers: { authorization: `Bearer ${token}` } });
const login = (identifier: string, password: string) => post('/api/auth/login', { identifier, password });
const activate = (email: string, code: string, password: string, remoteAddress?: string) =>
  t.app.inject({
    method: 'POST',
    url: '/api/auth/activate',
    payload: { email, code, password },
    ...(remoteAddress ? { remoteAddress } : {}),
  });
/** Where the real hire is: not the stranger's network (the stranger's failures lock only their own). */
const HIRE_ADDRESS = '203.0.113.20';

async function row(email: string) {
  const [r] = await t.db.db.select().from(users).where(eq(users.email, email));
  return r;
}
async function audits(action: string, entityId: string) {
  return t.db.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.action, action), eq(auditLog.entityId, entityId)))
    .orderBy(asc(auditLog.id));
}
async function request(name: string, email: string, extra: object = {}) {
  const res = await post('/api/auth/register', { name, email, ...extra });
  expect(res.statusCode).toBe(202);
  const r = await row(email);
  if (!r) throw new Error('request not recorded');
  return r;
}
async function approve(id: string, role = 'sales') {
  const res = await post(`/api/users/${id}/approve`, { role }, adminToken);
  expect(res.statusCode).toBe(200);
  return res.json<{
    user: { id: string; status: string; role: string; activationExpiresAt: string | null };
    activationCode: string;
    expiresAt: string;
  }>();
}
/** What an attacker can compare between two answers. */
const shape = (res: LightMyRequestResponse) => ({ status: res.statusCode, body: res.body, cache: res.headers['cache-control'] });

describe('the pre-claimed account attack', () => {
  const HIRE = 'new.hire@example.com';
  const ATTACKER_PASSWORD = 'attacker-chose-this-71';

  it('fails at every step, and the real hire ends up with the account and a password of their own', async () => {
    // 1. The stranger asks for an account in the hire's name, with a password of their choosing.
    const requested = await request('New Hire', HIRE, { password: ATTACKER_PASSWORD });
    expect(requested.passwordHash).toBeNull();

    // 2. The admin creates the real hire: told exactly why not, with the pending request named.
    const create = await post(
      '/api/users',
      { name: 'New Hire', email: HIRE, role: 'finance', password: 'admin-initial-58-pass' },
      adminToken,
    );
    expect(create.statusCode).toBe(409);
    expect(create.json().error).toContain(PENDING_REQUEST_CONFLICT_PREFIX);
    expect(create.json().error).toContain(HIRE);

    // 3. Activating the pending row directly is refused; nothing changes.
    const direct = await patch(`/api/users/${requested.id}`, { status: 'active' }, adminToken);
    expect(direct.statusCode).toBe(409);
    expect((await row(HIRE))?.status).toBe('pending');
    expect((await login(HIRE, ATTACKER_PASSWORD)).statusCode).toBe(401);

    // 4. Approval gives the role and a code, shown once; the stranger's password still opens nothing.
    const approved = await approve(requested.id, 'finance');
    expect(approved.activationCode).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(approved.user).toMatchObject({ status: 'pending', role: 'finance', activationExpiresAt: approved.expiresAt });
    const hoursLeft = (Date.parse(approved.expiresAt) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(71.9);
    expect(hoursLeft).toBeLessThanOrEqual(72);
    expect((await login(HIRE, ATTACKER_PASSWORD)).statusCode).toBe(401);
    // the stranger guessing a code gets the one generic answer
    const guess = await activate(HIRE, 'AAAA-BBBB-CCCC-DDDD', 'attacker-new-pass-39');
    expect(guess.statusCode).toBe(401);
    expect(guess.json()).toEqual({ error: ACTIVATION_FAILED_MESSAGE });

    // 5. The hire, handed the code in person, sets their own password (case and dashes do not matter).
    const typed = approved.activationCode.toLowerCase().replace(/-/g, ' ');
    const done = await activate(HIRE, typed, 'hire-own-secret-24-kite', HIRE_ADDRESS);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toEqual({ message: ACCOUNT_ACTIVATED_MESSAGE });
    const signIn = await login(HIRE, 'hire-own-secret-24-kite');
    expect(signIn.statusCode).toBe(200);
    expect(signIn.json().user).toMatchObject({ email: HIRE, role: 'finance', status: 'active' });
    expect((await login(HIRE, ATTACKER_PASSWORD)).statusCode).toBe(401);
    expect(await row(HIRE)).toMatchObject({ activationCodeHash: null, activationExpiresAt: null });

    // 6. The code worked once.
    const again = await activate(HIRE, approved.activationCode, 'another-pass-for-me-77', HIRE_ADDRESS);
    expect(shape(again)).toEqual(shape(guess));
    expect((await login(HIRE, 'hire-own-secret-24-kite')).statusCode).toBe(200);
  });

  it('is audited step by step, never with the code, a password or the code hash', async () => {
    const hire = await row(HIRE);
    if (!hire) throw new Error('missing');
    const [register] = await audits('user.register', hire.id);
    expect(register?.outcome).toBe('success');
    const [approval] = await audits('user.approve', hire.id);
    expect(approval).toMatchObject({ actorId: adminId, outcome: 'success' });
    expect(approval?.changes).toMatchObject({ role: { from: 'sales', to: 'finance' }, activationCodeIssued: true });
    const activations = await audits('auth.activate', hire.id);
    expect(activations.map((a) => [a.outcome, a.reason])).toEqual([
      ['failure', 'wrong activation code'],
      ['success', null],
      ['failure', 'account active'],
    ]);
    expect(activations.find((a) => a.outcome === 'success')).toMatchObject({ actorId: hire.id, actorLabel: HIRE });
    const text = JSON.stringify(await t.db.db.select().from(auditLog).where(eq(auditLog.entityId, hire.id)));
    expect(text).not.toMatch(/attacker-chose|hire-own-secret|admin-initial|\$argon2/);
    expect(text).not.toMatch(/[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}/);
  });
});

describe('activation answers reveal nothing', () => {
  it('unknown e-mail, no code yet, wrong, expired, used, and an active or disabled account answer alike', async () => {
    const notApproved = await request('Not Approved', 'not.approved@example.com');
    const expired = await request('Expired Code', 'expired.code@example.com');
    const expiredCode = (await approve(expired.id)).activationCode;
    await t.db.db
      .update(users)
      .set({ activationExpiresAt: new Date(Date.now() - 1000) })
      .where(eq(users.id, expired.id));
    const wrong = await request('Wrong Code', 'wrong.code@example.com');
    await approve(wrong.id);
    const active = await t.createUser({ role: 'sales' });
    const disabled = await request('Disabled Request', 'disabled.request@example.com');
    const disabledCode = (await approve(disabled.id)).activationCode;
    expect((await patch(`/api/users/${disabled.id}`, { status: 'disabled' }, adminToken)).statusCode).toBe(200);

    const password = 'fresh-password-61-oak';
    const answers = {
      unknown: await activate('nobody.at.all@example.com', 'ABCD-EFGH-JKLM-NPQR', password),
      notApproved: await activate(notApproved.email, 'ABCD-EFGH-JKLM-NPQR', password),
      expired: await activate(expired.email, expiredCode, password),
      wrong: await activate(wrong.email, 'ABCD-EFGH-JKLM-NPQR', password),
      active: await activate(active.email, 'ABCD-EFGH-JKLM-NPQR', password),
      disabled: await activate(disabled.email, disabledCode, password),
    };
    const expected = shape(answers.unknown);
    expect(expected.status).toBe(401);
    expect(JSON.parse(expected.body)).toEqual({ error: ACTIVATION_FAILED_MESSAGE });
    for (const [label, res] of Object.entries(answers)) expect(shape(res), label).toEqual(expected);
    // nothing became active, no password was set
    for (const email of [notApproved.email, expired.email, wrong.email, disabled.email]) {
      const r = await row(email);
      expect(r?.passwordHash, email).toBeNull();
      expect(r?.status, email).not.toBe('active');
    }
    // the audit trail knows why; the unknown e-mail is kept as a keyed hash only
    const reasons = await t.db.db
      .select({ reason: auditLog.reason, label: auditLog.actorLabel })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'auth.activate'), eq(auditLog.outcome, 'failure')));
    expect(reasons.map((r) => r.reason)).toEqual(
      expect.arrayContaining([
        'unknown account',
        'no activation code issued',
        'activation code expired',
        'wrong activation code',
        'account active',
        'account disabled',
      ]),
    );
    expect(reasons.map((r) => r.label)).not.toContain('nobody.at.all@example.com');
  });

  it('wrong codes count towards the lockout: once locked, even the right code is refused alike', async () => {
    const person = await request('Guessed At', 'guessed.at@example.com');
    const { activationCode } = await approve(person.id);
    const wrongAnswers = [];
    for (let i = 0; i < 3; i += 1)
      wrongAnswers.push(await activate(person.email, `WRNG-CODE-${i}${i}${i}${i}-AAAA`, 'fresh-password-61-oak'));
    const right = await activate(person.email, activationCode, 'fresh-password-61-oak');
    for (const res of [...wrongAnswers, right]) expect(shape(res)).toEqual(shape(wrongAnswers[0] as LightMyRequestResponse));
    expect((await row(person.email))?.status).toBe('pending');
    // from another network the holder of the code is not kept out
    const elsewhere = await t.app.inject({
      method: 'POST',
      url: '/api/auth/activate',
      payload: { email: person.email, code: activationCode, password: 'fresh-password-61-oak' },
      remoteAddress: '198.51.100.40',
    });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('a password the policy refuses is a 400 on the field and leaves the code usable', async () => {
    const person = await request('Careful Person', 'careful.person@example.com');
    const { activationCode } = await approve(person.id);
    const weak = await activate(person.email, activationCode, 'password1   ');
    expect(weak.statusCode).toBe(400);
    expect(weak.json().fieldErrors.password).toHaveLength(1);
    const personal = await activate(person.email, activationCode, 'Careful Person');
    expect(personal.statusCode).toBe(400);
    expect((await row(person.email))?.status).toBe('pending');
    expect((await activate(person.email, activationCode, 'river-stone-88-mango')).statusCode).toBe(200);
  });
});

describe('approving requests', () => {
  it('approving again issues a new code and voids the earlier one', async () => {
    const person = await request('Twice Approved', 'twice.approved@example.com');
    const first = await approve(person.id, 'support');
    const second = await approve(person.id, 'support');
    expect(second.activationCode).not.toBe(first.activationCode);
    expect((await row(person.email))?.activationCodeHash).toBe(activationCodeHash(second.activationCode));
    expect((await activate(person.email, first.activationCode, 'river-stone-88-mango')).statusCode).toBe(401);
    expect((await activate(person.email, second.activationCode, 'river-stone-88-mango')).statusCode).toBe(200);
    const approvals = await audits('user.approve', person.id);
    expect(approvals.map((a) => a.changes?.earlierCodeVoided ?? false)).toEqual([false, true]);
  });

  it('only pending requests can be approved (409), only by admins (403), unknown ids are 404', async () => {
    const active = await t.createUser({ role: 'sales' });
    expect((await post(`/api/users/${active.id}/approve`, { role: 'admin' }, adminToken)).statusCode).toBe(409);
    expect((await row(active.email))?.role).toBe('sales');
    const person = await request('Not By Manager', 'not.by.manager@example.com');
    const manager = await t.tokenFor(await t.createUser({ role: 'manager' }));
    expect((await post(`/api/users/${person.id}/approve`, { role: 'admin' }, manager)).statusCode).toBe(403);
    expect((await row(person.email))?.activationCodeHash).toBeNull();
    expect((await post('/api/users/00000000-0000-4000-8000-000000000000/approve', { role: 'sales' }, adminToken)).statusCode).toBe(404);
    expect((await post(`/api/users/${person.id}/approve`, { role: 'owner' }, adminToken)).statusCode).toBe(400);
  });

  it('a pending request cannot be given a password by reset either (409)', async () => {
    const person = await request('No Reset', 'no.reset@example.com');
    const res = await post(`/api/users/${person.id}/reset-password`, { password: 'admin-chosen-44-pear' }, adminToken);
    expect(res.statusCode).toBe(409);
    expect((await row(person.email))?.passwordHash).toBeNull();
  });
});

describe('an admin creating a user whose e-mail or phone a pending request holds', () => {
  it('may replace the request: it is deleted, audited, and the new account takes its place', async () => {
    const requestRow = await request('Early Bird', 'early.bird@example.com', { phone: '0799123123' });
    // the phone alone conflicts too, and the message names the request
    const byPhone = await post(
      '/api/users',
      { name: 'Real Person', email: 'real.person@example.com', phone: '0799123123', role: 'sales', password: 'admin-initial-58-pass' },
      adminToken,
    );
    expect(byPhone.statusCode).toBe(409);
    expect(byPhone.json().error).toContain('early.bird@example.com');

    const replaced = await post(
      '/api/users',
      {
        name: 'Early Bird',
        email: 'Early.Bird@example.com',
        phone: '0799123123',
        role: 'technician',
        password: 'admin-initial-58-pass',
        replacePendingRequest: true,
      },
      adminToken,
    );
    expect(replaced.statusCode).toBe(201);
    const created = replaced.json();
    expect(created).toMatchObject({ email: 'early.bird@example.com', role: 'technician', status: 'active' });
    expect(created.id).not.toBe(requestRow.id);
    expect(await t.db.db.select().from(users).where(eq(users.id, requestRow.id))).toEqual([]);
    const [audit] = await audits('user.request_replaced', requestRow.id);
    expect(audit).toMatchObject({
      actorId: adminId,
      changes: expect.objectContaining({ email: 'early.bird@example.com', replacedBy: 'early.bird@example.com' }),
    });
    const [creation] = await audits('user.create', created.id);
    expect(creation?.changes).toMatchObject({ replacedRequests: [requestRow.id] });
    expect((await login('early.bird@example.com', 'admin-initial-58-pass')).statusCode).toBe(200);
  });

  it('never replaces an active or disabled account, even when asked (409, nothing deleted)', async () => {
    const existing = await t.createUser({ role: 'sales' });
    const res = await post(
      '/api/users',
      { name: 'X', email: existing.email, role: 'admin', password: 'admin-initial-58-pass', replacePendingRequest: true },
      adminToken,
    );
    expect(res.statusCode).toBe(409);
    expect(res.json()).toEqual({ error: 'A user with this e-mail or phone already exists' });
    expect(await row(existing.email)).toMatchObject({ id: existing.id, role: 'sales' });
    expect((await login(existing.email, TEST_PASSWORD)).statusCode).toBe(200);
  });
});

describe('sign-in of requests', () => {
  it('a request, approved or not, cannot sign in with any password; the answer is the generic one', async () => {
    const person = await request('Waiting Person', 'waiting.person@example.com', { password: 'registrant-pass-33' });
    const before = await login(person.email, 'registrant-pass-33');
    await approve(person.id);
    const after = await login(person.email, 'registrant-pass-33');
    for (const res of [before, after]) {
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ error: INVALID_CREDENTIALS_MESSAGE });
    }
  });
});
