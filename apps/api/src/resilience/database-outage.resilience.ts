/**
 * (a) PostgreSQL stopped and started during steady load. While it is down, requests fail fast with
 * the generic error (no driver message, no host), /api/ready says 503; once it is back the same
 * process serves again without a restart; and no change is half done: every lead conversion made
 * its customer (or nothing), every payment its balance (or nothing), the audit chain is intact.
 */
import { customers, leads, payments } from '@netflow/db';
import { eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyAuditChain } from '../modules/audit';
import { call, createStaff, eventually, load, sleep, startApi, type Answer, type Api, type Staff } from './stack';
import { missingTools, startPrivatePostgres, type PrivatePostgres } from './services';

const skip = missingTools();
let pg: PrivatePostgres;
let api: Api;
let sales: Staff;
let finance: Staff;
let admin: Staff;

beforeAll(async () => {
  if (skip) return;
  pg = await startPrivatePostgres();
  api = await startApi(pg.url);
  [sales, finance, admin] = [await createStaff(api, 'sales'), await createStaff(api, 'finance'), await createStaff(api, 'admin')];
});
afterAll(async () => {
  await api?.close();
  await pg?.destroy();
});

const phone = (i: number) => `0745${String(i).padStart(6, '0')}`;
const run = Date.now().toString(36).toUpperCase();

describe.skipIf(skip)('database outage under load', () => {
  it('fails fast and generically while down, recovers without a restart, leaves nothing half done', async () => {
    // A customer per payment stream, so each balance must equal the sum of its applied payments.
    const customerIds: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const res = await call(api.origin, 'customer', '/api/customers', {
        method: 'POST',
        token: admin.token,
        body: { name: `Outage customer ${i}`, phone: phone(900 + i) },
      });
      expect(res.status).toBe(201);
      customerIds.push((JSON.parse(res.body) as { id: string }).id);
    }

    let stopLoad!: () => void;
    const until = new Promise<void>((resolve) => (stopLoad = resolve));
    // Each request: create a lead and convert it (two calls), or record a payment.
    const next = async (i: number): Promise<Answer> => {
      if (i % 2 === 0) {
        const created = await call(api.origin, 'lead.create', '/api/leads', {
          method: 'POST',
          token: sales.token,
          body: { name: `Outage lead ${i}`, phone: phone(i) },
        });
        if (created.status !== 201) return created;
        const { id } = JSON.parse(created.body) as { id: string };
        for (const status of ['contacted', 'qualified']) {
          const moved = await call(api.origin, 'lead.status', `/api/leads/${id}/status`, {
            method: 'POST',
            token: sales.token,
            body: { status },
          });
          if (moved.status !== 200) return moved;
        }
        return call(api.origin, 'lead.convert', `/api/leads/${id}/convert`, { method: 'POST', token: sales.token, body: {} });
      }
      return call(api.origin, 'payment', '/api/payments', {
        method: 'POST',
        token: finance.token,
        body: { customerId: customerIds[i % customerIds.length], method: 'cash', reference: `OUT${run}${i}`, amountCents: 1_000 + i },
      });
    };
    const running = load({ concurrency: 6, next, until });

    await sleep(1500);
    const downAt = Date.now();
    await pg.stop();
    // While down: readiness says so, and requests are answered quickly with the generic error.
    await eventually(async () => (await call(api.origin, 'ready', '/api/ready')).status === 503, 15_000, 'ready turns 503');
    const whileDown = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        call(api.origin, 'down', '/api/leads?limit=5', { token: sales.token, timeoutMs: 20_000 }).then((a) => ({ ...a, i })),
      ),
    );
    for (const answer of whileDown) {
      expect(answer.status).toBe(500);
      const body = JSON.parse(answer.body) as { error: string; requestId: string };
      expect(Object.keys(body).sort()).toEqual(['error', 'requestId']);
      expect(body.error).toBe('Internal server error');
      // The driver's own connect timeout is 10 s; a refused connection must not wait for it.
      expect(answer.ms).toBeLessThan(8_000);
    }
    await sleep(1000);
    await pg.start();
    const upAt = Date.now();
    const recoveredAfter = await eventually(
      async () => (await call(api.origin, 'ready', '/api/ready')).status === 200,
      30_000,
      'ready again',
    );
    // Load keeps going on the same process, and succeeds again.
    await sleep(1500);
    stopLoad();
    const answers = await running;

    const after = answers.filter((a) => a.startedAt > upAt + recoveredAfter);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((a) => a.status >= 500 || a.status === 0)).toEqual([]);
    const during = answers.filter((a) => a.startedAt > downAt && a.startedAt < upAt);
    expect(during.length).toBeGreaterThan(0);
    for (const a of answers) {
      // Every answer is a real HTTP answer: a success, or the generic 500; never a hang or a reset.
      expect([200, 201, 500], `${a.label} answered ${a.status} ${a.body}`).toContain(a.status);
      if (a.status === 500) expect(a.body).not.toMatch(/ECONNREFUSED|127\.0\.0\.1|postgres|terminating connection|sql/i);
    }

    // Nothing half done: each converted lead has exactly one customer, each unconverted lead none.
    const ours = await api.db.db
      .select({ id: leads.id, status: leads.status })
      .from(leads)
      .where(sql`${leads.name} like 'Outage lead %'`);
    const made = await api.db.db
      .select({ leadId: customers.leadId })
      .from(customers)
      .where(inArray(customers.leadId, ours.length > 0 ? ours.map((l) => l.id) : ['00000000-0000-0000-0000-000000000000']));
    const customersOf = new Map<string, number>();
    for (const c of made) if (c.leadId) customersOf.set(c.leadId, (customersOf.get(c.leadId) ?? 0) + 1);
    for (const lead of ours) expect(customersOf.get(lead.id) ?? 0).toBe(lead.status === 'won' ? 1 : 0);
    const converted = answers.filter((a) => a.label === 'lead.convert' && a.status === 201).length;
    expect(ours.filter((l) => l.status === 'won').length).toBeGreaterThanOrEqual(converted);

    // Each balance is exactly the sum of its applied payments; every acknowledged payment exists.
    for (const customerId of customerIds) {
      const [balance] = await api.db.db.select({ cents: customers.balanceCents }).from(customers).where(eq(customers.id, customerId));
      const [sum] = await api.db.db
        .select({ cents: sql<number>`coalesce(sum(${payments.amountCents}), 0)::int` })
        .from(payments)
        .where(eq(payments.customerId, customerId));
      expect(balance?.cents).toBe(sum?.cents);
    }
    const acknowledged = answers
      .filter((a) => a.label === 'payment' && a.status === 201)
      .map((a) => (JSON.parse(a.body) as { reference: string }).reference);
    const stored = await api.db.db
      .select({ reference: payments.reference })
      .from(payments)
      .where(inArray(payments.reference, acknowledged.length ? acknowledged : ['-']));
    expect(stored.length).toBe(acknowledged.length);

    const chain = await verifyAuditChain(api.db.db);
    expect(chain.ok).toBe(true);
    console.info(
      `database outage: ${answers.length} requests (${during.length} started while down), ready again ${recoveredAfter} ms after start, ` +
        `${converted} conversions and ${acknowledged.length} payments acknowledged`,
    );
  });
});
