/**
 * Leads through the tRPC caller on a real database: the pipeline, conversion (also racing),
 * record-level access (IDOR answers 404 and changes nothing), the role × action table against the
 * permission matrix, list validation, pagination and literal search.
 */
import { can, LEAD_STATUSES, LEAD_TRANSITIONS, ROLES, type LeadStatus, type Role } from '@netflow/contracts';
import { activities, auditLog, customers, leads, plans, subscriptions } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createHarness, type Harness } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

let h: Harness;
let admin: CurrentUser;
let manager: CurrentUser;
let sales1: CurrentUser;
let sales2: CurrentUser;
let support: CurrentUser;
let planId: string;
let inactivePlanId: string;
let phoneCounter = 0;

const nextPhone = () => `07${String(10_000_000 + (phoneCounter += 1)).padStart(8, '0')}`;

/** A lead row inserted directly, in any status, assigned to whoever is given. */
async function insertLead(values: Partial<typeof leads.$inferInsert> = {}) {
  const [row] = await h.db.db
    .insert(leads)
    .values({ name: `Lead ${phoneCounter}`, phone: nextPhone(), ...values })
    .returning();
  if (!row) throw new Error('insert failed');
  return row;
}

async function leadRow(id: string) {
  const [row] = await h.db.db.select().from(leads).where(eq(leads.id, id));
  if (!row) throw new Error('lead vanished');
  return row;
}

async function auditActions(entityId: string) {
  const rows = await h.db.db.select({ action: auditLog.action }).from(auditLog).where(eq(auditLog.entityId, entityId)).orderBy(auditLog.id);
  return rows.map((r) => r.action);
}

beforeAll(async () => {
  h = await createHarness();
  admin = await h.createUser({ role: 'admin' });
  manager = await h.createUser({ role: 'manager' });
  sales1 = await h.createUser({ role: 'sales', name: 'Sally Sales' });
  sales2 = await h.createUser({ role: 'sales', name: 'Sam Sales' });
  support = await h.createUser({ role: 'support' });
  const [plan] = await h.db.db
    .insert(plans)
    .values({ name: 'Home 10', type: 'pppoe', downloadKbps: 10_000, uploadKbps: 5_000, priceCents: 250_000, validityDays: 30 })
    .returning();
  const [old] = await h.db.db
    .insert(plans)
    .values({
      name: 'Legacy 2',
      type: 'pppoe',
      downloadKbps: 2_000,
      uploadKbps: 1_000,
      priceCents: 100_000,
      validityDays: 30,
      active: false,
    })
    .returning();
  if (!plan || !old) throw new Error('plan insert failed');
  planId = plan.id;
  inactivePlanId = old.id;
});

afterAll(async () => {
  await h.close();
});

describe('happy path', () => {
  it('walks a lead from new to a customer with a pending subscription, audited and on the timeline', async () => {
    const sales = h.caller(sales1);
    const created = await sales.leads.create({
      name: '  Wanjiru Kamau ',
      phone: '0712 345 678',
      email: 'Wanjiru@Example.com',
      address: 'Kilimani, Nairobi',
      source: 'walk-in',
      planId,
    });
    expect(created).toMatchObject({
      name: 'Wanjiru Kamau',
      phone: '0712345678',
      email: 'wanjiru@example.com',
      status: 'new',
      assigneeId: sales1.id,
      assigneeName: 'Sally Sales',
      planName: 'Home 10',
      customerId: null,
    });

    expect(await sales.leads.get({ id: created.id })).toEqual(created);
    const edited = await sales.leads.update({ id: created.id, notes: 'Wants installation on Saturday', address: null });
    expect(edited.notes).toBe('Wants installation on Saturday');
    expect(edited.address).toBeNull();
    // Status is not an editable field: the pipeline moves only through setStatus/convert.
    const sneaky = await sales.leads.update({ id: created.id, status: 'won', convertedAt: new Date().toISOString() } as never);
    expect(sneaky).toMatchObject({ status: 'new', convertedAt: null });

    await sales.leads.setStatus({ id: created.id, status: 'contacted' });
    await sales.leads.setStatus({ id: created.id, status: 'qualified' });
    const result = await sales.leads.convert({ id: created.id, planId });

    expect(result.accountNumber).toMatch(/^NF-\d{6}$/);
    expect(result.lead).toMatchObject({ status: 'won', customerId: result.customerId });
    expect(result.lead.convertedAt).not.toBeNull();
    const [customer] = await h.db.db.select().from(customers).where(eq(customers.id, result.customerId));
    expect(customer).toMatchObject({ leadId: created.id, name: 'Wanjiru Kamau', phone: '0712345678', email: 'wanjiru@example.com' });
    const subs = await h.db.db.select().from(subscriptions).where(eq(subscriptions.customerId, result.customerId));
    expect(subs).toHaveLength(1);
    expect(subs[0]).toMatchObject({ id: result.subscriptionId, planId, status: 'pending' });

    expect(await auditActions(created.id)).toEqual(['lead.create', 'lead.update', 'lead.status', 'lead.status', 'lead.convert']); // the ignored edit changed nothing, so no row
    expect(await auditActions(result.customerId)).toEqual(['customer.create']);
    // The account is opened by the customers service (the same audit entry as a hand-made customer, plus the lead).
    const [opened] = await h.db.db.select().from(auditLog).where(eq(auditLog.entityId, result.customerId));
    expect(opened?.changes).toEqual({
      name: 'Wanjiru Kamau',
      phone: '0712345678',
      email: 'wanjiru@example.com',
      address: null,
      location: customer?.location ?? null,
      leadId: created.id,
      accountNumber: result.accountNumber,
    });
    const customerTimeline = await h.caller(admin).activities.list({ customerId: result.customerId });
    // Both written in the conversion's transaction (same instant), so compared without order.
    expect(customerTimeline.items).toHaveLength(2);
    expect(customerTimeline.items.map((a) => [a.kind, a.data])).toEqual(
      expect.arrayContaining([
        ['subscription', expect.objectContaining({ subscriptionId: result.subscriptionId })],
        ['conversion', { leadId: created.id }],
      ]),
    );

    const timeline = await sales.activities.list({ leadId: created.id });
    expect(timeline.items.map((a) => a.kind)).toEqual(['conversion', 'status_change', 'status_change']);
    expect(timeline.items[2]?.data).toEqual({ from: 'new', to: 'contacted' });
  });

  it('lets a manager assign a lead to a sales user, and sales self-assign by default', async () => {
    const lead = await h.caller(manager).leads.create({ name: 'Otieno', phone: nextPhone(), assigneeId: sales2.id });
    expect(lead.assigneeId).toBe(sales2.id);
    const unassigned = await h.caller(manager).leads.create({ name: 'Pool lead', phone: nextPhone(), assigneeId: null });
    expect(unassigned.assigneeId).toBeNull();
    const mine = await h.caller(sales1).leads.create({ name: 'Mine', phone: nextPhone() });
    expect(mine.assigneeId).toBe(sales1.id);
  });

  it('assigns a lead a salesperson creates to them even when the form sends "nobody" (issue 10 item 13), audited so', async () => {
    // What the web form sends for sales: every field, the hidden assignee as null.
    const created = await h.caller(sales1).leads.create({
      name: 'Form lead',
      phone: nextPhone(),
      email: '',
      address: '',
      location: '',
      source: 'Walk-in',
      planId: null,
      assigneeId: null,
      notes: '',
    });
    expect(created.assigneeId).toBe(sales1.id);
    expect(created.assigneeName).toBe('Sally Sales');
    const [row] = await h.db.db.select().from(leads).where(eq(leads.id, created.id));
    expect(row?.assigneeId).toBe(sales1.id);
    const [entry] = await h.db.db.select().from(auditLog).where(eq(auditLog.entityId, created.id));
    expect(entry?.action).toBe('lead.create');
    expect(entry?.changes).toMatchObject({ assigneeId: sales1.id });
    // It shows in their own list.
    expect((await h.caller(sales1).leads.list({ assignee: 'me', limit: 100 })).items.map((l) => l.id)).toContain(created.id);
    // They may still release it afterwards.
    const released = await h.caller(sales1).leads.update({ id: created.id, assigneeId: null });
    expect(released.assigneeId).toBeNull();
  });

  it('refuses an assignee who cannot work leads, and an unknown plan, changing nothing', async () => {
    const before = (await h.db.db.select().from(leads)).length;
    expect(await codeOf(h.caller(manager).leads.create({ name: 'X', phone: nextPhone(), assigneeId: support.id }))).toBe('BAD_REQUEST');
    expect(await codeOf(h.caller(manager).leads.create({ name: 'X', phone: nextPhone(), planId: crypto.randomUUID() }))).toBe(
      'BAD_REQUEST',
    );
    expect(await codeOf(h.caller(sales1).leads.create({ name: 'X', phone: nextPhone(), assigneeId: sales2.id }))).toBe('FORBIDDEN');
    expect((await h.db.db.select().from(leads)).length).toBe(before);
  });
});

describe('pipeline', () => {
  const allowedBySetStatus = (from: LeadStatus, to: LeadStatus) => to !== 'won' && LEAD_TRANSITIONS[from].includes(to);

  for (const from of LEAD_STATUSES) {
    for (const to of LEAD_STATUSES) {
      const allowed = allowedBySetStatus(from, to);
      it(`${from} → ${to} via setStatus ${allowed ? 'is allowed' : 'answers 409 and changes nothing'}`, async () => {
        const lead = await insertLead({ status: from, lostReason: from === 'lost' ? 'too expensive' : null });
        const before = await leadRow(lead.id);
        const reason = to === 'lost' ? 'Chose a competitor' : undefined;
        const code = await codeOf(h.caller(admin).leads.setStatus({ id: lead.id, status: to, reason }));
        const after = await leadRow(lead.id);
        if (allowed) {
          expect(code).toBe('OK');
          expect(after.status).toBe(to);
          expect(after.lostReason).toBe(to === 'lost' ? 'Chose a competitor' : null);
          expect(await auditActions(lead.id)).toEqual(['lead.status']);
        } else {
          expect(code).toBe('CONFLICT');
          expect(after).toEqual(before);
          expect(await auditActions(lead.id)).toEqual([]);
          const events = await h.db.db.select().from(activities).where(eq(activities.leadId, lead.id));
          expect(events).toEqual([]);
        }
      });
    }
  }

  it('needs a reason to mark a lead lost (400, nothing changed)', async () => {
    const lead = await insertLead({ status: 'contacted' });
    expect(await codeOf(h.caller(admin).leads.setStatus({ id: lead.id, status: 'lost' }))).toBe('BAD_REQUEST');
    expect(await codeOf(h.caller(admin).leads.setStatus({ id: lead.id, status: 'lost', reason: '   ' }))).toBe('BAD_REQUEST');
    expect((await leadRow(lead.id)).status).toBe('contacted');
  });

  it('reopens a lost lead to new and clears its reason', async () => {
    const lead = await insertLead({ status: 'lost', lostReason: 'No coverage' });
    const reopened = await h.caller(admin).leads.setStatus({ id: lead.id, status: 'new' });
    expect(reopened).toMatchObject({ status: 'new', lostReason: null });
  });

  for (const status of LEAD_STATUSES.filter((s) => s !== 'qualified')) {
    it(`refuses to convert a ${status} lead (409, no customer)`, async () => {
      const lead = await insertLead({ status });
      expect(await codeOf(h.caller(admin).leads.convert({ id: lead.id }))).toBe('CONFLICT');
      expect(await h.db.db.select().from(customers).where(eq(customers.leadId, lead.id))).toEqual([]);
      expect((await leadRow(lead.id)).status).toBe(status);
    });
  }

  it('refuses a conversion onto an inactive or unknown plan and rolls everything back', async () => {
    const lead = await insertLead({ status: 'qualified' });
    expect(await codeOf(h.caller(admin).leads.convert({ id: lead.id, planId: inactivePlanId }))).toBe('BAD_REQUEST');
    expect(await codeOf(h.caller(admin).leads.convert({ id: lead.id, planId: crypto.randomUUID() }))).toBe('BAD_REQUEST');
    expect(await h.db.db.select().from(customers).where(eq(customers.leadId, lead.id))).toEqual([]);
    expect((await leadRow(lead.id)).status).toBe('qualified');
    expect(await auditActions(lead.id)).toEqual([]);
  });

  it('converts once when three conversions race, round after round: one customer each, the rest 409', async () => {
    for (let round = 0; round < 3; round += 1) {
      const lead = await insertLead({ status: 'qualified' });
      const results = await Promise.allSettled([1, 2, 3].map(() => h.caller(admin).leads.convert({ id: lead.id })));
      const codes = results.map((r) => (r.status === 'fulfilled' ? 'OK' : r.reason instanceof TRPCError ? r.reason.code : 'THREW'));
      expect(codes.sort()).toEqual(['CONFLICT', 'CONFLICT', 'OK']);
      expect(await h.db.db.select().from(customers).where(eq(customers.leadId, lead.id))).toHaveLength(1);
    }
  });

  it('converts once when two conversions race: one customer, the other answers 409', async () => {
    const lead = await insertLead({ status: 'qualified', assigneeId: sales1.id });
    const customersBefore = (await h.db.db.select().from(customers)).length;
    const results = await Promise.allSettled([
      h.caller(sales1).leads.convert({ id: lead.id, planId }),
      h.caller(admin).leads.convert({ id: lead.id, planId }),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    expect(rejected[0]?.reason).toBeInstanceOf(TRPCError);
    expect((rejected[0]?.reason as TRPCError).code).toBe('CONFLICT');
    const linked = await h.db.db.select().from(customers).where(eq(customers.leadId, lead.id));
    expect(linked).toHaveLength(1);
    expect((await h.db.db.select().from(customers)).length).toBe(customersBefore + 1);
    const [customer] = linked;
    if (!customer) throw new Error('no customer');
    expect(await h.db.db.select().from(subscriptions).where(eq(subscriptions.customerId, customer.id))).toHaveLength(1);
    expect((await auditActions(lead.id)).filter((a) => a === 'lead.convert')).toHaveLength(1);
  });
});

describe('record-level access (IDOR)', () => {
  it("answers 404 for another sales user's lead, exactly like a missing id, and changes nothing", async () => {
    const theirs = await insertLead({ status: 'qualified', assigneeId: sales2.id, notes: 'private' });
    const before = await leadRow(theirs.id);
    const me = h.caller(sales1);
    const missing = crypto.randomUUID();

    for (const id of [theirs.id, missing]) {
      const attempts = [
        () => me.leads.get({ id }),
        () => me.leads.update({ id, notes: 'mine now', assigneeId: sales1.id }),
        () => me.leads.setStatus({ id, status: 'lost', reason: 'hijacked' }),
        () => me.leads.convert({ id, planId }),
        () => me.activities.list({ leadId: id }),
        () => me.activities.create({ leadId: id, body: 'sneaky note' }),
        () => me.activities.listForLead({ id }),
        () => me.activities.createForLead({ id, body: 'sneaky note' }),
      ];
      for (const attempt of attempts) {
        const error = await attempt().then(
          () => null,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(TRPCError);
        expect((error as TRPCError).code).toBe('NOT_FOUND');
        expect((error as TRPCError).message).toBe('Lead not found');
      }
    }

    expect(await leadRow(theirs.id)).toEqual(before);
    expect(await h.db.db.select().from(customers).where(eq(customers.leadId, theirs.id))).toEqual([]);
    expect(await h.db.db.select().from(activities).where(eq(activities.leadId, theirs.id))).toEqual([]);
    expect(await auditActions(theirs.id)).toEqual([]);

    const listed = await me.leads.list({ limit: 100 });
    expect(listed.items.map((l) => l.id)).not.toContain(theirs.id);
    const filtered = await me.leads.list({ assignee: sales2.id, limit: 100 });
    expect(filtered.items).toEqual([]);
    // The owner and a manager still see it.
    expect((await h.caller(sales2).leads.get({ id: theirs.id })).notes).toBe('private');
    expect((await h.caller(manager).leads.get({ id: theirs.id })).notes).toBe('private');
  });

  it('lets sales see and work unassigned leads, but not assign them to someone else', async () => {
    const pool = await insertLead({ status: 'new' });
    const me = h.caller(sales1);
    expect((await me.leads.get({ id: pool.id })).id).toBe(pool.id);
    expect((await me.leads.list({ assignee: 'unassigned', limit: 100 })).items.map((l) => l.id)).toContain(pool.id);
    expect(await codeOf(me.leads.update({ id: pool.id, assigneeId: sales2.id }))).toBe('FORBIDDEN');
    expect((await leadRow(pool.id)).assigneeId).toBeNull();
    const claimed = await me.leads.update({ id: pool.id, assigneeId: sales1.id });
    expect(claimed.assigneeId).toBe(sales1.id);
    // Once claimed, the other sales user loses sight of it.
    expect(await codeOf(h.caller(sales2).leads.get({ id: pool.id }))).toBe('NOT_FOUND');
  });

  it('keeps the dashboard lead figures within the sales scope', async () => {
    const all = await h.caller(manager).dashboard.summary({});
    const mine = await h.caller(sales1).dashboard.summary({});
    const total = (s: typeof all) => Object.values(s.leadsByStage ?? {}).reduce((a, b) => a + b, 0);
    const visibleToSales1 = await h.db.db.select().from(leads);
    const expected = visibleToSales1.filter((l) => l.assigneeId === null || l.assigneeId === sales1.id).length;
    expect(total(mine)).toBe(expected);
    expect(total(all)).toBe(visibleToSales1.length);
  });
});

describe('role × action against the permission matrix', () => {
  // Exports (leads.export) are walked per role over HTTP in leads.http.test.ts.
  type Action = 'list' | 'get' | 'create' | 'update' | 'setStatus' | 'convert';
  const needs: Record<Action, (role: Role) => boolean> = {
    list: (r) => can(r, 'leads.read'),
    get: (r) => can(r, 'leads.read'),
    create: (r) => can(r, 'leads.write'),
    update: (r) => can(r, 'leads.write'),
    setStatus: (r) => can(r, 'leads.write'),
    convert: (r) => can(r, 'leads.write') && can(r, 'customers.create'),
  };

  for (const role of ROLES) {
    it(`${role}: allowed exactly what the matrix grants`, async () => {
      const user = await h.createUser({ role });
      const caller = h.caller(user);
      const lead = await insertLead({ status: 'qualified' });
      const attempts: Record<Action, () => Promise<unknown>> = {
        list: () => caller.leads.list({}),
        get: () => caller.leads.get({ id: lead.id }),
        create: () => caller.leads.create({ name: `By ${role}`, phone: nextPhone() }),
        update: () => caller.leads.update({ id: lead.id, notes: `edited by ${role}` }),
        setStatus: () => caller.leads.setStatus({ id: lead.id, status: 'lost', reason: `by ${role}` }),
        convert: async () => {
          const fresh = await insertLead({ status: 'qualified' });
          return caller.leads.convert({ id: fresh.id });
        },
      };
      for (const action of Object.keys(attempts) as Action[]) {
        const code = await codeOf(attempts[action]());
        expect({ role, action, code }).toEqual({ role, action, code: needs[action](role) ? 'OK' : 'FORBIDDEN' });
      }
      expect(await codeOf(h.caller(null).leads.list({}))).toBe('UNAUTHORIZED');
    });
  }
});

describe('list validation', () => {
  it('refuses bad ids, limits outside 1–100, unknown sorts, filters and cursors with 400', async () => {
    const admins = h.caller(admin);
    const bad: (() => Promise<unknown>)[] = [
      () => admins.leads.get({ id: 'not-a-uuid' }),
      () => admins.leads.get({ id: "1' OR '1'='1" }),
      () => admins.leads.list({ limit: 1e9 }),
      () => admins.leads.list({ limit: 0 }),
      () => admins.leads.list({ limit: 101 }),
      () => admins.leads.list({ limit: 2.5 }),
      // Sorts and filters come from allowlists; raw column names or SQL never reach the query.
      () => admins.leads.list({ sort: 'password_hash' as never }),
      () => admins.leads.list({ sort: 'name; drop table leads --' as never }),
      () => admins.leads.list({ order: 'sideways' as never }),
      () => admins.leads.list({ status: 'archived' as never }),
      () => admins.leads.list({ assignee: 'everyone' }),
      () => admins.leads.list({ createdFrom: 'yesterday' }),
      () => admins.leads.list({ cursor: 'garbage' }),
      () =>
        admins.leads.list({
          cursor: Buffer.from(JSON.stringify({ s: 'createdAt.desc', v: "x' or 1=1", id: crypto.randomUUID() })).toString('base64url'),
        }),
      () => admins.leads.list({ search: 'x'.repeat(101) }),
    ];
    for (const attempt of bad) expect(await codeOf(attempt())).toBe('BAD_REQUEST');
  });

  it('refuses a cursor made for another sort', async () => {
    for (let i = 0; i < 3; i += 1) await insertLead();
    const page = await h.caller(admin).leads.list({ limit: 1, sort: 'name', order: 'asc' });
    expect(page.nextCursor).not.toBeNull();
    expect(await codeOf(h.caller(admin).leads.list({ limit: 1, cursor: page.nextCursor ?? '' }))).toBe('BAD_REQUEST');
  });
});

describe('pagination, filters and search', () => {
  let h2: Harness;
  let boss: CurrentUser;
  let rep: CurrentUser;

  beforeAll(async () => {
    // A database of its own, so counts are exact.
    h2 = await createHarness();
    boss = await h2.createUser({ role: 'manager' });
    rep = await h2.createUser({ role: 'sales' });
    const names = [
      'Percent 100% Fibre',
      'Under_score Ltd',
      "O'Brien Cafe",
      'Back\\slash Bar',
      'Plain Name',
      'percent sign',
      'Underscore Co',
    ];
    for (const [i, name] of names.entries()) {
      await h2.caller(boss).leads.create({
        name,
        phone: `07220000${String(i).padStart(2, '0')}`,
        email: `lead${i}@example.com`,
        assigneeId: i % 2 ? rep.id : null,
      });
    }
  });
  afterAll(async () => {
    await h2.close();
  });

  const search = async (term: string) => (await h2.caller(boss).leads.list({ search: term, limit: 100 })).items.map((l) => l.name).sort();

  it('matches %, _, quotes and backslashes literally, case-insensitively', async () => {
    expect(await search('%')).toEqual(['Percent 100% Fibre']);
    expect(await search('_')).toEqual(['Under_score Ltd']);
    expect(await search("' OR 1=1 --")).toEqual([]);
    expect(await search("o'brien")).toEqual(["O'Brien Cafe"]);
    expect(await search('\\')).toEqual(['Back\\slash Bar']);
    expect(await search('PERCENT')).toEqual(['Percent 100% Fibre', 'percent sign']);
    expect(await search('lead2@example')).toEqual(["O'Brien Cafe"]);
    expect(await search('0722 0000 04')).toEqual(['Plain Name']);
  });

  it('walks every lead exactly once with keyset pages in each sort', async () => {
    for (const sort of ['createdAt', 'updatedAt', 'name'] as const) {
      for (const order of ['asc', 'desc'] as const) {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await h2.caller(boss).leads.list({ limit: 2, sort, order, cursor });
          seen.push(...page.items.map((l) => l.name));
          cursor = page.nextCursor ?? undefined;
          pages += 1;
        } while (cursor && pages < 10);
        expect(seen).toHaveLength(7);
        expect(new Set(seen).size).toBe(7);
        if (sort === 'name') {
          const sorted = [...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
          // Collation differs between engines; the order must at least be consistent with the database's.
          expect(seen.length).toBe(sorted.length);
        }
      }
    }
  });

  it('filters by status, assignee, plan and creation date', async () => {
    const caller = h2.caller(boss);
    const mine = await h2.caller(rep).leads.list({ assignee: 'me', limit: 100 });
    expect(mine.items).toHaveLength(3);
    expect((await caller.leads.list({ assignee: rep.id, limit: 100 })).items).toHaveLength(3);
    expect((await caller.leads.list({ assignee: 'unassigned', limit: 100 })).items).toHaveLength(4);
    expect((await caller.leads.list({ status: 'new', limit: 100 })).items).toHaveLength(7);
    expect((await caller.leads.list({ status: 'lost', limit: 100 })).items).toHaveLength(0);
    expect((await caller.leads.list({ planId: crypto.randomUUID(), limit: 100 })).items).toHaveLength(0);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect((await caller.leads.list({ createdFrom: future, limit: 100 })).items).toHaveLength(0);
    expect((await caller.leads.list({ createdTo: future, limit: 100 })).items).toHaveLength(7);
    // Sales see their own plus unassigned: 3 + 4.
    expect((await h2.caller(rep).leads.list({ limit: 100 })).items).toHaveLength(7);
  });
});
