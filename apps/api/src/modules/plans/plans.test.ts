import { ROLES, can, type Role } from '@netflow/contracts';
import { plans } from '@netflow/db';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';
import { auditRows, insertPlan } from '../../test/fixtures';

let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;

const validPlan = (name: string) => ({
  name,
  type: 'pppoe' as const,
  downloadKbps: 10_000,
  uploadKbps: 5_000,
  priceCents: 250_000,
  validityDays: 30,
});

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t.close();
});

describe('plans', () => {
  it('creates, lists and updates a plan, auditing each change', async () => {
    const admin = t.caller(staff.admin);
    const created = await admin.plans.create(validPlan('Home 10 Mbps'));
    expect(created).toMatchObject({ name: 'Home 10 Mbps', type: 'pppoe', priceCents: 250_000, active: true });

    const updated = await admin.plans.update({ id: created.id, priceCents: 300_000, active: false });
    expect(updated).toMatchObject({ priceCents: 300_000, active: false });

    const page = await t.caller(staff.sales).plans.list({ search: 'home 10', limit: 10 });
    expect(page.items.map((p) => p.id)).toContain(created.id);

    const audits = await auditRows(t.db.db, created.id);
    expect(audits.map((a) => a.action)).toEqual(['plan.create', 'plan.update']);
    expect(audits[1]?.changes).toEqual({ priceCents: { from: 250_000, to: 300_000 }, active: { from: true, to: false } });
    expect(audits[1]?.actorId).toBe(staff.admin.id);
  });

  it('refuses a duplicate name (case-insensitive) with 409 and creates nothing', async () => {
    const admin = t.caller(staff.admin);
    await admin.plans.create(validPlan('Biz 50'));
    expect(await codeOf(admin.plans.create(validPlan('biz 50')))).toBe('CONFLICT');
    const rows = await t.db.db.select().from(plans).where(eq(plans.name, 'biz 50'));
    expect(rows).toHaveLength(0);
  });

  it('renaming onto another plan answers 409; a missing id answers 404', async () => {
    const admin = t.caller(staff.admin);
    const a = await admin.plans.create(validPlan('Rename A'));
    await admin.plans.create(validPlan('Rename B'));
    expect(await codeOf(admin.plans.update({ id: a.id, name: 'RENAME B' }))).toBe('CONFLICT');
    expect(await codeOf(admin.plans.update({ id: '00000000-0000-4000-8000-000000000000', name: 'x y' }))).toBe('NOT_FOUND');
  });

  it.each([
    ['zero price', { priceCents: 0 }],
    ['fractional price', { priceCents: 10.5 }],
    ['huge price', { priceCents: 1e12 }],
    ['zero validity', { validityDays: 0 }],
    ['unknown type', { type: 'fibre' }],
    ['tiny rate', { downloadKbps: 1 }],
  ])('rejects %s with 400', async (_label, patch) => {
    const before = await t.db.db.select().from(plans);
    const input = { ...validPlan(`Bad ${_label}`), ...patch } as ReturnType<typeof validPlan>;
    expect(await codeOf(t.caller(staff.admin).plans.create(input))).toBe('BAD_REQUEST');
    expect(await t.db.db.select().from(plans)).toHaveLength(before.length);
  });

  it('filters by type and active, paginates with a cursor, and sorts only by allowed keys', async () => {
    const admin = t.caller(staff.admin);
    for (let i = 0; i < 5; i += 1) await insertPlan(t.db.db, { name: `Hotspot page ${i}`, type: 'hotspot', priceCents: 1000 + i });
    const first = await admin.plans.list({ type: 'hotspot', active: 'true', limit: 2, sort: 'priceCents', order: 'asc' });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const seen = [...first.items];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = await admin.plans.list({ type: 'hotspot', active: 'true', limit: 2, sort: 'priceCents', order: 'asc', cursor });
      seen.push(...page.items);
      cursor = page.nextCursor;
    }
    expect(seen.map((p) => p.priceCents)).toEqual([1000, 1001, 1002, 1003, 1004]);
    expect(seen.every((p) => p.type === 'hotspot')).toBe(true);
  });

  it('rejects limit 1e9, an unknown sort, a bad cursor and a bad id with 400', async () => {
    const admin = t.caller(staff.admin);
    expect(await codeOf(admin.plans.list({ limit: 1e9 }))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.plans.list({ sort: 'name; drop table plans' as 'name' }))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.plans.list({ cursor: 'not-a-cursor' }))).toBe('BAD_REQUEST');
    expect(await codeOf(admin.plans.update({ id: 'nope', name: 'abc' }))).toBe('BAD_REQUEST');
  });

  it('matches search literally: % and _ and quotes are not wildcards', async () => {
    await insertPlan(t.db.db, { name: 'Promo 100% off' });
    await insertPlan(t.db.db, { name: 'Promo 1000 off' });
    const admin = t.caller(staff.admin);
    const pct = await admin.plans.list({ search: '100%' });
    expect(pct.items.map((p) => p.name)).toEqual(['Promo 100% off']);
    expect((await admin.plans.list({ search: "' or 1=1 --" })).items).toEqual([]);
    expect((await admin.plans.list({ search: '_' })).items).toEqual([]);
  });

  describe('role × action against the matrix', () => {
    it.each(ROLES)('%s', async (role) => {
      const caller = t.caller(staff[role]);
      const expectRead = can(role, 'plans.read') ? 'OK' : 'FORBIDDEN';
      const expectManage = can(role, 'plans.manage') ? 'OK' : 'FORBIDDEN';
      expect(await codeOf(caller.plans.list({}))).toBe(expectRead);
      const name = `Matrix ${role}`;
      expect(await codeOf(caller.plans.create(validPlan(name)))).toBe(expectManage);
      const target = await insertPlan(t.db.db);
      expect(await codeOf(caller.plans.update({ id: target.id, validityDays: 7 }))).toBe(expectManage);
    });

    it('anonymous callers get 401', async () => {
      expect(await codeOf(t.caller(null).plans.list({}))).toBe('UNAUTHORIZED');
    });
  });

  describe('REST twins', () => {
    it('GET/POST /api/plans and PATCH /api/plans/{id}', async () => {
      const token = await t.tokenFor(staff.manager);
      const auth = { authorization: `Bearer ${token}` };
      const post = await t.app.inject({ method: 'POST', url: '/api/plans', headers: auth, payload: validPlan('REST Plan') });
      expect(post.statusCode).toBe(201);
      const created = post.json<{ id: string }>();
      const patch = await t.app.inject({ method: 'PATCH', url: `/api/plans/${created.id}`, headers: auth, payload: { validityDays: 7 } });
      expect(patch.statusCode).toBe(200);
      expect(patch.json()).toMatchObject({ validityDays: 7 });
      const list = await t.app.inject({ method: 'GET', url: '/api/plans?search=rest%20plan&limit=5', headers: auth });
      expect(list.statusCode).toBe(200);
      expect(list.json<{ items: { id: string }[] }>().items.map((p) => p.id)).toEqual([created.id]);

      const retired = await insertPlan(t.db.db, { active: false });
      const inactive = await t.app.inject({ method: 'GET', url: '/api/plans?active=false&limit=100', headers: auth });
      expect(inactive.statusCode).toBe(200);
      const inactiveIds = (await t.db.db.select({ id: plans.id }).from(plans).where(eq(plans.active, false))).map((p) => p.id);
      expect(inactiveIds).toContain(retired.id);
      const listed = inactive.json<{ items: { id: string; active: boolean }[] }>().items;
      expect(listed.map((p) => p.id).sort()).toEqual(inactiveIds.sort());
      expect(listed.map((p) => p.active)).toEqual(inactiveIds.map(() => false));
      const big = await t.app.inject({ method: 'GET', url: '/api/plans?limit=1000000000', headers: auth });
      expect(big.statusCode).toBe(400);
      const bad = await t.app.inject({ method: 'POST', url: '/api/plans', headers: auth, payload: { ...validPlan('x'), priceCents: -1 } });
      expect(bad.statusCode).toBe(400);
      expect(bad.json()).toHaveProperty('fieldErrors');
      const dup = await t.app.inject({ method: 'POST', url: '/api/plans', headers: auth, payload: validPlan('REST Plan') });
      expect(dup.statusCode).toBe(409);
      expect(dup.json()).toEqual({ error: 'A plan with that name already exists' });
    });

    it('a technician may read but not create (403); no token is 401', async () => {
      const token = await t.tokenFor(staff.technician);
      const headers = { authorization: `Bearer ${token}` };
      expect((await t.app.inject({ method: 'GET', url: '/api/plans', headers })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'POST', url: '/api/plans', headers, payload: validPlan('Tech') })).statusCode).toBe(403);
      expect((await t.app.inject({ method: 'GET', url: '/api/plans' })).statusCode).toBe(401);
    });
  });
});
