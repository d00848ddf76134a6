/**
 * Routers and provisioning against the RouterOS stand-in (a loopback server speaking RouterOS's
 * REST shapes): the registry and its sealed password, the connection test, activation / payment /
 * expiry / failure → the router's PPP secrets and sessions, manual retry, the sync.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { auditLog, routers, subscriptions } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { systemActor, type CurrentUser } from '../../lib/actor';
import { secretBox } from '../../lib/secrets';
import { startRouterOsStandIn, type RouterOsStandIn } from '../../standins/routeros';
import { auditRows, daysFromNow, insertCustomer, insertPlan, insertSubscription, subscriptionRow } from '../../test/fixtures';
import { codeOf, createTestApp } from '../../test/harness';
import { jobRows, runQueuedJobs } from '../../test/jobs';
import { sweepExpiredSubscriptions } from '../subscriptions';

let t: Awaited<ReturnType<typeof createTestApp>>;
let ros: RouterOsStandIn;
const staff = {} as Record<Role, CurrentUser>;

beforeAll(async () => {
  // A short client timeout: the "never answers" stand-in mode must not hold a test for 15 s.
  t = await createTestApp({ ROUTEROS_TIMEOUT_MS: '1000' });
  ros = await startRouterOsStandIn();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await ros.close();
  await t.close();
});
beforeEach(async () => {
  await ros.start();
  ros.reset();
});

const drain = (includeRetries = false) => runQueuedJobs(t, { names: ['provision.subscription'], includeRetries });
const secrets = () => ros.rows('/ppp/secret');
const secretOf = (name: string | null) => secrets().find((s) => s.name === name);
const writes = () => ros.requests.filter((r) => r.method !== 'GET');

let routerSeq = 0;
async function registerRouter(overrides: Partial<{ password: string; url: string }> = {}) {
  routerSeq += 1;
  return t.caller(staff.admin).routers.create({
    name: `Core ${routerSeq}`,
    url: overrides.url ?? ros.url,
    username: ros.username,
    password: overrides.password ?? ros.password,
    verifyTls: false,
  });
}

/** An active, router-managed subscription that was activated through the API (secret on the router). */
async function activeOnRouter(profile = '10M') {
  const router = await registerRouter();
  const plan = await insertPlan(t.db.db, { routerProfile: profile });
  const customer = await insertCustomer(t.db.db, { balanceCents: plan.priceCents });
  const sub = await t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id });
  const activated = await t.caller(staff.technician).subscriptions.activate({ id: sub.id, routerId: router.id });
  await drain();
  return { router, plan, customer, activated };
}

describe('the router registry', () => {
  it('stores the password sealed, never returns it, and audits without it', async () => {
    const router = await registerRouter({ password: 'Very-Secret-Router-Pw' });
    expect(router).toMatchObject({ url: ros.url, username: ros.username, verifyTls: false, identity: null, subscriptionCount: 0 });
    expect(JSON.stringify(router)).not.toContain('Very-Secret-Router-Pw');
    const [row] = await t.db.db.select().from(routers).where(eq(routers.id, router.id));
    expect(row?.passwordSealed).toMatch(/^v1\./);
    expect(row?.passwordSealed).not.toContain('Very-Secret');
    expect(secretBox().open(row?.passwordSealed ?? '', `router:${router.id}:password`)).toBe('Very-Secret-Router-Pw');
    const audits = await auditRows(t.db.db, router.id);
    expect(audits.map((a) => a.action)).toEqual(['router.create']);
    expect(JSON.stringify(audits)).not.toContain('Very-Secret');

    const list = await t.caller(staff.manager).routers.list();
    expect(list.items.find((r) => r.id === router.id)).toBeDefined();
    expect(JSON.stringify(list)).not.toContain('Very-Secret');
    expect(JSON.stringify(list)).not.toContain('v1.');

    // Over REST too.
    const token = await t.tokenFor(staff.admin);
    const res = await t.app.inject({ method: 'GET', url: '/api/routers', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain('password');
  });

  it('lets only admins write; managers read; technicians get names only', async () => {
    const input = { name: 'Denied', url: ros.url, username: 'u', password: 'p', verifyTls: true };
    expect(await codeOf(t.caller(staff.manager).routers.create(input))).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(staff.technician).routers.list())).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(staff.manager).routers.list())).toBe('OK');
    const options = await t.caller(staff.technician).routers.options();
    expect(Object.keys(options.items[0] ?? { id: 1, name: 1 }).sort()).toEqual(['id', 'name']);
  });

  it('refuses a URL with a path or credentials, and a duplicate name, writing nothing', async () => {
    const before = await t.db.db.select().from(routers);
    for (const url of ['https://admin:pw@10.0.0.1', 'https://10.0.0.1/rest', 'ftp://10.0.0.1', 'not a url']) {
      expect(await codeOf(t.caller(staff.admin).routers.create({ name: 'Bad', url, username: 'u', password: 'p', verifyTls: true }))).toBe(
        'BAD_REQUEST',
      );
    }
    const existing = await registerRouter();
    expect(
      await codeOf(
        t
          .caller(staff.admin)
          .routers.create({ name: existing.name.toUpperCase(), url: ros.url, username: 'u', password: 'p', verifyTls: true }),
      ),
    ).toBe('CONFLICT');
    expect((await t.db.db.select().from(routers)).length).toBe(before.length + 1);
  });

  it('replaces the password on PATCH and audits the change without it', async () => {
    const router = await registerRouter({ password: 'wrong-one' });
    expect(await t.caller(staff.admin).routers.test({ id: router.id })).toEqual({ ok: false, error: 'RouterOS 401 Unauthorized' });
    await t.caller(staff.admin).routers.update({ id: router.id, password: ros.password });
    expect(await t.caller(staff.admin).routers.test({ id: router.id })).toEqual({ ok: true, identity: ros.identity, version: ros.version });
    const update = (await auditRows(t.db.db, router.id, 'router.update'))[0];
    expect(update?.changes).toEqual({ credentialChanged: true });
  });
});

describe('the connection test', () => {
  it('answers identity and version, and keeps them on the router', async () => {
    const router = await registerRouter();
    const token = await t.tokenFor(staff.admin);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/routers/${router.id}/test`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ ok: true, identity: 'standin-core-1', version: '7.16.2 (stable)' });
    const listed = (await t.caller(staff.admin).routers.list()).items.find((r) => r.id === router.id);
    expect(listed).toMatchObject({ identity: 'standin-core-1', version: '7.16.2 (stable)', lastTestError: null });
    expect(ros.requests.map((r) => `${r.method} ${r.path} ${r.user}`)).toEqual([
      `GET /system/identity ${ros.username}`,
      `GET /system/resource ${ros.username}`,
    ]);
  });

  it.each([
    ['unauthorized', /^RouterOS 401 Unauthorized$/],
    ['http-500', /^RouterOS 500 Internal Server Error/],
    ['timeout', /did not answer within 1 s/],
  ] as const)('reports %s as {ok: false, error}', async (mode, message) => {
    const router = await registerRouter();
    ros.failWith(mode);
    const result = await t.caller(staff.admin).routers.test({ id: router.id });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(message);
    const audit = (await auditRows(t.db.db, router.id, 'router.test'))[0];
    expect(audit?.outcome).toBe('failure');
  });

  it('reports a router that is down', async () => {
    const router = await registerRouter();
    await ros.stop();
    const result = await t.caller(staff.admin).routers.test({ id: router.id });
    expect(result).toEqual({ ok: false, error: expect.stringMatching(/^Connection refused/) as unknown });
  });
});

describe('provisioning', () => {
  it('activation creates the PPP secret with the plan profile; the password is shown once and nowhere else', async () => {
    const { activated, customer } = await activeOnRouter('10M');
    expect(activated.status).toBe('active');
    expect(activated.servicePassword).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    const secret = secretOf(activated.pppoeUsername);
    expect(secret).toMatchObject({
      name: activated.pppoeUsername,
      password: activated.servicePassword,
      service: 'pppoe',
      profile: '10M',
      disabled: 'false',
    });
    expect(secret?.comment).toContain(customer.accountNumber);
    expect(secret?.['.id']).toMatch(/^\*[0-9A-F]+$/);

    const read = await t.caller(staff.technician).subscriptions.get({ id: activated.id });
    expect(read).toMatchObject({ provisioningState: 'synced', provisioningError: null, routerId: activated.routerId });
    expect(read).not.toHaveProperty('servicePassword');
    const password = activated.servicePassword ?? '';
    const list = await t.caller(staff.admin).subscriptions.list({ customerId: customer.id });
    const customerView = await t.caller(staff.admin).customers.get({ id: customer.id });
    const audits = await t.db.db.select().from(auditLog);
    const jobs = await jobRows(t);
    for (const seen of [read, list, customerView, audits, jobs]) expect(JSON.stringify(seen)).not.toContain(password);
    // Activating again is refused; the password is not shown a second time anywhere.
    expect(await codeOf(t.caller(staff.technician).subscriptions.activate({ id: activated.id }))).toBe('CONFLICT');
  });

  it('a staff-recorded payment restoring a suspended subscription enables the secret with the plan profile', async () => {
    const { activated, customer, plan } = await activeOnRouter('5M');
    await t.caller(staff.finance).subscriptions.suspend({ id: activated.id });
    await drain();
    expect(secretOf(activated.pppoeUsername)?.disabled).toBe('true');
    // Someone changed the profile on the router meanwhile: the restore puts the plan's back.
    const secret = secretOf(activated.pppoeUsername);
    if (secret) secret.profile = 'default';

    await t.caller(staff.finance).payments.record({
      customerId: customer.id,
      method: 'cash',
      reference: `CASH-${activated.id.slice(0, 8)}`,
      amountCents: plan.priceCents,
    });
    expect((await subscriptionRow(t.db.db, activated.id)).provisioningState).toBe('pending');
    await drain();
    expect(secretOf(activated.pppoeUsername)).toMatchObject({ disabled: 'false', profile: '5M', password: activated.servicePassword });
    expect((await subscriptionRow(t.db.db, activated.id)).provisioningState).toBe('synced');
  });

  it('the expiry sweep suspends, disables the secret and drops its session; twice or on two instances: the same', async () => {
    const { activated } = await activeOnRouter();
    await t.db.db
      .update(subscriptions)
      .set({ expiresAt: daysFromNow(-3) })
      .where(eq(subscriptions.id, activated.id));
    ros.connect(activated.pppoeUsername ?? '');
    expect(ros.rows('/ppp/active')).toHaveLength(1);

    const actor = systemActor('expiry-sweep');
    const now = new Date();
    const [a, b] = await Promise.all([
      sweepExpiredSubscriptions(t.db.db, actor, { now, graceHours: 24 }),
      sweepExpiredSubscriptions(t.db.db, actor, { now, graceHours: 24 }),
    ]);
    expect([...a.suspended, ...b.suspended].filter((id) => id === activated.id)).toHaveLength(1);
    await drain();
    const again = await sweepExpiredSubscriptions(t.db.db, actor, { now, graceHours: 24 });
    expect(again.suspended).not.toContain(activated.id);
    await drain(true);

    expect((await subscriptionRow(t.db.db, activated.id)).status).toBe('suspended');
    expect(secretOf(activated.pppoeUsername)?.disabled).toBe('true');
    expect(ros.rows('/ppp/active')).toHaveLength(0);
    const deletes = ros.requests.filter((r) => r.method === 'DELETE');
    expect(deletes).toHaveLength(1);
    expect(deletes[0]?.path).toMatch(/^\/ppp\/active\/\*[0-9A-F]+$/);
    expect((await subscriptionRow(t.db.db, activated.id)).provisioningState).toBe('synced');
    // One job for the one event (the queue keeps finished jobs' rows).
    const jobs = (await jobRows(t, 'provision.subscription')).filter(
      (j) => (j.data as { subscriptionId: string }).subscriptionId === activated.id,
    );
    expect(jobs.filter((j) => (j.data as { change: string }).change === 'suspended')).toHaveLength(1);
  });

  it('router down then back: failed with the message (visible meanwhile), retried, synced', async () => {
    const { activated } = await activeOnRouter();
    await ros.stop();
    await t.caller(staff.admin).subscriptions.suspend({ id: activated.id });
    const first = await drain();
    expect(first.completed).toBe(0);

    const failed = await t.caller(staff.support).subscriptions.get({ id: activated.id });
    expect(failed).toMatchObject({ status: 'suspended', provisioningState: 'failed', provisioningAttempts: 1 });
    expect(failed.provisioningError).toMatch(/^Connection refused by the router/);
    expect(failed.provisioningError).not.toContain(ros.password);
    const failure = (await auditRows(t.db.db, activated.id, 'subscription.provision')).at(-1);
    expect(failure).toMatchObject({ outcome: 'failure' });

    await ros.start();
    await drain(true);
    const synced = await t.caller(staff.support).subscriptions.get({ id: activated.id });
    expect(synced).toMatchObject({ provisioningState: 'synced', provisioningError: null });
    expect(secretOf(activated.pppoeUsername)?.disabled).toBe('true');
  });

  it('HTTP 500 and timeouts fail the same way; a technician retries by hand', async () => {
    const { activated } = await activeOnRouter();
    ros.failWith('http-500');
    await t.caller(staff.admin).subscriptions.suspend({ id: activated.id });
    await drain();
    expect((await subscriptionRow(t.db.db, activated.id)).provisioningError).toMatch(/^RouterOS 500 Internal Server Error/);

    ros.failWith('timeout');
    const timedOut = await t.caller(staff.technician).provisioning.retry({ id: activated.id });
    expect(timedOut).toMatchObject({ provisioningState: 'failed', provisioningError: 'The router did not answer within 1 s' });

    ros.failWith(null);
    const token = await t.tokenFor(staff.technician);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/subscriptions/${activated.id}/provision`,
      headers: { authorization: `Bearer ${token}` },
      payload: {},
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ provisioningState: 'synced', provisioningError: null });
    expect(secretOf(activated.pppoeUsername)?.disabled).toBe('true');
    expect(await codeOf(t.caller(staff.finance).provisioning.retry({ id: activated.id }))).toBe('FORBIDDEN');
  });

  it('hotspot plans use hotspot users and sessions', async () => {
    const router = await registerRouter();
    const plan = await insertPlan(t.db.db, { type: 'hotspot', routerProfile: 'day-pass' });
    const customer = await insertCustomer(t.db.db, { balanceCents: plan.priceCents });
    const sub = await t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id, routerId: router.id });
    const activated = await t.caller(staff.technician).subscriptions.activate({ id: sub.id });
    await drain();
    const user = ros.rows('/ip/hotspot/user').find((u) => u.name === activated.pppoeUsername);
    expect(user).toMatchObject({ profile: 'day-pass', password: activated.servicePassword, disabled: 'false' });
    expect(user).not.toHaveProperty('service');
    expect(secretOf(activated.pppoeUsername)).toBeUndefined();

    ros.connect(activated.pppoeUsername ?? '', 'hotspot');
    await t.caller(staff.admin).subscriptions.cancel({ id: activated.id });
    await drain();
    expect(ros.rows('/ip/hotspot/user').find((u) => u.name === activated.pppoeUsername)?.disabled).toBe('true');
    expect(ros.rows('/ip/hotspot/active')).toHaveLength(0);
    expect(ros.requests.some((r) => r.path === '/ip/hotspot/active' && r.query.user === activated.pppoeUsername)).toBe(true);
  });

  it('leaves subscriptions without a router alone: no state, no job', async () => {
    const plan = await insertPlan(t.db.db);
    const customer = await insertCustomer(t.db.db, { balanceCents: plan.priceCents });
    const sub = await t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id });
    const before = (await jobRows(t, 'provision.subscription')).length;
    const activated = await t.caller(staff.technician).subscriptions.activate({ id: sub.id });
    expect(activated).toMatchObject({ provisioningState: null, routerId: null, servicePassword: null });
    expect((await jobRows(t, 'provision.subscription')).length).toBe(before);
    expect(await codeOf(t.caller(staff.technician).provisioning.retry({ id: sub.id }))).toBe('CONFLICT');
  });

  it('a new service password is shown once and reaches the router', async () => {
    const { activated } = await activeOnRouter();
    const { username, password } = await t.caller(staff.technician).provisioning.newServicePassword({ id: activated.id });
    expect(username).toBe(activated.pppoeUsername);
    expect(password).not.toBe(activated.servicePassword);
    await drain();
    expect(secretOf(username)?.password).toBe(password);
    const audits = await auditRows(t.db.db, activated.id);
    expect(audits.map((a) => a.action)).toContain('subscription.service_password.rotate');
    expect(JSON.stringify(audits)).not.toContain(password);
  });

  it('an unknown router at creation is a 404 and creates nothing', async () => {
    const plan = await insertPlan(t.db.db);
    const customer = await insertCustomer(t.db.db);
    const missing = '00000000-0000-4000-8000-000000000000';
    expect(await codeOf(t.caller(staff.sales).subscriptions.create({ customerId: customer.id, planId: plan.id, routerId: missing }))).toBe(
      'NOT_FOUND',
    );
    expect(await t.db.db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id))).toHaveLength(0);
  });
});

describe('sync', () => {
  it('lists the differences without changing anything, then fixes them when confirmed', async () => {
    const router = await registerRouter();
    const plan = await insertPlan(t.db.db, { routerProfile: '20M' });
    const make = async (username: string, status: 'active' | 'suspended' | 'cancelled') => {
      const customer = await insertCustomer(t.db.db);
      return insertSubscription(t.db.db, {
        customerId: customer.id,
        planId: plan.id,
        status,
        pppoeUsername: username,
        routerId: router.id,
        startsAt: daysFromNow(-5),
        expiresAt: daysFromNow(status === 'active' ? 25 : -1),
      });
    };
    await make('sync-missing', 'active');
    await make('sync-disabled', 'active');
    await make('sync-profile', 'active');
    await make('sync-suspended', 'suspended');
    await make('sync-fine', 'active');
    ros.add('/ppp/secret', { name: 'sync-disabled', profile: '20M', disabled: 'true', comment: 'netflow x' });
    ros.add('/ppp/secret', { name: 'sync-profile', profile: 'default', disabled: 'false', comment: 'netflow x' });
    ros.add('/ppp/secret', { name: 'sync-suspended', profile: '20M', disabled: 'false', comment: 'netflow x' });
    ros.add('/ppp/secret', { name: 'sync-fine', profile: '20M', disabled: 'false', comment: 'netflow x' });
    ros.add('/ppp/secret', { name: 'sync-ours-extra', profile: '20M', disabled: 'false', comment: 'netflow NF-9 old' });
    ros.add('/ppp/secret', { name: 'office-vpn', profile: 'default', disabled: 'false', comment: 'by hand' });
    ros.connect('sync-suspended');

    const dry = await t.caller(staff.admin).routers.sync({ id: router.id });
    expect(dry.applied).toBe(false);
    expect(dry.differences.map((d) => [d.username, d.kind, d.action])).toEqual([
      ['office-vpn', 'extra', 'none'],
      ['sync-disabled', 'disabled-while-active', 'enable'],
      ['sync-missing', 'missing', 'create'],
      ['sync-ours-extra', 'extra', 'disable'],
      ['sync-profile', 'wrong-profile', 'set-profile'],
      ['sync-suspended', 'enabled-while-suspended', 'disable'],
    ]);
    expect(writes()).toEqual([]);
    expect(await codeOf(t.caller(staff.manager).routers.sync({ id: router.id }))).toBe('FORBIDDEN');

    const token = await t.tokenFor(staff.admin);
    const res = await t.app.inject({
      method: 'POST',
      url: `/api/routers/${router.id}/sync`,
      headers: { authorization: `Bearer ${token}` },
      payload: { apply: true },
    });
    expect(res.statusCode).toBe(200);
    const applied = res.json<{ applied: boolean; fixed: number; differences: { username: string; action: string }[] }>();
    expect(applied.applied).toBe(true);
    expect(applied.fixed).toBe(5);
    expect(applied.differences.map((d) => [d.username, d.action])).toEqual([
      ['office-vpn', 'none'],
      ['sync-ours-extra', 'none'],
    ]);
    expect(secretOf('sync-missing')).toMatchObject({ disabled: 'false', profile: '20M', service: 'pppoe' });
    expect(secretOf('sync-disabled')?.disabled).toBe('false');
    expect(secretOf('sync-profile')?.profile).toBe('20M');
    expect(secretOf('sync-suspended')?.disabled).toBe('true');
    expect(ros.rows('/ppp/active')).toHaveLength(0);
    expect(secretOf('sync-ours-extra')?.disabled).toBe('true');
    expect(secretOf('office-vpn')?.disabled).toBe('false');
    expect(secrets()).toHaveLength(7);
    const audit = (await auditRows(t.db.db, router.id, 'router.sync'))[0];
    expect(audit?.changes).toMatchObject({
      fixed: { missing: 1, 'disabled-while-active': 1, 'wrong-profile': 1, 'enabled-while-suspended': 1, extra: 1 },
    });
  });

  it('a router that cannot be read is a clear error', async () => {
    const router = await registerRouter();
    ros.failWith('unauthorized');
    await expect(t.caller(staff.admin).routers.sync({ id: router.id })).rejects.toThrow(/RouterOS 401 Unauthorized/);
  });
});
