/**
 * Staff administration as admins and managers see it over REST (and tRPC where it matters):
 * lists with search, filters and cursor pages; creating, disabling, role changes and password
 * resets, each audited and effective on the very next request. Approving account requests is in
 * modules/auth/activation.test.ts.
 */
import { auditLog, signInNetworks, users } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, eq, inArray, ne } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, TEST_PASSWORD } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let admin: CurrentUser;
let adminToken: string;
let managerToken: string;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.createUser({ role: 'admin', name: 'Achieng Admin' });
  adminToken = await t.tokenFor(admin);
  managerToken = await t.tokenFor(await t.createUser({ role: 'manager', name: 'Mwangi Manager' }));
});
afterAll(async () => {
  await t.close();
});

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, token: string, payload?: object) =>
  t.app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
const login = (identifier: string, password = TEST_PASSWORD) =>
  t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier, password } });
const me = (token: string) => call('GET', '/api/auth/me', token);

async function row(id: string) {
  const [r] = await t.db.db.select().from(users).where(eq(users.id, id));
  return r;
}
async function audits(entityId: string, action: string) {
  return t.db.db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityId, entityId), eq(auditLog.action, action)));
}
async function expectTrpcError(promise: Promise<unknown>, code: TRPCError['code']) {
  await expect(promise).rejects.toSatisfy((e) => e instanceof TRPCError && e.code === code);
}

describe('GET /api/users', () => {
  beforeAll(async () => {
    await t.createUser({ role: 'sales', name: 'Zawadi Sales', email: 'zawadi@example.com', phone: '0733111222' });
    await t.createUser({ role: 'support', name: 'Baraka Support', status: 'pending' });
    await t.createUser({ role: 'technician', name: 'Chebet Tech', status: 'disabled' });
  });

  it('admins and managers list staff without any secret field; others are refused', async () => {
    for (const token of [adminToken, managerToken]) {
      const res = await call('GET', '/api/users', token);
      expect(res.statusCode).toBe(200);
      expect(res.json().items.length).toBeGreaterThanOrEqual(5);
      expect(res.body).not.toMatch(/passwordHash|argon|sessionsValidAfter/);
    }
    const sales = await t.createUser({ role: 'sales' });
    const denied = await call('GET', '/api/users', await t.tokenFor(sales));
    expect(denied.statusCode).toBe(403);
  });

  it('searches name, e-mail and phone literally; filters by status and role', async () => {
    const byName = (await call('GET', '/api/users?search=zawadi', adminToken)).json();
    expect(byName.items.map((u: { email: string }) => u.email)).toEqual(['zawadi@example.com']);
    const byPhone = (await call('GET', '/api/users?search=0733%20111', adminToken)).json();
    expect(byPhone.items.map((u: { email: string }) => u.email)).toEqual(['zawadi@example.com']);
    const wildcard = (await call('GET', '/api/users?search=%25', adminToken)).json();
    expect(wildcard.items).toEqual([]);
    const pending = (await call('GET', '/api/users?status=pending', adminToken)).json();
    expect(pending.items.every((u: { status: string }) => u.status === 'pending')).toBe(true);
    expect(pending.items.map((u: { name: string }) => u.name)).toContain('Baraka Support');
    const techs = (await call('GET', '/api/users?role=technician', adminToken)).json();
    expect(techs.items.map((u: { name: string }) => u.name)).toEqual(['Chebet Tech']);
    const bad = await call('GET', '/api/users?role=root', adminToken);
    expect(bad.statusCode).toBe(400);
  });

  it('walks every account exactly once in name order with cursor pages', async () => {
    const all = (await call('GET', '/api/users?limit=100', adminToken)).json().items as { id: string; name: string }[];
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/api/users?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page: { items: { id: string }[]; nextCursor: string | null } = (await call('GET', url, adminToken)).json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((u) => u.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((u) => u.id));
    expect(all.map((u) => u.name)).toEqual([...all.map((u) => u.name)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect((await call('GET', '/api/users?cursor=garbage', adminToken)).statusCode).toBe(400);
  });

  it('GET /api/users/{id} answers one account, 404 for an unknown id, 400 for a malformed one', async () => {
    expect((await call('GET', `/api/users/${admin.id}`, managerToken)).json()).toMatchObject({ id: admin.id, role: 'admin' });
    expect((await call('GET', '/api/users/00000000-0000-4000-8000-000000000000', adminToken)).statusCode).toBe(404);
    expect((await call('GET', '/api/users/not-a-uuid', adminToken)).statusCode).toBe(400);
  });
});

describe('POST /api/users', () => {
  it('creates an active staff member who can sign in, audited without the password', async () => {
    const res = await call('POST', '/api/users', adminToken, {
      name: 'Njeri Finance',
      email: ' Njeri@Example.com',
      phone: '0700 123 456',
      role: 'finance',
      password: 'saffron-tundra-62-bell',
      // mass assignment: none of these may stick
      status: 'disabled',
      failedLoginCount: 99,
      id: '00000000-0000-4000-8000-000000000000',
    });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({
      email: 'njeri@example.com',
      phone: '0700123456',
      role: 'finance',
      status: 'active',
      failedLoginCount: 0,
    });
    expect(created.id).not.toBe('00000000-0000-4000-8000-000000000000');
    expect((await login('njeri@example.com', 'saffron-tundra-62-bell')).statusCode).toBe(200);
    const [audit] = await audits(created.id, 'user.create');
    expect(audit).toMatchObject({ actorId: admin.id, outcome: 'success' });
    expect(JSON.stringify(audit?.changes)).not.toContain('saffron');
  });

  it('answers 409 for an e-mail or phone in use (any case), 400 for a common password', async () => {
    const dupEmail = await call('POST', '/api/users', adminToken, {
      name: 'X',
      email: 'NJERI@example.com',
      role: 'sales',
      password: 'saffron-tundra-62-bell',
    });
    expect(dupEmail.statusCode).toBe(409);
    expect(dupEmail.json()).toEqual({ error: 'A user with this e-mail or phone already exists' });
    const dupPhone = await call('POST', '/api/users', adminToken, {
      name: 'X',
      email: 'x1@example.com',
      phone: '0700123456',
      role: 'sales',
      password: 'saffron-tundra-62-bell',
    });
    expect(dupPhone.statusCode).toBe(409);
    const common = await call('POST', '/api/users', adminToken, {
      name: 'X',
      email: 'x2@example.com',
      role: 'sales',
      password: 'qwertyuiop',
    });
    expect(common.statusCode).toBe(400);
    expect(common.json().fieldErrors.password).toBeDefined();
    const rows = await t.db.db
      .select()
      .from(users)
      .where(inArray(users.email, ['x1@example.com', 'x2@example.com']));
    expect(rows).toEqual([]);
  });

  it('managers may read but not create', async () => {
    const res = await call('POST', '/api/users', managerToken, {
      name: 'X',
      email: 'x3@example.com',
      role: 'admin',
      password: 'saffron-tundra-62-bell',
    });
    expect(res.statusCode).toBe(403);
    expect(await t.db.db.select().from(users).where(eq(users.email, 'x3@example.com'))).toEqual([]);
  });
});

describe('PATCH /api/users/{id}', () => {
  it('does not activate a pending account request (409: approve it instead); nothing changes', async () => {
    // A pending row holding a password (as requests did before): even then, no click lets it in.
    const pending = await t.createUser({ role: 'support', status: 'pending' });
    expect((await login(pending.email)).statusCode).toBe(401);
    const res = await call('PATCH', `/api/users/${pending.id}`, adminToken, { status: 'active' });
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatch(/approve it/);
    expect((await row(pending.id))?.status).toBe('pending');
    expect((await login(pending.email)).statusCode).toBe(401);
    expect(await audits(pending.id, 'user.update')).toEqual([]);
    // turning a request down is a plain disable
    expect((await call('PATCH', `/api/users/${pending.id}`, adminToken, { status: 'disabled' })).statusCode).toBe(200);
  });

  it('a role change is audited and takes effect on the next request', async () => {
    const manager = await t.createUser({ role: 'manager' });
    const token = await t.tokenFor(manager);
    expect((await call('GET', '/api/users', token)).statusCode).toBe(200);
    const res = await call('PATCH', `/api/users/${manager.id}`, adminToken, { role: 'sales' });
    expect(res.json().role).toBe('sales');
    // the old token is over; a new one carries the new role's rights only
    expect((await call('GET', '/api/users', token)).statusCode).toBe(401);
    const fresh = (await login(manager.email)).json().token;
    expect((await call('GET', '/api/users', fresh)).statusCode).toBe(403);
    const [audit] = await audits(manager.id, 'user.update');
    expect(audit).toMatchObject({ actorId: admin.id, changes: { role: { from: 'manager', to: 'sales' } } });
  });

  it('disabling ends every session at once and sign-in fails; re-enabling does not revive old tokens', async () => {
    const user = await t.createUser({ role: 'finance' });
    const token = await t.tokenFor(user);
    expect((await me(token)).statusCode).toBe(200);
    expect((await call('PATCH', `/api/users/${user.id}`, adminToken, { status: 'disabled' })).statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(user.email)).statusCode).toBe(401);
    expect((await call('PATCH', `/api/users/${user.id}`, adminToken, { status: 'active' })).statusCode).toBe(200);
    expect((await me(token)).statusCode).toBe(401);
    expect((await login(user.email)).statusCode).toBe(200);
  });

  it('renames and changes or removes the phone; a taken phone is a 409', async () => {
    const user = await t.createUser({ role: 'sales', phone: '0711000001' });
    const res = await call('PATCH', `/api/users/${user.id}`, adminToken, { name: 'Renamed Person', phone: '0711 000 002' });
    expect(res.json()).toMatchObject({ name: 'Renamed Person', phone: '0711000002' });
    expect((await call('PATCH', `/api/users/${user.id}`, adminToken, { phone: null })).json().phone).toBeNull();
    const taken = await call('PATCH', `/api/users/${user.id}`, adminToken, { phone: '0733111222' });
    expect(taken.statusCode).toBe(409);
    expect((await row(user.id))?.phone).toBeNull();
  });

  it('no one changes their own role or status', async () => {
    for (const change of [{ role: 'sales' }, { status: 'disabled' }]) {
      const res = await call('PATCH', `/api/users/${admin.id}`, adminToken, change);
      expect(res.statusCode).toBe(403);
    }
    expect(await row(admin.id)).toMatchObject({ role: 'admin', status: 'active' });
    // their own name is fine
    expect((await call('PATCH', `/api/users/${admin.id}`, adminToken, { name: 'Achieng A.' })).statusCode).toBe(200);
  });

  it('404 for an unknown id; 400 for a status or role outside the lists', async () => {
    expect((await call('PATCH', '/api/users/00000000-0000-4000-8000-000000000000', adminToken, { name: 'x' })).statusCode).toBe(404);
    expect((await call('PATCH', `/api/users/${admin.id}`, adminToken, { status: 'pending' })).statusCode).toBe(400);
    expect((await call('PATCH', `/api/users/${admin.id}`, adminToken, { role: 'owner' })).statusCode).toBe(400);
  });
});

describe('POST /api/users/{id}/reset-password', () => {
  it('generates a temporary password once, ends sessions, lifts every lock; audited without it', async () => {
    const user = await t.createUser({ role: 'support' });
    const token = await t.tokenFor(user);
    // five wrong passwords lock this network (the test client's)
    for (let i = 0; i < 5; i += 1) expect((await login(user.email, 'wrong-password-1')).statusCode).toBe(401);
    expect((await login(user.email)).statusCode).toBe(401);
    expect(await row(user.id)).toMatchObject({ failedLoginCount: 5, lockedUntil: expect.any(Date) });
    const listed = (await call('GET', `/api/users/${user.id}`, adminToken)).json();
    expect(listed).toMatchObject({ failedLoginCount: 5, lockedUntil: expect.any(String) });
    const res = await call('POST', `/api/users/${user.id}/reset-password`, adminToken, {});
    expect(res.statusCode).toBe(200);
    const { temporaryPassword } = res.json();
    expect(temporaryPassword).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect((await me(token)).statusCode).toBe(401);
    expect(await row(user.id)).toMatchObject({ failedLoginCount: 0, lockedUntil: null });
    const [network] = await t.db.db.select().from(signInNetworks).where(eq(signInNetworks.userId, user.id));
    expect(network).toMatchObject({ failures: 0, locks: 0, lockedUntil: null });
    expect((await login(user.email)).statusCode).toBe(401);
    expect((await login(user.email, temporaryPassword)).statusCode).toBe(200);
    const [audit] = await audits(user.id, 'user.password_reset');
    expect(audit?.actorId).toBe(admin.id);
    expect(JSON.stringify(audit)).not.toContain(temporaryPassword);
  });

  it('sets an admin-chosen password (not echoed), refusing a common one', async () => {
    const user = await t.createUser({ role: 'support' });
    const res = await call('POST', `/api/users/${user.id}/reset-password`, adminToken, { password: 'copper-lagoon-31-kite' });
    expect(res.json()).toEqual({ temporaryPassword: null });
    expect((await login(user.email, 'copper-lagoon-31-kite')).statusCode).toBe(200);
    const common = await call('POST', `/api/users/${user.id}/reset-password`, adminToken, { password: 'football1' });
    expect(common.statusCode).toBe(400);
    expect((await login(user.email, 'copper-lagoon-31-kite')).statusCode).toBe(200);
  });

  it('an admin cannot reset their own password (403, change it with the current one); nothing changes', async () => {
    const before = await row(admin.id);
    const res = await call('POST', `/api/users/${admin.id}/reset-password`, adminToken, {});
    expect(res.statusCode).toBe(403);
    expect(res.json()).toEqual({ error: 'Change your own password under Profile: it asks for your current password' });
    const chosen = await call('POST', `/api/users/${admin.id}/reset-password`, adminToken, { password: 'copper-lagoon-31-kite' });
    expect(chosen.statusCode).toBe(403);
    expect((await row(admin.id))?.passwordHash).toBe(before?.passwordHash);
    expect(await audits(admin.id, 'user.password_reset')).toEqual([]);
    expect((await me(adminToken)).statusCode).toBe(200);
    // over tRPC too
    await expectTrpcError(t.caller(admin).users.resetPassword({ id: admin.id }), 'FORBIDDEN');
  });

  it('managers cannot reset; unknown ids are 404', async () => {
    const user = await t.createUser({ role: 'support' });
    expect((await call('POST', `/api/users/${user.id}/reset-password`, managerToken, {})).statusCode).toBe(403);
    expect((await call('POST', '/api/users/00000000-0000-4000-8000-000000000000/reset-password', adminToken, {})).statusCode).toBe(404);
  });
});

// Last: it disables every other admin of this database.
describe('the last active admin', () => {
  it('can be neither demoted nor disabled, even by two admins demoting each other at once', async () => {
    // Leave exactly two active admins.
    const a = await t.createUser({ role: 'admin' });
    const b = await t.createUser({ role: 'admin' });
    await t.db.db
      .update(users)
      .set({ status: 'disabled' })
      .where(and(eq(users.role, 'admin'), ne(users.id, a.id), ne(users.id, b.id)));

    const results = await Promise.allSettled([
      t.caller(a).users.update({ id: b.id, role: 'sales' }),
      t.caller(b).users.update({ id: a.id, role: 'sales' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason instanceof TRPCError && rejected.reason.code).toBe('CONFLICT');

    const admins = await t.db.db
      .select()
      .from(users)
      .where(and(eq(users.role, 'admin'), eq(users.status, 'active')));
    expect(admins).toHaveLength(1);
    const last = admins[0];
    if (!last) throw new Error('no admin left');
    const other = last.id === a.id ? b : a;
    // the demoted one cannot act any more; nor can anyone disable the last admin
    await expectTrpcError(t.caller({ ...other, role: 'admin' }).users.update({ id: last.id, status: 'disabled' }), 'CONFLICT');
    expect(await row(last.id)).toMatchObject({ role: 'admin', status: 'active' });
  });
});

describe('assignable staff (GET /api/staff/assignable)', () => {
  it('lets support list who can take a ticket, names and roles only, active staff only', async () => {
    const support = await t.createUser({ role: 'support', name: 'Zawadi Support' });
    const tech = await t.createUser({ role: 'technician', name: 'Kiprop Technician' });
    const disabledTech = await t.createUser({ role: 'technician', name: 'Gone Technician', status: 'disabled' });
    const sales = await t.createUser({ role: 'sales', name: 'Njeri Sales' });
    const res = await call('GET', '/api/staff/assignable?work=tickets', await t.tokenFor(support));
    expect(res.statusCode).toBe(200);
    const items = res.json().items as { id: string; name: string; role: string }[];
    const ids = items.map((i) => i.id);
    expect(ids).toContain(tech.id);
    expect(ids).toContain(support.id);
    expect(ids).not.toContain(disabledTech.id);
    expect(ids).not.toContain(sales.id); // sales create tickets but do not work them
    expect(Object.keys(items[0] ?? {}).sort()).toEqual(['id', 'name', 'role']);
  });

  it('lists lead workers for a manager, sales included', async () => {
    const sales = await t.createUser({ role: 'sales', name: 'Otieno Sales' });
    const res = await call('GET', '/api/staff/assignable?work=leads', managerToken);
    expect(res.statusCode).toBe(200);
    expect((res.json().items as { id: string }[]).map((i) => i.id)).toContain(sales.id);
  });

  it.each([
    ['sales', 'leads'],
    ['technician', 'tickets'],
    ['finance', 'tickets'],
    ['support', 'leads'],
  ] as const)('refuses %s listing whom to give %s (403)', async (role, work) => {
    const token = await t.tokenFor(await t.createUser({ role }));
    const res = await call('GET', `/api/staff/assignable?work=${work}`, token);
    expect(res.statusCode).toBe(403);
  });

  it('rejects an unknown kind of work and an anonymous caller', async () => {
    const token = await t.tokenFor(await t.createUser({ role: 'manager' }));
    const bad = await call('GET', '/api/staff/assignable?work=payments', token);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().fieldErrors.work).toBeDefined();
    expect((await t.app.inject({ method: 'GET', url: '/api/staff/assignable?work=leads' })).statusCode).toBe(401);
  });
});
