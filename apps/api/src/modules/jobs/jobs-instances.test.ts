/**
 * Scheduled work runs once across instances: two servers (JOBS=on) on one PostgreSQL database,
 * the expiry sweep scheduled every minute on both. Each tick is one job, run by one of them; each
 * overdue subscription is suspended once (one audit row, one timeline entry, one domain event).
 * PostgreSQL only (TEST_DATABASE_URL, set in CI): the embedded database is one process by design.
 */
import { activities } from '@netflow/db';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onEvent } from '../../lib/events';
import { auditRows, daysFromNow, insertCustomer, insertPlan, insertSubscription, subscriptionRow } from '../../test/fixtures';
import { createHarness, testConfig, type Harness } from '../../test/harness';
import { jobRows } from '../../test/jobs';
import { buildServer } from '../../server';

const onServer = Boolean(process.env.TEST_DATABASE_URL);

describe.skipIf(!onServer)('two instances on one PostgreSQL database', () => {
  let h: Harness;
  const apps: FastifyInstance[] = [];
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await h.close();
  });

  it('run each tick of the expiry sweep once: one suspension, audit row and event per subscription', async () => {
    const events = new Map<string, number>();
    onEvent('subscription.changed', 'test-two-instances', async (_tx, _actor, e) => {
      if (e.change === 'suspended') events.set(e.subscriptionId, (events.get(e.subscriptionId) ?? 0) + 1);
    });
    const plan = await insertPlan(h.db.db);
    const overdue = [];
    for (let i = 0; i < 5; i += 1) {
      const c = await insertCustomer(h.db.db, { name: `Overdue ${i}` });
      overdue.push(
        await insertSubscription(h.db.db, { customerId: c.id, planId: plan.id, status: 'active', expiresAt: daysFromNow(-3 - i) }),
      );
    }
    const config = testConfig({ JOBS: 'on', JOBS_POLL_SECONDS: '0.5', EXPIRY_SWEEP_CRON: '* * * * *' });
    for (let i = 0; i < 2; i += 1) {
      const app = await buildServer({ config, db: h.db });
      await app.ready();
      apps.push(app);
    }
    // The next minute boundary, then the cron pass and a worker (measured: a few seconds).
    const deadline = Date.now() + 100_000;
    let done = false;
    while (!done && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      done = (await jobRows(h, 'subscriptions.expiry-sweep')).some((r) => r.state === 'completed');
    }
    expect(done).toBe(true);
    await Promise.all(apps.splice(0).map((a) => a.close()));

    const ticks = await jobRows(h, 'subscriptions.expiry-sweep');
    // One job per minute slot, however many instances scheduled it.
    const slots = ticks.map((r) => r.startAfter.toISOString().slice(0, 16));
    expect(new Set(slots).size).toBe(ticks.length);
    for (const sub of overdue) {
      expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('suspended');
      expect(await auditRows(h.db.db, sub.id, 'subscription.expire')).toHaveLength(1);
      expect(events.get(sub.id)).toBe(1);
      const timeline = await h.db.db.select().from(activities).where(eq(activities.customerId, sub.customerId));
      expect(timeline.filter((a) => a.body.startsWith('Subscription suspended'))).toHaveLength(1);
    }
  }, 150_000);
});
