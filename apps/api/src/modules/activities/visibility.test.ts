/**
 * A customer's timeline shows each reader only the events they may see: payment events to roles
 * with payments.read, subscription events to roles with subscriptions.read, ticket events to roles
 * with tickets.read (technicians: only tickets assigned to them). Filtered in SQL, so pages stay
 * full and the cursor walks exactly the visible entries; the same over tRPC and REST.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertPlan } from '../../test/fixtures';
import { createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Entry = { id: string; kind: string; body: string; data: Record<string, unknown> | null };
let t: TestApp;
const staff = {} as Record<Role, CurrentUser>;
let otherTech: CurrentUser;
let customerId: string;
let myTicketId: string;
let theirTicketId: string;
/** The whole timeline as a manager sees it (every entry), newest first. */
let everything: Entry[];

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
  otherTech = await t.createUser({ role: 'technician' });
  const plan = await insertPlan(t.db.db);
  const manager = t.caller(staff.manager);
  const customer = await manager.customers.create({ name: 'Wanjiru Timeline', phone: '0711000111' });
  customerId = customer.id;

  // Every kind of event, interleaved, with the hidden kinds in runs longer than a page.
  await t.caller(staff.sales).activities.create({ customerId, body: 'Note 1: asked about speeds' });
  await t.caller(staff.admin).subscriptions.create({ customerId, planId: plan.id });
  for (let i = 1; i <= 4; i += 1) {
    await t.caller(staff.finance).payments.record({ customerId, method: 'mpesa', reference: `QK${i}TIMELINE`, amountCents: 100_00 * i });
  }
  await t.caller(staff.support).activities.create({ customerId, kind: 'call', body: 'Note 2: called about the bill' });
  myTicketId = (await t.caller(staff.support).tickets.create({ customerId, subject: 'Mine: router LOS', assigneeId: staff.technician.id }))
    .id;
  theirTicketId = (await t.caller(staff.support).tickets.create({ customerId, subject: 'Theirs: slow speeds', assigneeId: otherTech.id }))
    .id;
  await t.caller(staff.support).tickets.update({ id: theirTicketId, status: 'open' });
  await t.caller(staff.technician).tickets.update({ id: myTicketId, status: 'open' });
  await manager.customers.update({ id: customerId, status: 'inactive' });
  await t.caller(staff.technician).activities.create({ customerId, kind: 'visit', body: 'Note 3: visited the site' });
  // The newest entries are hidden from most roles: their first page must still be full.
  for (let i = 5; i <= 6; i += 1) {
    await t.caller(staff.finance).payments.record({ customerId, method: 'cash', reference: `QK${i}TIMELINE`, amountCents: 100_00 * i });
  }

  everything = await walk(staff.manager, 100);
});

afterAll(async () => {
  await t.close();
});

/** Every page of the customer's timeline as `user`, checking that each page but the last is full. */
async function walk(user: CurrentUser, limit: number): Promise<Entry[]> {
  const caller = t.caller(user);
  const seen: Entry[] = [];
  let cursor: string | undefined;
  for (;;) {
    const page = await caller.activities.listForCustomer({ id: customerId, limit, cursor });
    seen.push(...page.items);
    if (!page.nextCursor) return seen;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
}

const bodies = (entries: Entry[]) => entries.map((e) => e.body);
const ticketOf = (e: Entry) => e.data?.ticketId;

describe("a customer's timeline is filtered by what the reader may see", () => {
  it('the full timeline holds every kind of event (what the other tests filter)', () => {
    const kinds = new Set(everything.map((e) => e.kind));
    expect([...kinds].sort()).toEqual(['call', 'note', 'payment', 'status_change', 'subscription', 'ticket', 'visit']);
    // Each payment's receipt SMS is a payment event too (it names the amount).
    expect(everything.filter((e) => e.kind === 'payment' && e.data?.smsMessageId === undefined)).toHaveLength(6);
    expect(everything.filter((e) => e.kind === 'payment' && e.data?.smsMessageId !== undefined)).toHaveLength(6);
    expect(everything[0]?.kind).toBe('payment');
    expect(everything.filter((e) => e.kind === 'ticket' && ticketOf(e) === myTicketId)).toHaveLength(2);
    expect(everything.filter((e) => e.kind === 'ticket' && ticketOf(e) === theirTicketId)).toHaveLength(2);
  });

  const expected: Record<'sales' | 'support' | 'finance' | 'technician', (e: Entry) => boolean> = {
    // sales: customers and the subscriptions they create (issue 10) — no payments or tickets
    sales: (e) => !['payment', 'ticket'].includes(e.kind),
    // support: subscriptions and tickets, not payments
    support: (e) => e.kind !== 'payment',
    // finance: payments, subscriptions and tickets (read)
    finance: () => true,
    // technician: subscriptions, and only the tickets assigned to them
    technician: (e) => e.kind !== 'payment' && (e.kind !== 'ticket' || ticketOf(e) === myTicketId),
  };

  it.each(Object.keys(expected) as (keyof typeof expected)[])(
    '%s sees exactly the entries their role may read, in full pages of 2',
    async (role) => {
      const visible = everything.filter(expected[role]);
      expect(bodies(await walk(staff[role], 2))).toEqual(bodies(visible));
      expect(bodies(await walk(staff[role], 1))).toEqual(bodies(visible));
    },
  );

  it('payment events (reference, amount, payment id) never reach sales, support or technicians', async () => {
    for (const role of ['sales', 'support', 'technician'] as const) {
      const seen = await walk(staff[role], 100);
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.filter((e) => e.kind === 'payment' || 'paymentId' in (e.data ?? {}) || /QK\dTIMELINE/.test(e.body))).toEqual([]);
    }
  });

  it("a technician sees their own ticket's events but not another technician's", async () => {
    const seen = await walk(staff.technician, 100);
    const tickets = seen.filter((e) => e.kind === 'ticket').map(ticketOf);
    expect(tickets).toEqual([myTicketId, myTicketId]);
    const other = await walk(otherTech, 100);
    expect(other.filter((e) => e.kind === 'ticket').map(ticketOf)).toEqual([theirTicketId, theirTicketId]);
  });

  it('the first page for sales is full even though the newest entries are hidden from them', async () => {
    const first = await t.caller(staff.sales).activities.list({ customerId, limit: 2 });
    expect(bodies(first.items)).toEqual(bodies(everything.filter(expected.sales).slice(0, 2)));
    expect(first.items[0]?.body).toBe('Note 3: visited the site');
    expect(first.nextCursor).not.toBeNull();
  });

  it('REST GET /api/customers/{id}/activities filters the same way, page by page', async () => {
    for (const role of ['sales', 'support', 'finance', 'technician'] as const) {
      const headers = { authorization: `Bearer ${await t.tokenFor(staff[role])}` };
      const seen: Entry[] = [];
      let cursor: string | null = null;
      do {
        const query: string = cursor ? `limit=3&cursor=${encodeURIComponent(cursor)}` : 'limit=3';
        const res = await t.app.inject({ method: 'GET', url: `/api/customers/${customerId}/activities?${query}`, headers });
        expect(res.statusCode).toBe(200);
        const page = res.json<{ items: Entry[]; nextCursor: string | null }>();
        if (page.nextCursor) expect(page.items).toHaveLength(3);
        seen.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(bodies(seen)).toEqual(bodies(everything.filter(expected[role])));
    }
  });
});
