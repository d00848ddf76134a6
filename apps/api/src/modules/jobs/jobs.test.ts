/**
 * The queue on the engine under test (embedded by default, PostgreSQL with TEST_DATABASE_URL):
 * transactional enqueue, singleton keys, retries with backoff to `failed`, the server's workers.
 */
import { customers } from '@netflow/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditRows, daysFromNow, insertCustomer, insertPlan, insertSubscription, subscriptionRow } from '../../test/fixtures';
import { createHarness, type Harness } from '../../test/harness';
import { jobRows, queueScheduleTick, runQueuedJobs } from '../../test/jobs';
import { ConfigError, loadConfig } from '../../config';
import { buildServer } from '../../server';
import { JOBS } from '../../wiring';
import { defineJob, enqueue } from './index';

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
});

const ran: Array<{ id: string; attempt: number; lastAttempt: boolean }> = [];
const echoJob = defineJob({
  name: 'test.echo',
  schema: z.object({ customerId: z.string().uuid() }),
  run: async (data, ctx) => {
    ran.push({ id: data.customerId, attempt: ctx.attempt, lastAttempt: ctx.lastAttempt });
  },
});
const failingJob = defineJob({
  name: 'test.always-fails',
  schema: z.object({ n: z.number() }),
  retryLimit: 2,
  retryDelaySeconds: 10,
  run: async (_data, ctx) => {
    ran.push({ id: 'fail', attempt: ctx.attempt, lastAttempt: ctx.lastAttempt });
    throw new Error(`router unreachable (attempt ${ctx.attempt})`);
  },
});
const extra = [echoJob, failingJob];

describe('enqueue', () => {
  it('writes the job in the same transaction: a rollback leaves no job, a commit leaves one', async () => {
    await expect(
      h.db.db.transaction(async (tx) => {
        const [c] = await tx.insert(customers).values({ name: 'Rolled Back', phone: '0711000001' }).returning();
        await enqueue(tx, echoJob, { customerId: c?.id ?? '' });
        throw new Error('billing failed');
      }),
    ).rejects.toThrow('billing failed');
    expect(await jobRows(h, 'test.echo')).toEqual([]);

    const id = await h.db.db.transaction(async (tx) => {
      const [c] = await tx.insert(customers).values({ name: 'Committed', phone: '0711000002' }).returning();
      return enqueue(tx, echoJob, { customerId: c?.id ?? '' });
    });
    const rows = await jobRows(h, 'test.echo');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id, state: 'created', retryLimit: 5 });
    const data = rows[0]?.data as { customerId: string };

    ran.length = 0;
    expect(await runQueuedJobs(h, { extra, names: ['test.echo'] })).toEqual({ completed: 1, failed: 0, retried: 0 });
    expect(ran).toEqual([{ id: data.customerId, attempt: 1, lastAttempt: false }]);
    expect((await jobRows(h, 'test.echo'))[0]?.state).toBe('completed');
  });

  it('refuses a payload its schema rejects, and the cause rolls back with it', async () => {
    await expect(
      h.db.db.transaction(async (tx) => {
        await tx.insert(customers).values({ name: 'Bad Payload', phone: '0711000003' });
        await enqueue(tx, echoJob, { customerId: 'not-a-uuid' });
      }),
    ).rejects.toThrow();
    expect(
      await h.db.db
        .select()
        .from(customers)
        .where(sql`name = 'Bad Payload'`),
    ).toEqual([]);
  });

  it('a singletonKey with an unfinished job yields null; once it finished, a new job is accepted', async () => {
    const customer = await insertCustomer(h.db.db, { name: 'Singleton' });
    const key = `echo:${customer.id}`;
    const first = await enqueue(h.db.db, echoJob, { customerId: customer.id }, { singletonKey: key });
    const second = await enqueue(h.db.db, echoJob, { customerId: customer.id }, { singletonKey: key });
    expect(first).toEqual(expect.any(String));
    expect(second).toBeNull();
    expect((await jobRows(h, 'test.echo')).filter((r) => r.singletonKey === key)).toHaveLength(1);
    await runQueuedJobs(h, { extra, names: ['test.echo'] });
    expect(await enqueue(h.db.db, echoJob, { customerId: customer.id }, { singletonKey: key })).toEqual(expect.any(String));
    await runQueuedJobs(h, { extra, names: ['test.echo'] });
  });

  it('startAfterSeconds delays the job', async () => {
    const customer = await insertCustomer(h.db.db, { name: 'Later' });
    const id = await enqueue(h.db.db, echoJob, { customerId: customer.id }, { startAfterSeconds: 600 });
    expect(await runQueuedJobs(h, { extra, names: ['test.echo'] })).toEqual({ completed: 0, failed: 0, retried: 0 });
    const row = (await jobRows(h, 'test.echo')).find((r) => r.id === id);
    expect(row?.startAfter.getTime()).toBeGreaterThan(Date.now() + 500_000);
  });
});

describe('retries', () => {
  it('a failing handler is retried with growing delays, then ends failed with its error', async () => {
    ran.length = 0;
    const id = await enqueue(h.db.db, failingJob, { n: 1 });
    expect(await runQueuedJobs(h, { extra, names: ['test.always-fails'] })).toEqual({ completed: 0, failed: 0, retried: 1 });
    const afterFirst = (await jobRows(h, 'test.always-fails')).find((r) => r.id === id);
    // pg-boss counts a retry when the job is fetched again, not when it fails.
    expect(afterFirst).toMatchObject({ state: 'retry', retryCount: 0 });
    // Backoff: the retry waits (about retryDelay seconds at first), it is not due at once.
    const firstDelay = (afterFirst?.startAfter.getTime() ?? 0) - Date.now();
    expect(firstDelay).toBeGreaterThan(3_000);

    expect(await runQueuedJobs(h, { extra, names: ['test.always-fails'], includeRetries: true })).toEqual({
      completed: 0,
      failed: 1,
      retried: 1,
    });
    const row = (await jobRows(h, 'test.always-fails')).find((r) => r.id === id);
    expect(row).toMatchObject({ state: 'failed', retryCount: 2 });
    expect(row?.output).toMatchObject({ message: 'router unreachable (attempt 3)' });
    expect(ran).toEqual([
      { id: 'fail', attempt: 1, lastAttempt: false },
      { id: 'fail', attempt: 2, lastAttempt: false },
      { id: 'fail', attempt: 3, lastAttempt: true },
    ]);
  });
});

describe('the server', () => {
  it('with JOBS=on runs queued work on its workers and stops cleanly on close', async () => {
    const plan = await insertPlan(h.db.db);
    const customer = await insertCustomer(h.db.db, { name: 'Overdue Worker' });
    const sub = await insertSubscription(h.db.db, {
      customerId: customer.id,
      planId: plan.id,
      status: 'active',
      expiresAt: daysFromNow(-3),
    });
    const config = { ...h.config, jobs: { ...h.config.jobs, enabled: true, pollSeconds: 0.5 } };
    const app = await buildServer({ config, db: h.db });
    await app.ready();
    try {
      await queueScheduleTick(h, 'subscriptions.expiry-sweep');
      for (let i = 0; i < 200; i += 1) {
        const states = (await jobRows(h, 'subscriptions.expiry-sweep')).map((r) => r.state);
        if (states.length > 0 && states.every((s) => s === 'completed')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('suspended');
      expect(await auditRows(h.db.db, sub.id, 'subscription.expire')).toHaveLength(1);
      // The schedule is registered in pg-boss for the cron pass.
      const schedules = await h.db.db.execute(sql`select name, cron, timezone from pgboss.schedule`);
      expect(JSON.stringify(schedules)).toContain('subscriptions.expiry-sweep');
    } finally {
      await app.close();
    }
    // The app's database is still usable after the queue stopped.
    expect((await subscriptionRow(h.db.db, sub.id)).status).toBe('suspended');
  });
});

describe('the server with its workers on one embedded connection', () => {
  it('busy billing transactions that enqueue while the workers poll neither deadlock nor lose jobs', async () => {
    JOBS.push(echoJob);
    const config = { ...h.config, jobs: { ...h.config.jobs, enabled: true, pollSeconds: 0.5 } };
    const app = await buildServer({ config, db: h.db });
    await app.ready();
    try {
      ran.length = 0;
      const ids = await Promise.all(
        Array.from({ length: 12 }, (_, i) =>
          h.db.db.transaction(async (tx) => {
            const [c] = await tx
              .insert(customers)
              .values({ name: `Busy ${i}`, phone: `07120000${String(i).padStart(2, '0')}` })
              .returning();
            const id = await enqueue(tx, echoJob, { customerId: c?.id ?? '' });
            // Hold the transaction a moment, as a real billing change would, while the workers poll.
            await new Promise((r) => setTimeout(r, 30));
            return id;
          }),
        ),
      );
      for (let i = 0; i < 300; i += 1) {
        const rows = (await jobRows(h, 'test.echo')).filter((r) => ids.includes(r.id));
        if (rows.length === ids.length && rows.every((r) => r.state === 'completed')) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const rows = (await jobRows(h, 'test.echo')).filter((r) => ids.includes(r.id));
      expect(rows.map((r) => r.state)).toEqual(ids.map(() => 'completed'));
      expect(ran).toHaveLength(ids.length);
    } finally {
      await app.close();
      JOBS.splice(JOBS.indexOf(echoJob), 1);
    }
  });

  it('logs each failed attempt once, with the job name and id and never the payload', async () => {
    const secretJob = defineJob({
      name: 'test.secret-fails',
      schema: z.object({ routerId: z.string(), apiToken: z.string() }),
      retryLimit: 1,
      retryDelaySeconds: 1,
      retryBackoff: false,
      run: async () => {
        throw new Error('router refused');
      },
    });
    JOBS.push(secretJob);
    const lines: string[] = [];
    const logStream = { write: (line: string) => void lines.push(line) };
    const config = { ...h.config, logLevel: 'info', jobs: { ...h.config.jobs, enabled: true, pollSeconds: 0.5 } };
    const app = await buildServer({ config, db: h.db, logStream });
    await app.ready();
    try {
      const id = await enqueue(h.db.db, secretJob, { routerId: 'r-9', apiToken: 's3cr3t-token' });
      for (let i = 0; i < 200; i += 1) {
        if ((await jobRows(h, secretJob.name)).find((r) => r.id === id)?.state === 'failed') break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect((await jobRows(h, secretJob.name)).find((r) => r.id === id)?.state).toBe('failed');
      const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
      const failures = entries.filter((e) => e.jobId === id);
      expect(failures.map((e) => [e.event, e.job, e.attempt])).toEqual([
        ['job.retry', 'test.secret-fails', 1],
        ['job.failed', 'test.secret-fails', 2],
      ]);
      expect(entries.filter((e) => e.event === 'jobs.error')).toEqual([]);
      expect(lines.join('\n')).not.toContain('s3cr3t-token');
    } finally {
      await app.close();
      JOBS.splice(JOBS.indexOf(secretJob), 1);
    }
  });

  it('close lets a job in flight finish', async () => {
    let release = () => {};
    const started = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slowJob = defineJob({
      name: 'test.slow',
      schema: z.object({}),
      run: async () => {
        release();
        await new Promise((r) => setTimeout(r, 1_500));
      },
    });
    JOBS.push(slowJob);
    const config = { ...h.config, jobs: { ...h.config.jobs, enabled: true, pollSeconds: 0.5 } };
    const app = await buildServer({ config, db: h.db });
    await app.ready();
    try {
      const id = await enqueue(h.db.db, slowJob, {});
      await started;
      await app.close();
      expect((await jobRows(h, 'test.slow')).find((r) => r.id === id)?.state).toBe('completed');
    } finally {
      await app.close();
      JOBS.splice(JOBS.indexOf(slowJob), 1);
    }
  });
});

describe('configuration', () => {
  const base = {
    JWT_SECRET: 'x'.repeat(40),
    AUDIT_KEY: 'y'.repeat(40),
    APP_ENCRYPTION_KEY: 'z'.repeat(40),
    DATA_DIR: h?.config.dataDir ?? '/tmp',
  };
  it('JOBS is on by default, off under NODE_ENV=test; EXPIRY_SWEEP_CRON must be a five-field cron', () => {
    expect(loadConfig({ ...base, DATA_DIR: h.config.dataDir }).jobs).toEqual({
      enabled: true,
      pollSeconds: 2,
      expirySweepCron: '*/5 * * * *',
    });
    expect(loadConfig({ ...base, DATA_DIR: h.config.dataDir, NODE_ENV: 'test' }).jobs.enabled).toBe(false);
    expect(loadConfig({ ...base, DATA_DIR: h.config.dataDir, NODE_ENV: 'test', JOBS: 'on' }).jobs.enabled).toBe(true);
    expect(() => loadConfig({ ...base, DATA_DIR: h.config.dataDir, EXPIRY_SWEEP_CRON: 'every five minutes' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, DATA_DIR: h.config.dataDir, JOBS: 'maybe' })).toThrow(ConfigError);
  });
});
