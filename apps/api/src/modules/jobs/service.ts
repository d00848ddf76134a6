/**
 * The admin's view of the queue: list jobs by state and name, see why one failed, run a failed one
 * again (audited), cancel one that has not run yet. Payloads carry ids, not secrets; keys that look
 * like secrets are redacted anyway before anything leaves the server.
 */
import { JOB_STATES, type Job, type JobQueue, type JobState, type ListJobsInput } from '@netflow/contracts';
import type { Database } from '@netflow/db';
import { and, count, eq, sql } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { conflict, notFound } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/pg-errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { audit } from '../audit';
import { drizzleExecutor, plans, BOSS_SCHEMA } from './sql';
import { bossJobs, bossQueues } from './table';

const SECRET_KEY = /pass(word)?|secret|token|api[-_]?key|authorization|pin|otp|credential|private/i;

/** Replaces the value of every key that looks like a secret, however deeply nested. */
export function redactSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSecrets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, SECRET_KEY.test(k) ? '[redacted]' : redactSecrets(v)]));
  }
  return value;
}

/** A failure's message from pg-boss's output (a serialized Error, or `{ message }`). */
function errorOf(state: string, output: unknown): string | null {
  if (state !== 'failed' && state !== 'retry') return null;
  if (output && typeof output === 'object' && 'message' in output) return String(output.message);
  return output == null ? null : JSON.stringify(redactSecrets(output));
}

type JobRow = typeof bossJobs.$inferSelect;

function toJob(row: JobRow): Job {
  const started = row.startedOn !== null;
  return {
    id: row.id,
    name: row.name,
    state: row.state as JobState,
    data: redactSecrets(row.data),
    error: errorOf(row.state, row.output),
    // pg-boss counts a retry when the job is fetched again, so started jobs made retryCount + 1 tries.
    attempts: started ? row.retryCount + 1 : row.retryCount,
    maxAttempts: row.retryLimit + 1,
    singletonKey: row.singletonKey,
    createdAt: row.createdOn.toISOString(),
    startAfter: row.startAfter.toISOString(),
    startedAt: row.startedOn?.toISOString() ?? null,
    completedAt: row.completedOn?.toISOString() ?? null,
  };
}

export async function listJobs(db: Database, input: ListJobsInput): Promise<Page<Job>> {
  const page = keyset({
    name: 'createdOn.desc',
    column: bossJobs.createdOn,
    type: 'timestamptz',
    id: bossJobs.id,
    direction: 'desc',
    cursor: input.cursor,
  });
  const rows = await db
    .select({ job: bossJobs, id: bossJobs.id, cursorKey: page.cursorKey })
    .from(bossJobs)
    .where(
      and(
        input.state === 'all' ? undefined : sql`${bossJobs.state} = ${input.state}::pgboss.job_state`,
        input.name ? eq(bossJobs.name, input.name) : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, (r) => toJob(r.job));
}

/** Every queue with its jobs counted by state (the page's tabs and name filter). */
export async function listQueues(db: Database): Promise<JobQueue[]> {
  const queues = await db.select({ name: bossQueues.name }).from(bossQueues).orderBy(bossQueues.name);
  const counts = await db
    .select({ name: bossJobs.name, state: bossJobs.state, n: count() })
    .from(bossJobs)
    .groupBy(bossJobs.name, bossJobs.state);
  return queues.map(({ name }) => ({
    name,
    counts: Object.fromEntries(
      JOB_STATES.map((s) => [s, counts.find((c) => c.name === name && c.state === s)?.n ?? 0]),
    ) as JobQueue['counts'],
  }));
}

async function jobRow(db: Database, id: string, lock = false): Promise<JobRow> {
  const query = db.select().from(bossJobs).where(eq(bossJobs.id, id));
  const [row] = lock ? await query.for('update') : await query;
  if (!row) throw notFound('Job');
  return row;
}

export async function getJob(db: Database, id: string): Promise<Job> {
  return toJob(await jobRow(db, id));
}

async function tableOf(tx: Database, name: string): Promise<string> {
  const [q] = await tx.select({ tableName: bossQueues.tableName }).from(bossQueues).where(eq(bossQueues.name, name));
  if (!q) throw notFound('Job queue');
  return q.tableName;
}

/**
 * Puts a failed job back on its queue to run once more (pg-boss's retry: one more attempt allowed,
 * due now), audited in the same transaction. Only failed jobs: anything else answers 409.
 */
export async function retryJob(db: Database, actor: Actor, id: string): Promise<Job> {
  return db.transaction(async (tx) => {
    const before = await jobRow(tx, id, true);
    if (before.state !== 'failed') throw conflict(`Only a failed job can be retried; this one is ${before.state}`);
    // retryJobs updates the parent job table, so no queue table is needed (unlike cancel).
    try {
      await drizzleExecutor(tx).executeSql(plans.retryJobs(BOSS_SCHEMA, 'job'), [before.name, [id]]);
    } catch (error) {
      // netflow_job_singleton: a newer job for the same key is already waiting.
      if (isUniqueViolation(error)) throw conflict('A newer job for the same key is already queued');
      throw error;
    }
    await audit(tx, actor, {
      action: 'job.retry',
      entityType: 'job',
      entityId: id,
      changes: { name: before.name, state: { from: before.state, to: 'retry' }, attempts: before.retryCount + 1 },
    });
    return toJob(await jobRow(tx, id));
  });
}

/** Cancels a job that has not finished (it will not run, or not run again), audited. */
export async function cancelJob(db: Database, actor: Actor, id: string): Promise<Job> {
  return db.transaction(async (tx) => {
    const before = await jobRow(tx, id, true);
    if (!['created', 'retry'].includes(before.state)) throw conflict(`Only a waiting job can be cancelled; this one is ${before.state}`);
    const table = await tableOf(tx, before.name);
    await drizzleExecutor(tx).executeSql(plans.cancelJobs(BOSS_SCHEMA, table), [before.name, [id]]);
    await audit(tx, actor, {
      action: 'job.cancel',
      entityType: 'job',
      entityId: id,
      changes: { name: before.name, state: { from: before.state, to: 'cancelled' } },
    });
    return toJob(await jobRow(tx, id));
  });
}
