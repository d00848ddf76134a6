/**
 * What a job is: a named queue with a payload schema, a retry policy and a handler. Definitions are
 * plain data; `wiring.ts` lists them (JOBS, SCHEDULES) and the queue (queue.ts) starts a worker for each.
 */
import type { Database } from '@netflow/db';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import type { Config } from '../../config';

export interface JobContext {
  /** The app's database handle (not a transaction). */
  db: Database;
  config: Config;
  /** pino-compatible, redacted like the app's; already bound to the job's name and id. */
  log: FastifyBaseLogger;
  jobId: string;
  /** 1 on the first try, 2 on the first retry, … */
  attempt: number;
  /** True on the last attempt the retry policy allows (so a handler can record a final failure). */
  lastAttempt: boolean;
}

export interface JobDefinition<T> {
  kind: 'job';
  name: string;
  schema: z.ZodType<T>;
  retryLimit: number;
  retryDelaySeconds: number;
  retryBackoff: boolean;
  run(data: T, ctx: JobContext): Promise<void>;
}

export interface ScheduleDefinition {
  kind: 'schedule';
  /** Also the name of the queue its ticks go through (seen on the admin Jobs page). */
  name: string;
  /** Cron expression, UTC; or read from the config (e.g. EXPIRY_SWEEP_CRON). */
  cron: string | ((config: Config) => string);
  run(ctx: JobContext): Promise<void>;
}

// pg-boss's rule for queue names.
const NAME = /^[\w.\-/]+$/;

function checkName(name: string): void {
  if (!NAME.test(name)) throw new Error(`job name "${name}" may only use letters, digits, _ . - /`);
}

/** Declares a queue. Retries with exponential backoff by default (retryLimit 5, first delay 30 s). */
export function defineJob<T>(spec: {
  name: string;
  schema: z.ZodType<T>;
  retryLimit?: number;
  retryDelaySeconds?: number;
  retryBackoff?: boolean;
  run(data: T, ctx: JobContext): Promise<void>;
}): JobDefinition<T> {
  checkName(spec.name);
  return {
    kind: 'job',
    name: spec.name,
    schema: spec.schema,
    retryLimit: spec.retryLimit ?? 5,
    retryDelaySeconds: spec.retryDelaySeconds ?? 30,
    retryBackoff: spec.retryBackoff ?? true,
    run: (data, ctx) => spec.run(data, ctx),
  };
}

/** Scheduled work (cron, UTC), run once per tick across all instances. */
export function defineSchedule(spec: {
  name: string;
  cron: string | ((config: Config) => string);
  run(ctx: JobContext): Promise<void>;
}): ScheduleDefinition {
  checkName(spec.name);
  return { kind: 'schedule', name: spec.name, cron: spec.cron, run: (ctx) => spec.run(ctx) };
}

/** A schedule's ticks are jobs of its queue: not retried (the next tick does the work again). */
export const SCHEDULE_RETRY = { retryLimit: 0, retryDelaySeconds: 0, retryBackoff: false } as const;

/** Either kind, as the queue and the test runner see it: a name, a retry policy, a handler. */
export type AnyDefinition = JobDefinition<unknown> | ScheduleDefinition;

export function retryPolicyOf(def: AnyDefinition) {
  return def.kind === 'job'
    ? { retryLimit: def.retryLimit, retryDelaySeconds: def.retryDelaySeconds, retryBackoff: def.retryBackoff }
    : SCHEDULE_RETRY;
}
