/**
 * Drives the job queue synchronously in tests: what the server's workers would do, on the test's
 * database, through the real pg-boss (fetch, complete, fail with its retry/backoff rules).
 */
import { queryRows } from '@netflow/db';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { createBoss, enqueue, ensureQueue, runJob, type AnyDefinition } from '../modules/jobs';
import { allDefinitions } from '../wiring';
import type { Harness } from './harness';

const silent = pino({ level: 'silent' }) as unknown as FastifyBaseLogger;

export interface RunOptions {
  /** Queue names to run (default: every JOBS and SCHEDULES definition). */
  names?: string[];
  /** Make a job waiting for its retry backoff due at once. */
  includeRetries?: boolean;
  /** Definitions not in wiring.ts (a test's own job); they run alongside the wired ones. */
  extra?: AnyDefinition[];
  log?: FastifyBaseLogger;
}

/** Runs queued jobs (of `names`, default all) on h's database until none is due; with
 *  `includeRetries` a job waiting for its backoff is made due at once. Returns counts. */
export async function runQueuedJobs(
  h: Pick<Harness, 'db' | 'config'>,
  options: RunOptions = {},
): Promise<{ completed: number; failed: number; retried: number }> {
  const defs = [...allDefinitions(), ...(options.extra ?? [])].filter((d) => !options.names || options.names.includes(d.name));
  const counts = { completed: 0, failed: 0, retried: 0 };
  for (const def of defs) await ensureQueue(h.db.db, def);
  const boss = createBoss(h.db, { background: false, max: 2 });
  boss.on('error', () => {});
  await boss.start();
  const deps = { db: h.db.db, config: h.config, log: options.log ?? silent };
  try {
    // Bounded: each round runs at least one attempt, and every job has a finite retry limit.
    for (let round = 0; round < 1000; round += 1) {
      if (options.includeRetries && defs.length > 0) {
        await h.db.db.execute(sql`update pgboss.job set start_after = now() where state = 'retry' and name in ${defs.map((d) => d.name)}`);
      }
      let ran = 0;
      for (const def of defs) {
        const [job] = await boss.fetch<unknown>(def.name, { includeMetadata: true, batchSize: 1 });
        if (!job) continue;
        ran += 1;
        try {
          await runJob(def, job, deps);
          await boss.complete(def.name, job.id);
          counts.completed += 1;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          await boss.fail(def.name, job.id, { message });
          const [row] = await queryRows<{ state: string }>(h.db.db, sql`select state from pgboss.job where id = ${job.id}`);
          if (row?.state === 'retry') counts.retried += 1;
          else counts.failed += 1;
        }
      }
      if (ran === 0) break;
    }
  } finally {
    await boss.stop({ graceful: false, close: true });
  }
  return counts;
}

/** Puts one tick of a schedule on its queue, as pg-boss's cron pass would (then runQueuedJobs). */
export async function queueScheduleTick(h: Pick<Harness, 'db'>, name: string): Promise<string> {
  const def = allDefinitions().find((d) => d.name === name && d.kind === 'schedule');
  if (!def) throw new Error(`no schedule named ${name} in wiring.ts`);
  const asJob = { ...def, kind: 'job' as const, schema: { parse: (v: unknown) => v } } as never;
  const id = await enqueue(h.db.db, asJob, null);
  if (!id) throw new Error('the tick was not queued');
  return id;
}

export interface JobRow {
  id: string;
  name: string;
  state: string;
  data: unknown;
  output: unknown;
  retryCount: number;
  retryLimit: number;
  singletonKey: string | null;
  startAfter: Date;
}

/** The queue's rows for assertions: name, state ('created'|'retry'|'active'|'completed'|'failed'|'cancelled'), data, output, singletonKey. */
export async function jobRows(h: Pick<Harness, 'db'>, name?: string): Promise<JobRow[]> {
  const rows = await queryRows<Record<string, unknown>>(
    h.db.db,
    sql`select id, name, state, data, output, retry_count, retry_limit, singleton_key, start_after
        from pgboss.job ${name ? sql`where name = ${name}` : sql``} order by created_on, id`,
  );
  return rows.map((r) => ({
    id: String(r.id),
    name: String(r.name),
    state: String(r.state),
    data: r.data,
    output: r.output,
    retryCount: Number(r.retry_count),
    retryLimit: Number(r.retry_limit),
    singletonKey: (r.singleton_key as string | null) ?? null,
    startAfter: new Date(r.start_after as string),
  }));
}
