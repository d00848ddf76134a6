/**
 * Leads over HTTP: the REST twins (status codes and bodies a client sees), the CSV exports of
 * leads and customers (permission, audit row, streaming, formula-injection escaping), and their
 * place in the OpenAPI document.
 */
import { can, ROLES } from '@netflow/contracts';
import { auditLog, customers, leads, plans } from '@netflow/db';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let admin: CurrentUser;
let sales1: CurrentUser;
let sales2: CurrentUser;
let adminToken: string;
let sales1Token: string;
let planId: string;

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

async function lastAudit() {
  const [row] = await t.db.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
  return row;
}

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.createUser({ role: 'admin' });
  sales1 = await t.createUser({ role: 'sales' });
  sales2 = await t.createUser({ role: 'sales' });
  adminToken = await t.tokenFor(admin);
  sales1Token = await t.tokenFor(sales1);
  const [plan] = await t.db.db
    .insert(plans)
    .values({ name: 'Fibre 20', type: 'pppoe', downloadKbps: 20_000, uploadKbps: 10_000, priceCents: 300_000, validityDays: 30 })
    .returning();
  if (!plan) throw new Error('plan insert failed');
  planId = plan.id;
});

afterAll(async () => {
  await t.close();
});

describe('REST twins', () => {
  it('walks a lead to a customer through the REST API alone', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/leads',
      headers: auth(sales1Token),
      payload: { name: 'Achieng Otieno', phone: '0711000111', email: 'achieng@example.com', planId },
    });
    expect(created.statusCode).toBe(201);
    const lead = created.json<{ id: string; status: string; assigneeId: string }>();
    expect(lead).toMatchObject({ status: 'new', assigneeId: sales1.id });

    const fetched = await t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}`, headers: auth(sales1Token) });
    expect(fetched.statusCode).toBe(200);

    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${lead.id}`,
      headers: auth(sales1Token),
      payload: { source: 'referral' },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ source: 'referral' });

    for (const status of ['contacted', 'qualified']) {
      const moved = await t.app.inject({
        method: 'POST',
        url: `/api/leads/${lead.id}/status`,
        headers: auth(sales1Token),
        payload: { status },
      });
      expect(moved.statusCode).toBe(200);
      expect(moved.json()).toMatchObject({ status });
    }

    const note = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/activities`,
      headers: auth(sales1Token),
      payload: { kind: 'call', body: 'Confirmed installation date' },
    });
    expect(note.statusCode).toBe(201);

    const converted = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/convert`,
      headers: auth(sales1Token),
      payload: { planId },
    });
    expect(converted.statusCode).toBe(201);
    const result = converted.json<{ customerId: string; accountNumber: string; subscriptionId: string }>();
    expect(result.accountNumber).toMatch(/^NF-\d{6}$/);

    const again = await t.app.inject({ method: 'POST', url: `/api/leads/${lead.id}/convert`, headers: auth(sales1Token), payload: {} });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ error: 'This lead has already been converted' });

    const timeline = await t.app.inject({ method: 'GET', url: `/api/leads/${lead.id}/activities?limit=10`, headers: auth(sales1Token) });
    expect(timeline.statusCode).toBe(200);
    expect(timeline.json<{ items: { kind: string }[] }>().items.map((a) => a.kind)).toEqual([
      'conversion',
      'call',
      'status_change',
      'status_change',
    ]);

    const customer = await t.app.inject({ method: 'GET', url: `/api/customers/${result.customerId}`, headers: auth(adminToken) });
    expect(customer.statusCode).toBe(200);
    expect(customer.json()).toMatchObject({
      leadId: lead.id,
      accountNumber: result.accountNumber,
      subscriptions: [{ planId, status: 'pending' }],
    });
  });

  it('answers illegal moves with 409, a lost lead without reason with 400, and changes nothing', async () => {
    const [lead] = await t.db.db.insert(leads).values({ name: 'Kiprop', phone: '0711000222' }).returning();
    if (!lead) throw new Error('insert failed');
    const skip = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/status`,
      headers: auth(adminToken),
      payload: { status: 'qualified' },
    });
    expect(skip.statusCode).toBe(409);
    expect(skip.json()).toEqual({ error: 'A new lead cannot move to qualified' });
    const won = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/status`,
      headers: auth(adminToken),
      payload: { status: 'won' },
    });
    expect(won.statusCode).toBe(409);
    const lost = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${lead.id}/status`,
      headers: auth(adminToken),
      payload: { status: 'lost' },
    });
    expect(lost.statusCode).toBe(400);
    expect(lost.json()).toMatchObject({ error: expect.any(String), fieldErrors: { reason: ['Say why the lead was lost'] } });
    const [after] = await t.db.db.select().from(leads).where(eq(leads.id, lead.id));
    expect(after?.status).toBe('new');
  });

  it('answers 404 for another sales user’s lead and for a missing one, with the same body', async () => {
    const [theirs] = await t.db.db.insert(leads).values({ name: 'Hidden', phone: '0711000333', assigneeId: sales2.id }).returning();
    if (!theirs) throw new Error('insert failed');
    const hidden = await t.app.inject({ method: 'GET', url: `/api/leads/${theirs.id}`, headers: auth(sales1Token) });
    const missing = await t.app.inject({ method: 'GET', url: `/api/leads/${crypto.randomUUID()}`, headers: auth(sales1Token) });
    expect(hidden.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(hidden.json()).toEqual(missing.json());
    const patch = await t.app.inject({
      method: 'PATCH',
      url: `/api/leads/${theirs.id}`,
      headers: auth(sales1Token),
      payload: { name: 'Mine' },
    });
    expect(patch.statusCode).toBe(404);
    const [after] = await t.db.db.select().from(leads).where(eq(leads.id, theirs.id));
    expect(after?.name).toBe('Hidden');
  });

  it('validates list queries: limit 1e9, unknown sort, bad id → 400; no token → 401', async () => {
    for (const url of [
      '/api/leads?limit=1000000000',
      '/api/leads?limit=1e9',
      '/api/leads?limit=0',
      '/api/leads?sort=password_hash',
      '/api/leads?sort=name%27%3B%20drop%20table%20leads%3B--',
      '/api/leads?order=up',
      '/api/leads/not-a-uuid',
      '/api/customers?sort=balance',
      '/api/customers?limit=101',
    ]) {
      const res = await t.app.inject({ method: 'GET', url, headers: auth(adminToken) });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      expect(res.json<{ error: string }>().error).toBeTypeOf('string');
    }
    const anon = await t.app.inject({ method: 'GET', url: '/api/leads' });
    expect(anon.statusCode).toBe(401);
  });

  it('searches literally over REST', async () => {
    await t.db.db.insert(leads).values([
      { name: '50% Off Shop', phone: '0711000444' },
      { name: '500 Off Shop', phone: '0711000555' },
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/leads?search=${encodeURIComponent('50%')}&limit=100`,
      headers: auth(adminToken),
    });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ items: { name: string }[] }>().items.map((l) => l.name)).toEqual(['50% Off Shop']);
    const filtered = await t.app.inject({
      method: 'GET',
      url: `/api/leads?assignee=unassigned&status=new&search=${encodeURIComponent('off shop')}&sort=name&order=desc&limit=1`,
      headers: auth(adminToken),
    });
    expect(filtered.statusCode).toBe(200);
    const page = filtered.json<{ items: { name: string }[]; nextCursor: string | null }>();
    expect(page.items.map((l) => l.name)).toEqual(['500 Off Shop']);
    const next = await t.app.inject({
      method: 'GET',
      url: `/api/leads?assignee=unassigned&status=new&search=${encodeURIComponent('off shop')}&sort=name&order=desc&limit=1&cursor=${page.nextCursor ?? ''}`,
      headers: auth(adminToken),
    });
    expect(next.json<{ items: { name: string }[] }>().items.map((l) => l.name)).toEqual(['50% Off Shop']);
  });
});

describe('CSV export', () => {
  it('streams leads as CSV with formula cells defused, and writes an audit row', async () => {
    await t.db.db.insert(leads).values([
      { name: '=HYPERLINK("http://evil.example","click")', phone: '0711000666', notes: '+254 call me', source: '@twitter' },
      { name: '-2+3', phone: '0711000777', notes: '\tTabbed', address: 'Line 1, "Block B"\nNairobi' },
    ]);
    const res = await t.app.inject({ method: 'GET', url: '/api/leads/export?sort=name&order=asc', headers: auth(adminToken) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment; filename="leads-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(res.headers['cache-control']).toBe('no-store');
    const body = res.body.replace(/^\uFEFF/, '');
    const lines = body.split('\r\n');
    expect(lines[0]).toBe(
      'Name,Phone,E-mail,Address,Location,Source,Plan,Assignee,Status,Lost reason,Notes,Converted at,Customer id,Created at,Id',
    );
    const total = (await t.db.db.select().from(leads)).length;
    expect(lines.filter((l) => l.length > 0 && !l.startsWith('Nairobi'))).toHaveLength(total + 1);
    expect(body).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
    expect(body).toContain(`'+254 call me`);
    expect(body).toContain(`'@twitter`);
    expect(body).toContain(`'-2+3`);
    expect(body).toContain(`'\tTabbed`);
    expect(body).toContain(`"Line 1, ""Block B""\nNairobi"`);
    // No cell starts with a formula trigger.
    expect(body).not.toMatch(/(^|,)[=+@]/m);

    const audit = await lastAudit();
    expect(audit).toMatchObject({ action: 'lead.export', entityType: 'lead', actorId: admin.id, outcome: 'success' });
    expect(audit?.changes).toMatchObject({ filters: { sort: 'name', order: 'asc' } });
  });

  it('walks more rows than one page (streamed along the keyset)', async () => {
    const many = Array.from({ length: 520 }, (_, i) => ({
      name: `Bulk ${i}`,
      phone: `07330${String(i).padStart(5, '0')}`,
      source: 'bulk',
    }));
    await t.db.db.insert(leads).values(many);
    const res = await t.app.inject({ method: 'GET', url: '/api/leads/export?search=Bulk', headers: auth(adminToken) });
    expect(res.statusCode).toBe(200);
    const rows = res.body.split('\r\n').filter((l) => l.startsWith('Bulk '));
    expect(rows).toHaveLength(520);
    expect(new Set(rows.map((r) => r.split(',').at(-1))).size).toBe(520);
  });

  it('refuses filters outside the allowlist with a JSON 400 and writes no audit row', async () => {
    const before = await lastAudit();
    const res = await t.app.inject({ method: 'GET', url: '/api/leads/export?sort=password_hash', headers: auth(adminToken) });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'Invalid input', fieldErrors: { sort: expect.any(Array) } });
    expect((await lastAudit())?.id).toBe(before?.id);
  });

  it('answers 401 without a valid token and 403 for roles without the export permission, as JSON', async () => {
    const before = await lastAudit();
    for (const path of ['/api/leads/export', '/api/customers/export']) {
      const anon = await t.app.inject({ method: 'GET', url: path });
      expect(anon.statusCode).toBe(401);
      expect(anon.json()).toEqual({ error: 'Authentication required' });
      const forged = await t.app.inject({ method: 'GET', url: path, headers: { authorization: 'Bearer a.b.c' } });
      expect(forged.statusCode).toBe(401);
    }
    for (const role of ROLES) {
      const user = await t.createUser({ role });
      const token = await t.tokenFor(user);
      for (const [path, permission] of [
        ['/api/leads/export', 'leads.export'],
        ['/api/customers/export', 'customers.export'],
      ] as const) {
        const res = await t.app.inject({ method: 'GET', url: path, headers: auth(token) });
        expect({ role, path, status: res.statusCode }).toEqual({ role, path, status: can(role, permission) ? 200 : 403 });
        if (res.statusCode === 403) expect(res.json()).toEqual({ error: 'You do not have permission to do this' });
      }
    }
    const exportsAudited = await t.db.db.select().from(auditLog).where(eq(auditLog.action, 'customer.export'));
    expect(exportsAudited.length).toBe(ROLES.filter((r) => can(r, 'customers.export')).length);
    expect((await lastAudit())?.id).toBeGreaterThan(before?.id ?? 0);
  });

  it('exports customers with account numbers, filtered like the list', async () => {
    await t.db.db.insert(customers).values([
      { name: '@Risky Name', phone: '0744000001' },
      { name: 'Safe Name', phone: '0744000002', email: 'safe@example.com' },
    ]);
    const res = await t.app.inject({
      method: 'GET',
      url: `/api/customers/export?search=${encodeURIComponent('Name')}&sort=name&order=asc`,
      headers: auth(adminToken),
    });
    expect(res.statusCode).toBe(200);
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .split('\r\n')
      .filter(Boolean);
    expect(lines[0]).toBe('Account number,Name,Phone,E-mail,Address,Location,Status,Balance (KES cents),Lead id,Created at,Id');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(/^NF-\d{6},'@Risky Name,0744000001,/);
    expect(lines[2]).toMatch(/^NF-\d{6},Safe Name,0744000002,safe@example.com,/);
    expect(await lastAudit()).toMatchObject({ action: 'customer.export', entityType: 'customer', actorId: admin.id });
  });
});

describe('OpenAPI document', () => {
  it('lists every leads, customers, activities and dashboard route, CSV exports included', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>;
    }>();
    const expected: [string, string][] = [
      ['/leads', 'get'],
      ['/leads', 'post'],
      ['/leads/{id}', 'get'],
      ['/leads/{id}', 'patch'],
      ['/leads/{id}/status', 'post'],
      ['/leads/{id}/convert', 'post'],
      ['/leads/{id}/activities', 'get'],
      ['/leads/{id}/activities', 'post'],
      ['/customers', 'get'],
      ['/customers', 'post'],
      ['/customers/{id}', 'get'],
      ['/customers/{id}', 'patch'],
      ['/customers/{id}/activities', 'get'],
      ['/customers/{id}/activities', 'post'],
      ['/dashboard', 'get'],
      ['/leads/export', 'get'],
      ['/customers/export', 'get'],
    ];
    for (const [path, method] of expected)
      expect({ path, method, present: Boolean(doc.paths[path]?.[method]) }).toEqual({ path, method, present: true });
    expect(Object.keys(doc.paths['/leads/export']?.get?.responses?.['200']?.content ?? {})).toEqual(['text/csv']);
  });
});
