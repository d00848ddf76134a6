/**
 * One attempt of one job, the same for the server's workers and the tests' `runQueuedJobs`:
 * validate the payload, run the handler with its context, log a failure once (name, id, attempt,
 * message; never the payload) and rethrow so pg-boss records it and schedules the retry.
 */
import type { Database } from '@netflow/db';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from '../../config';
import type { AnyDefinition } from './define';

export interface RunnerDeps {
  db: Database;
  config: Config;
  log: FastifyBaseLogger;
}

export interface QueuedJob {
  id: string;
  name: string;
  data: unknown;
  retryCount: number;
  retryLimit: number;
}

export async function runJob(def: AnyDefinition, job: QueuedJob, deps: RunnerDeps): Promise<void> {
  const attempt = job.retryCount + 1;
  const lastAttempt = job.retryCount >= job.retryLimit;
  const log = deps.log.child({ job: job.name, jobId: job.id, attempt });
  const ctx = { db: deps.db, config: deps.config, log, jobId: job.id, attempt, lastAttempt };
  try {
    if (def.kind === 'job') await def.run(def.schema.parse(job.data), ctx);
    else await def.run(ctx);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (lastAttempt) log.error({ event: 'job.failed', err: message }, `job ${job.name} failed for good`);
    else log.warn({ event: 'job.retry', err: message }, `job ${job.name} failed; will retry`);
    throw error;
  }
}
