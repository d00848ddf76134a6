/**
 * Input that must be refused with 400, on REST and tRPC alike, and never reach PostgreSQL as
 * something it rejects (a 500):
 * - wrong JSON types stay wrong after REST calls (the OpenAPI adapter used to switch the shared
 *   schemas to coercion on its first call), while GET query strings are still parsed exactly;
 * - NUL characters in any text, dates outside 1970–2100, impossible dates in cursors, JSON nested
 *   100,000 deep;
 * and a database error's log line names the statement but carries none of its parameters.
 */
import { Writable } from 'node:stream';
import { auditLog, customers, leads, plans, tickets, users } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../lib/pagination';
import { createLogger } from '../logger';
import { buildServer } from '../server';
import { codeOf, createHarness, type Harness } from '../test/harness';
import type { CurrentUser } from '../trpc/context';

function captureLog() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(
        ...chunk
          .toString('utf8')
          .split('\n')
          .filter((l) => l.trim()),
      );
      done();
    },
  });
  return { lines, stream };
}

let h: Harness;
let app: FastifyInstance;
let admin: CurrentUser;
let token: string;
const log = captureLog();
const auth = () => ({ authorization: `Bearer ${token}` });

beforeAll(async () => {
  h = await createHarness({ LOG_LEVEL: 'info' });
  app = await buildServer({ config: h.config, db: h.db, logStream: log.stream });
  await app.ready();
  admin = await h.createUser({ role: 'admin' });
  token = await h.tokenFor(admin);
});
afterAll(async () => {
  await app.close();
  await h.close();
});

const rest = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
  app.inject({ method, url, headers: auth(), ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
/** A single (unbatched) tRPC mutation over HTTP. */
const trpcMutation = (procedure: string, input: unknown) =>
  app.inject({ method: 'POST', url: `/trpc/${procedure}`, headers: auth(), payload: input as Record<string, unknown> });
const trpcQuery = (procedure: string, input: unknown) =>
  app.inject({ method: 'GET', url: `/trpc/${procedure}?input=${encodeURIComponent(JSON.stringify(input))}`, headers: auth() });
const fieldErrorsOf = (res: { json: () => unknown }) => {
  const body = res.json() as { fieldErrors?: Record<string, unknown>; error?: { data?: { fieldErrors?: Record<string, unknown> } } };
  return Object.keys(body.fieldErrors ?? body.error?.data?.fieldErrors ?? {});
};

describe('JSON bodies are never coerced, before or after REST calls', () => {
  it('REST first, then both surfaces still refuse wrong types and nothing changes', async () => {
    const created = await rest('POST', '/api/plans', {
      name: 'Home 10',
      type: 'pppoe',
      downloadKbps: 10_000,
      uploadKbps: 5_000,
      priceCents: 250_000,
      validityDays: 30,
    });
    expect(created.statusCode).toBe(201);
    const plan = created.json<{ id: string; active: boolean; priceCents: number }>();
    const customer = (await rest('POST', '/api/customers', { name: 'Coerce Test', phone: '0711000001' })).json<{ id: string }>();

    // REST: strings and booleans where the body wants booleans and numbers.
    const patched = await rest('PATCH', `/api/plans/${plan.id}`, { active: 'false' });
    expect(patched.statusCode).toBe(400);
    expect(fieldErrorsOf(patched)).toEqual(['active']);
    const priced = await rest('PATCH', `/api/plans/${plan.id}`, { priceCents: true });
    expect(priced.statusCode).toBe(400);
    const paidRest = await rest('POST', '/api/payments', {
      customerId: customer.id,
      method: 'cash',
      reference: 'CASH-001',
      amountCents: '100000',
    });
    expect(paidRest.statusCode).toBe(400);
    expect(fieldErrorsOf(paidRest)).toEqual(['amountCents']);
    const paidTrue = await rest('POST', '/api/payments', {
      customerId: customer.id,
      method: 'cash',
      reference: 'CASH-002',
      amountCents: true,
    });
    expect(paidTrue.statusCode).toBe(400);

    // tRPC afterwards, over the same schemas.
    const trpcPaid = await trpcMutation('payments.record', {
      customerId: customer.id,
      method: 'cash',
      reference: 'CASH-003',
      amountCents: true,
    });
    expect(trpcPaid.statusCode).toBe(400);
    expect(fieldErrorsOf(trpcPaid)).toEqual(['amountCents']);
    const trpcPatched = await trpcMutation('plans.update', { id: plan.id, active: 'false' });
    expect(trpcPatched.statusCode).toBe(400);
    // The schemas themselves were not switched to coercion: a direct call refuses too.
    expect(await codeOf(h.caller(admin).plans.update({ id: plan.id, active: 'false' as unknown as boolean }))).toBe('BAD_REQUEST');

    const [row] = await h.db.db.select().from(plans).where(eq(plans.id, plan.id));
    expect(row).toMatchObject({ active: true, priceCents: 250_000 });
    const recorded = await rest('GET', `/api/payments?customerId=${customer.id}`);
    expect(recorded.json<{ items: unknown[] }>().items).toEqual([]);

    // The real types still work on both surfaces.
    expect((await rest('PATCH', `/api/plans/${plan.id}`, { active: false })).json()).toMatchObject({ active: false });
    expect((await trpcMutation('plans.update', { id: plan.id, active: true })).statusCode).toBe(200);
  });

  it('GET query strings are parsed exactly: digits for integers, "true"/"false" for booleans', async () => {
    await h.db.db.insert(leads).values(Array.from({ length: 3 }, (_, i) => ({ name: `Query ${i}`, phone: `071200000${i}` })));
    const two = await rest('GET', '/api/leads?limit=2&search=Query');
    expect(two.statusCode).toBe(200);
    expect(two.json<{ items: unknown[]; nextCursor: string | null }>().items).toHaveLength(2);
    for (const bad of ['1e1', '%202', '0x2', '2.0', 'true', '-1', '101']) {
      const res = await rest('GET', `/api/leads?limit=${bad}`);
      expect({ bad, status: res.statusCode }).toEqual({ bad, status: 400 });
    }
    // tRPC queries carry JSON: a number is a number.
    expect((await trpcQuery('leads.list', { limit: 2, search: 'Query' })).statusCode).toBe(200);

    await h.db.db
      .insert(plans)
      .values([
        { name: 'Old plan', type: 'hotspot', downloadKbps: 1_000, uploadKbps: 1_000, priceCents: 100_00, validityDays: 1, active: false },
      ]);
    const inactive = await rest('GET', '/api/plans?active=false');
    expect(inactive.statusCode).toBe(200);
    const items = inactive.json<{ items: { name: string; active: boolean }[] }>().items;
    expect(items.map((p) => p.name)).toContain('Old plan');
    expect(items.every((p) => !p.active)).toBe(true);
    for (const bad of ['0', 'no', 'FALSE']) expect((await rest('GET', `/api/plans?active=${bad}`)).statusCode).toBe(400);
  });
});

describe('values PostgreSQL would refuse are a 400, never a 500', () => {
  it('a NUL character in any text field or search, on REST and tRPC; nothing is written', async () => {
    const customer = (await rest('POST', '/api/customers', { name: 'Nul Test', phone: '0711000002' })).json<{ id: string }>();
    const attempts = [
      ['REST lead name', () => rest('POST', '/api/leads', { name: 'Jane\u0000Doe', phone: '0712345670' }), 'name'],
      ['REST lead notes', () => rest('POST', '/api/leads', { name: 'Jane Doe', phone: '0712345671', notes: 'a\u0000' }), 'notes'],
      ['REST search', () => rest('GET', '/api/leads?search=a%00b'), 'search'],
      ['REST ticket subject', () => rest('POST', '/api/tickets', { customerId: customer.id, subject: 'No\u0000signal' }), 'subject'],
      ['tRPC ticket subject', () => trpcMutation('tickets.create', { customerId: customer.id, subject: 'No\u0000signal' }), 'subject'],
      ['tRPC customer address', () => trpcMutation('customers.update', { id: customer.id, address: 'Plot\u00007' }), 'address'],
      ['tRPC search', () => trpcQuery('customers.list', { search: '\u0000' }), 'search'],
      ['tRPC activity body', () => trpcMutation('activities.create', { customerId: customer.id, kind: 'note', body: 'x\u0000' }), 'body'],
      ['tRPC key of an unknown field', () => trpcMutation('leads.create', { name: 'Key', phone: '0712345672', 'x\u0000': 1 }), '(input)'],
    ] as const;
    for (const [name, attempt, field] of attempts) {
      const res = await attempt();
      expect({ name, status: res.statusCode }).toEqual({ name, status: 400 });
      expect({ name, fields: fieldErrorsOf(res) }).toEqual({ name, fields: [field] });
      expect(res.body).not.toContain('\\u0000');
    }
    expect(
      await h.db.db
        .select()
        .from(leads)
        .where(sql`${leads.phone} in ('0712345670', '0712345671', '0712345672')`),
    ).toEqual([]);
    expect(await h.db.db.select().from(tickets).where(eq(tickets.customerId, customer.id))).toEqual([]);
    const [row] = await h.db.db.select().from(customers).where(eq(customers.id, customer.id));
    expect(row?.address).toBeNull();
  });

  it('anonymous and forbidden callers still get 401/403 first, whatever the input', async () => {
    const anon = await app.inject({ method: 'POST', url: '/api/leads', payload: { name: 'a\u0000' } });
    expect(anon.statusCode).toBe(401);
    const tech = await h.tokenFor(await h.createUser({ role: 'technician' }));
    const forbidden = await app.inject({
      method: 'POST',
      url: '/api/leads',
      headers: { authorization: `Bearer ${tech}` },
      payload: { name: 'a\u0000' },
    });
    expect(forbidden.statusCode).toBe(403);
  });

  it('dates outside 1970–2100, also after the time-zone shift', async () => {
    const customer = (await rest('POST', '/api/customers', { name: 'Date Test', phone: '0711000003' })).json<{
      id: string;
      accountNumber: string;
    }>();
    const dates = [
      '0001-01-01T00:00:00+01:00',
      '9999-12-31T23:00:00-05:00',
      '0050-06-01T00:00:00Z',
      '1969-12-31T23:59:59Z',
      '2101-01-01T00:00:00Z',
    ];
    for (const [i, date] of dates.entries()) {
      const list = await rest('GET', `/api/leads?createdFrom=${encodeURIComponent(date)}`);
      expect({ date, status: list.statusCode, fields: fieldErrorsOf(list) }).toEqual({ date, status: 400, fields: ['createdFrom'] });
      const paid = await rest('POST', '/api/payments', {
        customerId: customer.id,
        method: 'cash',
        reference: `DATE-${i}`,
        amountCents: 100,
        paidAt: date,
      });
      expect({ date, status: paid.statusCode, fields: fieldErrorsOf(paid) }).toEqual({ date, status: 400, fields: ['paidAt'] });
      const audit = await trpcQuery('audit.list', { from: date });
      expect({ date, status: audit.statusCode }).toEqual({ date, status: 400 });
    }
    expect((await rest('GET', `/api/leads?createdFrom=${encodeURIComponent('2024-02-29T12:00:00+03:00')}`)).statusCode).toBe(200);
  });

  it('impossible dates (and NULs) inside a cursor', async () => {
    const id = '00000000-0000-4000-8000-000000000000';
    for (const value of [
      '2024-02-30T00:00:00.000000Z',
      '2023-02-29T10:00:00.000000Z',
      '2024-01-01T24:00:00.000000Z',
      '0000-01-01T00:00:00.000000Z',
      '2024-04-31T00:00:00.000000Z',
    ]) {
      const cursor = encodeCursor('createdAt.desc', value, id);
      const res = await rest('GET', `/api/leads?cursor=${cursor}`);
      expect({ value, status: res.statusCode }).toEqual({ value, status: 400 });
      expect(res.json()).toEqual({ error: 'Invalid cursor' });
    }
    const nameCursor = encodeCursor('name.asc', 'Jane\u0000', id);
    expect((await rest('GET', `/api/leads?sort=name&order=asc&cursor=${nameCursor}`)).statusCode).toBe(400);
  });

  it('JSON nested 100,000 deep, over REST and tRPC, with the usual headers', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    for (const [url, payload] of [
      ['/api/leads', deep],
      ['/api/leads', `{"name":${deep}}`],
      ['/trpc/leads.create', `{"name":${deep}}`],
      ['/api/auth/login', `{"identifier":${deep}}`],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, headers: { ...auth(), 'content-type': 'application/json' }, payload });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 400 });
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    }
    // Ordinary nesting (a tRPC batch of forms) is fine.
    const batch = await app.inject({
      method: 'POST',
      url: '/trpc/leads.create?batch=1',
      headers: auth(),
      payload: { 0: { name: 'Nested ok', phone: '0712345679' } },
    });
    expect(batch.statusCode).toBe(200);
  });
});

describe('database errors in the log', () => {
  it('a failing INSERT logs the statement text and not one parameter (no password hash, no e-mail)', async () => {
    // Make every insert into users fail inside PostgreSQL, after validation and hashing.
    await h.db.db.execute(
      sql.raw(
        `create function refuse_user_insert() returns trigger language plpgsql as $$ begin raise exception 'refused by test trigger'; end $$`,
      ),
    );
    await h.db.db.execute(
      sql.raw('create trigger refuse_user_insert before insert on users for each row execute function refuse_user_insert()'),
    );
    try {
      log.lines.length = 0;
      const res = await rest('POST', '/api/users', {
        name: 'Secret Person',
        email: 'secret.person@example.com',
        role: 'sales',
        password: 'violet-canyon-88-drum',
      });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({ error: 'Internal server error', requestId: expect.any(String) });
      const failures = log.lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
      expect(failures).toHaveLength(1);
      const [line = ''] = failures;
      expect(line).toContain('insert into \\"users\\"');
      expect(line).toContain('refused by test trigger');
      for (const value of ['$argon2', 'secret.person@example.com', 'Secret Person', 'violet-canyon', 'params'])
        expect(line).not.toContain(value);
    } finally {
      await h.db.db.execute(sql.raw('drop trigger refuse_user_insert on users'));
      await h.db.db.execute(sql.raw('drop function refuse_user_insert()'));
    }
    expect(await h.db.db.select().from(users).where(eq(users.email, 'secret.person@example.com'))).toEqual([]);
    expect(await h.db.db.select().from(auditLog).where(eq(auditLog.action, 'user.create'))).toEqual([]);
  });

  it("PostgreSQL's own messages lose their quoted values (e.g. a uuid cast)", async () => {
    const capture = captureLog();
    const logger = createLogger('error', capture.stream);
    const error = await h.db.db.execute(sql`select ${'not-a-uuid-but-a-secret'}::uuid`).then(
      () => null,
      (e: unknown) => e,
    );
    logger.error({ err: error }, 'query failed');
    const [line = ''] = capture.lines;
    expect(line).toContain('select $1::uuid');
    expect(line).toContain('22P02');
    expect(line).not.toContain('not-a-uuid-but-a-secret');
  });
});
