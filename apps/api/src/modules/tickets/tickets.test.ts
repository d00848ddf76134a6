import { ROLES, TICKET_STATUSES, TICKET_TRANSITIONS, can, type Permission, type Role, type TicketStatus } from '@netflow/contracts';
import { activities, ticketComments, tickets } from '@netflow/db';
import { eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { codeOf, createTestApp } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';
import { auditRows, insertCustomer } from '../../test/fixtures';

let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;
let otherTech: CurrentUser;
let customerId: string;
const MISSING = '00000000-0000-4000-8000-000000000000';

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
  otherTech = await t.createUser({ role: 'technician' });
  customerId = (await insertCustomer(t.db.db, { name: 'Otieno Tickets' })).id;
});
afterAll(async () => {
  await t.close();
});

async function ticketIn(status: TicketStatus, assigneeId: string | null = null, subject = 'No internet since morning') {
  const [row] = await t.db.db
    .insert(tickets)
    .values({ customerId, subject, status, assigneeId, resolvedAt: status === 'resolved' || status === 'closed' ? new Date() : null })
    .returning();
  if (!row) throw new Error('ticket fixture');
  return row;
}

async function ticketRow(id: string) {
  const [row] = await t.db.db.select().from(tickets).where(eq(tickets.id, id));
  if (!row) throw new Error(`no ticket ${id}`);
  return row;
}

describe('the ticket life cycle', () => {
  it('opens, assigns, works, comments, resolves, reopens and closes a ticket with audit rows and timeline entries', async () => {
    const support = t.caller(staff.support);
    const created = await t.caller(staff.sales).tickets.create({
      customerId,
      subject: 'Slow speeds in Kasarani',
      description: 'Router LOS light red',
      priority: 'high',
    });
    expect(created).toMatchObject({
      status: 'new',
      priority: 'high',
      assigneeId: null,
      createdById: staff.sales.id,
      customerName: 'Otieno Tickets',
    });

    await support.tickets.update({ id: created.id, assigneeId: staff.technician.id, status: 'open' });
    const tech = t.caller(staff.technician);
    await tech.tickets.addComment({ id: created.id, body: 'Replaced the patch cord at the FAT.' });
    await tech.tickets.update({ id: created.id, status: 'resolved' });
    const resolved = await ticketRow(created.id);
    expect(resolved.status).toBe('resolved');
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    await support.tickets.update({ id: created.id, status: 'open' });
    expect((await ticketRow(created.id)).resolvedAt).toBeNull();
    await support.tickets.update({ id: created.id, status: 'resolved', priority: 'normal' });
    const closed = await support.tickets.update({ id: created.id, status: 'closed' });
    expect(closed.status).toBe('closed');

    const detail = await support.tickets.get({ id: created.id });
    expect(detail.comments).toEqual([
      expect.objectContaining({
        body: 'Replaced the patch cord at the FAT.',
        authorId: staff.technician.id,
        authorName: staff.technician.name,
      }),
    ]);

    const audits = await auditRows(t.db.db, created.id);
    expect(audits.map((a) => a.action)).toEqual([
      'ticket.create',
      'ticket.update',
      'ticket.comment',
      'ticket.update',
      'ticket.update',
      'ticket.update',
      'ticket.update',
    ]);
    expect(audits[1]?.changes).toEqual({ assigneeId: { from: null, to: staff.technician.id }, status: { from: 'new', to: 'open' } });
    const timeline = await t.db.db.select().from(activities).where(eq(activities.customerId, customerId));
    expect(timeline.filter((a) => a.data?.ticketId === created.id).length).toBeGreaterThanOrEqual(6);
  });

  const illegal = TICKET_STATUSES.flatMap((from) =>
    TICKET_STATUSES.filter((to) => to !== from && !TICKET_TRANSITIONS[from].includes(to)).map((to) => [from, to] as const),
  );
  it.each(illegal)('illegal: %s → %s answers 409 and changes nothing', async (from, to) => {
    const ticket = await ticketIn(from);
    expect(await codeOf(t.caller(staff.manager).tickets.update({ id: ticket.id, status: to }))).toBe('CONFLICT');
    expect(await ticketRow(ticket.id)).toEqual(ticket);
    expect(await auditRows(t.db.db, ticket.id)).toEqual([]);
  });

  const legal = TICKET_STATUSES.flatMap((from) => TICKET_TRANSITIONS[from].map((to) => [from, to] as const));
  it.each(legal)('legal: %s → %s', async (from, to) => {
    const ticket = await ticketIn(from);
    const updated = await t.caller(staff.manager).tickets.update({ id: ticket.id, status: to });
    expect(updated.status).toBe(to);
  });

  it('a closed ticket is final: no field changes and no comments (409)', async () => {
    const ticket = await ticketIn('closed');
    expect(await codeOf(t.caller(staff.manager).tickets.update({ id: ticket.id, priority: 'urgent' }))).toBe('CONFLICT');
    expect(await codeOf(t.caller(staff.manager).tickets.addComment({ id: ticket.id, body: 'late note' }))).toBe('CONFLICT');
    expect(await t.db.db.select().from(ticketComments).where(eq(ticketComments.ticketId, ticket.id))).toEqual([]);
  });

  it('the assignee must be an active staff member who works tickets (400)', async () => {
    const disabled = await t.createUser({ role: 'technician', status: 'disabled' });
    const base = { customerId, subject: 'Assignee checks' };
    const support = t.caller(staff.support);
    expect(await codeOf(support.tickets.create({ ...base, assigneeId: disabled.id }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.create({ ...base, assigneeId: staff.finance.id }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.create({ ...base, assigneeId: MISSING }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.create({ ...base, customerId: MISSING }))).toBe('NOT_FOUND');
    expect(await codeOf(support.tickets.create({ ...base, subject: 'x' }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.create({ ...base, priority: 'critical' as 'high' }))).toBe('BAD_REQUEST');
    const rows = await t.db.db.select().from(tickets).where(eq(tickets.subject, 'Assignee checks'));
    expect(rows).toEqual([]);
  });
});

describe('technicians see only tickets assigned to them', () => {
  it('other tickets answer 404 exactly like a missing id, in get, update, comment and list', async () => {
    const mine = await ticketIn('open', staff.technician.id, 'Mine: fibre cut');
    const theirs = await ticketIn('open', otherTech.id, 'Theirs: fibre cut');
    const nobodys = await ticketIn('new', null, 'Nobody: fibre cut');
    const tech = t.caller(staff.technician);

    expect((await tech.tickets.get({ id: mine.id })).id).toBe(mine.id);
    for (const other of [theirs, nobodys]) {
      const missing = await codeOf(tech.tickets.get({ id: MISSING }));
      expect(await codeOf(tech.tickets.get({ id: other.id }))).toBe(missing);
      expect(await codeOf(tech.tickets.update({ id: other.id, status: 'pending' }))).toBe('NOT_FOUND');
      expect(await codeOf(tech.tickets.addComment({ id: other.id, body: 'peek' }))).toBe('NOT_FOUND');
      expect(await ticketRow(other.id)).toEqual(other);
    }
    const listed = await tech.tickets.list({ search: 'fibre cut', limit: 100 });
    expect(listed.items.map((x) => x.id)).toEqual([mine.id]);
    const sneaky = await tech.tickets.list({ assignee: otherTech.id, limit: 100 });
    expect(sneaky.items).toEqual([]);
    const supportView = await t.caller(staff.support).tickets.list({ search: 'fibre cut', limit: 100 });
    expect(supportView.items).toHaveLength(3);
  });

  it('a technician may work their ticket but not hand it on (403)', async () => {
    const mine = await ticketIn('open', staff.technician.id);
    const tech = t.caller(staff.technician);
    expect(await codeOf(tech.tickets.update({ id: mine.id, assigneeId: otherTech.id }))).toBe('FORBIDDEN');
    expect((await tech.tickets.update({ id: mine.id, status: 'pending', priority: 'urgent' })).status).toBe('pending');
  });

  it('REST: GET /api/tickets/{id} of another technician’s ticket answers 404 with the missing-id body', async () => {
    const theirs = await ticketIn('open', otherTech.id);
    const headers = { authorization: `Bearer ${await t.tokenFor(staff.technician)}` };
    const hidden = await t.app.inject({ method: 'GET', url: `/api/tickets/${theirs.id}`, headers });
    const missing = await t.app.inject({ method: 'GET', url: `/api/tickets/${MISSING}`, headers });
    expect(hidden.statusCode).toBe(404);
    expect(hidden.json()).toEqual(missing.json());
  });
});

describe('listing', () => {
  it('filters by status, priority, assignee (me / unassigned / id) and paginates', async () => {
    const support = t.caller(staff.support);
    const made = [];
    for (let i = 0; i < 5; i += 1) made.push(await ticketIn('pending', staff.support.id, `Paging ticket ${i}`));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await support.tickets.list({
        assignee: 'me',
        status: 'pending',
        limit: 2,
        cursor: cursor ?? undefined,
      });
      seen.push(...page.items.map((x) => x.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual(made.map((m) => m.id).sort());

    const nobodys = await ticketIn('new', null, 'Paging: nobody’s');
    const urgentOne = (await t.db.db.insert(tickets).values({ customerId, subject: 'Paging: urgent', priority: 'urgent' }).returning())[0];
    const unassignedIds = (await t.db.db.select({ id: tickets.id }).from(tickets).where(isNull(tickets.assigneeId))).map((x) => x.id);
    const urgentIds = (await t.db.db.select({ id: tickets.id }).from(tickets).where(eq(tickets.priority, 'urgent'))).map((x) => x.id);
    expect(unassignedIds).toContain(nobodys.id);
    expect(urgentIds).toContain(urgentOne?.id);
    const unassigned = await support.tickets.list({ assignee: 'unassigned', limit: 100 });
    expect(unassigned.items.map((x) => x.id).sort()).toEqual(unassignedIds.sort());
    expect(unassigned.items.map((x) => x.assigneeId)).toEqual(unassignedIds.map(() => null));
    const urgent = await support.tickets.list({ priority: 'urgent', limit: 100 });
    expect(urgent.items.map((x) => x.id).sort()).toEqual(urgentIds.sort());
    expect(urgent.items.map((x) => x.priority)).toEqual(urgentIds.map(() => 'urgent'));
  });

  it('rejects limit 1e9, sort and status injection; searches the subject literally', async () => {
    await ticketIn('new', null, 'Router 50% packet loss');
    const support = t.caller(staff.support);
    expect(await codeOf(support.tickets.list({ limit: 1e9 }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.list({ sort: 'subject desc; --' as 'createdAt' }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.list({ assignee: "' or 1=1" }))).toBe('BAD_REQUEST');
    expect((await support.tickets.list({ search: '50%' })).items.map((x) => x.subject)).toEqual(['Router 50% packet loss']);
    expect((await support.tickets.list({ search: "' or ''='" })).items).toEqual([]);
    expect(await codeOf(support.tickets.get({ id: 'not-an-id' }))).toBe('BAD_REQUEST');
    expect(await codeOf(support.tickets.get({ id: MISSING }))).toBe('NOT_FOUND');
  });
});

describe('role × action against the matrix', () => {
  it.each(ROLES)('%s', async (role) => {
    const caller = t.caller(staff[role]);
    const scope = (p: Permission) => (can(role, p) ? 'OK' : 'FORBIDDEN');
    // Assigned to the caller when they work tickets, so scope `assigned` sees it too.
    const assignee = can(role, 'tickets.update') ? staff[role].id : null;
    const ticket = await ticketIn('open', assignee);
    expect(await codeOf(caller.tickets.list({}))).toBe(scope('tickets.read'));
    expect(await codeOf(caller.tickets.get({ id: ticket.id }))).toBe(scope('tickets.read'));
    expect(await codeOf(caller.tickets.create({ customerId, subject: `Matrix ${role}` }))).toBe(scope('tickets.create'));
    expect(await codeOf(caller.tickets.update({ id: ticket.id, priority: 'low' }))).toBe(scope('tickets.update'));
    expect(await codeOf(caller.tickets.addComment({ id: ticket.id, body: 'matrix' }))).toBe(scope('tickets.comment'));
  });
});

describe('REST twins', () => {
  it('POST /api/tickets, GET/PATCH /api/tickets/{id}, POST /api/tickets/{id}/comments, GET /api/tickets', async () => {
    const headers = { authorization: `Bearer ${await t.tokenFor(staff.support)}` };
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/tickets',
      headers,
      payload: { customerId, subject: 'REST ticket', priority: 'urgent' },
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/tickets/${id}`,
      headers,
      payload: { status: 'open', assigneeId: staff.technician.id },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ status: 'open', assigneeId: staff.technician.id, assigneeName: staff.technician.name });
    const illegal = await t.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers, payload: { status: 'new' } });
    expect(illegal.statusCode).toBe(409);
    const comment = await t.app.inject({
      method: 'POST',
      url: `/api/tickets/${id}/comments`,
      headers,
      payload: { body: 'Called the customer' },
    });
    expect(comment.statusCode).toBe(201);
    const detail = await t.app.inject({ method: 'GET', url: `/api/tickets/${id}`, headers });
    expect(detail.json<{ comments: unknown[] }>().comments).toHaveLength(1);
    const list = await t.app.inject({ method: 'GET', url: '/api/tickets?priority=urgent&search=rest%20ticket', headers });
    expect(list.json<{ items: { id: string }[] }>().items.map((x) => x.id)).toEqual([id]);
    const big = await t.app.inject({ method: 'GET', url: '/api/tickets?limit=1000000000', headers });
    expect(big.statusCode).toBe(400);
    const financeHeaders = { authorization: `Bearer ${await t.tokenFor(staff.finance)}` };
    expect(
      (await t.app.inject({ method: 'PATCH', url: `/api/tickets/${id}`, headers: financeHeaders, payload: { priority: 'low' } }))
        .statusCode,
    ).toBe(403);
  });
});
