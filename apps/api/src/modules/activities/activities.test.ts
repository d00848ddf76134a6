/**
 * Timelines on a real database: notes on leads and customers, access following the parent record
 * (a hidden lead's timeline is a 404), validation, newest-first keyset pages, audit rows, REST twins.
 */
import { activities, auditLog, customers, leads } from '@netflow/db';
import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
let t: TestApp;
let manager: CurrentUser;
let sales1: CurrentUser;
let sales2: CurrentUser;
let support: CurrentUser;
let technician: CurrentUser;
let leadId: string;
let hiddenLeadId: string;
let customerId: string;

beforeAll(async () => {
  t = await createTestApp();
  manager = await t.createUser({ role: 'manager', name: 'Mary Manager' });
  sales1 = await t.createUser({ role: 'sales', name: 'Sid Sales' });
  sales2 = await t.createUser({ role: 'sales' });
  support = await t.createUser({ role: 'support' });
  technician = await t.createUser({ role: 'technician' });
  const [lead] = await t.db.db.insert(leads).values({ name: 'Timeline Lead', phone: '0790000001', assigneeId: sales1.id }).returning();
  const [hidden] = await t.db.db.insert(leads).values({ name: 'Hidden Lead', phone: '0790000002', assigneeId: sales2.id }).returning();
  const [customer] = await t.db.db.insert(customers).values({ name: 'Timeline Customer', phone: '0790000003' }).returning();
  if (!lead || !hidden || !customer) throw new Error('insert failed');
  leadId = lead.id;
  hiddenLeadId = hidden.id;
  customerId = customer.id;
});

afterAll(async () => {
  await t.close();
});

describe('notes on a lead', () => {
  it('adds a note, call or visit with its author, audited, and lists them newest first in pages', async () => {
    const me = t.caller(sales1);
    const note = await me.activities.create({ leadId, body: '  Asked for a quote  ' });
    expect(note).toMatchObject({
      leadId,
      customerId: null,
      kind: 'note',
      body: 'Asked for a quote',
      actorId: sales1.id,
      actorName: 'Sid Sales',
      data: null,
    });
    await me.activities.create({ leadId, kind: 'call', body: 'Called back' });
    await me.activities.createForLead({ id: leadId, kind: 'visit', body: 'Site survey done' });

    const [audit] = await t.db.db.select().from(auditLog).where(eq(auditLog.action, 'activity.create')).orderBy(auditLog.id).limit(1);
    expect(audit).toMatchObject({ entityType: 'lead', entityId: leadId, actorId: sales1.id });
    expect(audit?.changes).toEqual({ activityId: note.id, kind: 'note' });

    const first = await me.activities.list({ leadId, limit: 2 });
    expect(first.items.map((a) => a.body)).toEqual(['Site survey done', 'Called back']);
    expect(first.nextCursor).not.toBeNull();
    const second = await me.activities.listForLead({ id: leadId, limit: 2, cursor: first.nextCursor ?? undefined });
    expect(second.items.map((a) => a.body)).toEqual(['Asked for a quote']);
    expect(second.nextCursor).toBeNull();
  });

  it('refuses other kinds, empty bodies and ambiguous parents with 400, writing nothing', async () => {
    const before = (await t.db.db.select().from(activities)).length;
    const me = t.caller(sales1);
    for (const attempt of [
      () => me.activities.create({ leadId, kind: 'conversion' as never, body: 'fake conversion' }),
      () => me.activities.create({ leadId, body: '   ' }),
      () => me.activities.create({ leadId, body: 'x'.repeat(4001) }),
      () => me.activities.create({ body: 'no parent' }),
      () => me.activities.create({ leadId, customerId, body: 'two parents' }),
      () => me.activities.list({}),
      () => me.activities.list({ leadId, customerId }),
      () => me.activities.list({ leadId: 'not-a-uuid' }),
      () => me.activities.list({ leadId, limit: 1e9 }),
      () => me.activities.list({ leadId, cursor: 'bogus' }),
    ]) {
      expect(await codeOf(attempt())).toBe('BAD_REQUEST');
    }
    expect((await t.db.db.select().from(activities)).length).toBe(before);
  });

  it("answers 404 for another sales user's lead and for a missing lead, writing nothing", async () => {
    const me = t.caller(sales1);
    for (const id of [hiddenLeadId, crypto.randomUUID()]) {
      expect(await codeOf(me.activities.list({ leadId: id }))).toBe('NOT_FOUND');
      expect(await codeOf(me.activities.create({ leadId: id, body: 'peek' }))).toBe('NOT_FOUND');
    }
    expect(await t.db.db.select().from(activities).where(eq(activities.leadId, hiddenLeadId))).toEqual([]);
  });

  it('lets support read a lead timeline but not write on it; technicians see no lead timelines', async () => {
    expect((await t.caller(support).activities.list({ leadId })).items.length).toBeGreaterThan(0);
    expect(await codeOf(t.caller(support).activities.create({ leadId, body: 'support note' }))).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(technician).activities.list({ leadId }))).toBe('FORBIDDEN');
    expect(await codeOf(t.caller(null).activities.list({ leadId }))).toBe('UNAUTHORIZED');
  });
});

describe('notes on a customer', () => {
  it('lets anyone who can read the customer log a note; 404 for an unknown customer', async () => {
    const byTech = await t.caller(technician).activities.create({ customerId, kind: 'visit', body: 'Replaced router' });
    expect(byTech).toMatchObject({ customerId, leadId: null, kind: 'visit' });
    const bySupport = await t.caller(support).activities.createForCustomer({ id: customerId, body: 'Explained billing' });
    expect(bySupport.kind).toBe('note');
    const timeline = await t.caller(manager).activities.listForCustomer({ id: customerId });
    expect(timeline.items.map((a) => a.body)).toEqual(['Explained billing', 'Replaced router']);
    expect(await codeOf(t.caller(manager).activities.list({ customerId: crypto.randomUUID() }))).toBe('NOT_FOUND');
  });
});

describe('REST twins', () => {
  it('serves GET/POST /api/customers/{id}/activities and /api/leads/{id}/activities', async () => {
    const token = await t.tokenFor(manager);
    const headers = { authorization: `Bearer ${token}` };
    const posted = await t.app.inject({
      method: 'POST',
      url: `/api/customers/${customerId}/activities`,
      headers,
      payload: { kind: 'call', body: 'Payment reminder' },
    });
    expect(posted.statusCode).toBe(201);
    expect(posted.json()).toMatchObject({ customerId, kind: 'call', body: 'Payment reminder', actorName: 'Mary Manager' });
    const listed = await t.app.inject({ method: 'GET', url: `/api/customers/${customerId}/activities?limit=1`, headers });
    expect(listed.statusCode).toBe(200);
    expect(listed.json<{ items: { body: string }[]; nextCursor: string | null }>()).toMatchObject({
      items: [{ body: 'Payment reminder' }],
    });
    const bad = await t.app.inject({
      method: 'POST',
      url: `/api/leads/${leadId}/activities`,
      headers,
      payload: { kind: 'payment', body: 'x' },
    });
    expect(bad.statusCode).toBe(400);
    const salesHeaders = { authorization: `Bearer ${await t.tokenFor(sales1)}` };
    const hidden = await t.app.inject({ method: 'GET', url: `/api/leads/${hiddenLeadId}/activities`, headers: salesHeaders });
    expect(hidden.statusCode).toBe(404);
    const [latest] = await t.db.db.select().from(activities).orderBy(desc(activities.createdAt)).limit(1);
    expect(latest?.body).toBe('Payment reminder');
  });
});
