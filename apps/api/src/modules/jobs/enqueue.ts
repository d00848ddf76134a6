/**
 * Enqueue on the caller's transaction with pg-boss's own insert statement, so the job commits or
 * rolls back with the change that caused it.
 */
import type { Database } from '@netflow/db';
import type { JobDefinition } from './define';
import { BOSS_SCHEMA, KEEP_FINISHED_SECONDS, drizzleExecutor, ensureQueue, plans } from './sql';

export interface EnqueueOptions {
  /** At most one unfinished job (created, retry, active) per key: a second enqueue returns null. */
  singletonKey?: string;
  startAfterSeconds?: number;
}

/**
 * Enqueues on `tx` — the SAME transaction as the change that causes the job (a Drizzle transaction
 * or the db handle). Returns the job id, or null when `singletonKey` already has a job that is not
 * finished (so one event never yields two jobs: use e.g. `receipt:<paymentId>`).
 */
export async function enqueue<T>(tx: Database, job: JobDefinition<T>, data: T, options: EnqueueOptions = {}): Promise<string | null> {
  // Validated here so a bad payload fails the cause's transaction, not a worker much later.
  const payload = job.schema.parse(data);
  const table = await ensureQueue(tx, job);
  const text = plans.insertJobs(BOSS_SCHEMA, { table, name: job.name, returnId: true });
  const row = {
    data: payload ?? null,
    singletonKey: options.singletonKey ?? null,
    startAfter: options.startAfterSeconds ? String(options.startAfterSeconds) : undefined,
    retryLimit: job.retryLimit,
    retryDelay: job.retryDelaySeconds,
    retryBackoff: job.retryBackoff,
    retryDelayMax: job.retryBackoff ? 3600 : undefined,
    deleteAfterSeconds: KEEP_FINISHED_SECONDS,
  };
  const { rows } = await drizzleExecutor(tx).executeSql(text, [JSON.stringify([row])]);
  return (rows[0]?.id as string | undefined) ?? null;
}
