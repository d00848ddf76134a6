/** Schemas of the job queue's admin view: background jobs (SMS, provisioning, sweeps), their state, retry. */
import { z } from 'zod';
import { idSchema, pageOf, queryInt } from './common';

/** pg-boss's job states, in its order: waiting, waiting after a failure, running, then the three ends. */
export const JOB_STATES = ['created', 'retry', 'active', 'completed', 'cancelled', 'failed'] as const;
export const jobStateSchema = z.enum(JOB_STATES);
export type JobState = z.infer<typeof jobStateSchema>;

/** Queue names: letters, digits and `_ . - /` (e.g. `sms.send`, `subscriptions.expiry-sweep`). */
export const jobNameSchema = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(/^[\w.\-/]+$/, { error: 'Letters, digits and _ . - / only' });

export const listJobsInput = z.object({
  /** Failed jobs unless asked otherwise (what an admin comes to the page for); `all` for every state. */
  state: z.union([jobStateSchema, z.literal('all')]).default('failed'),
  name: jobNameSchema.optional(),
  limit: queryInt(1, 100).default(25),
  cursor: z.string().max(500).optional(),
});
export type ListJobsInput = z.infer<typeof listJobsInput>;

export const jobSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  state: jobStateSchema,
  /** The payload (ids, not secrets), with any key that looks like a secret replaced by "[redacted]". */
  data: z.unknown(),
  /** The last failure's message, when the job failed (or waits for a retry). */
  error: z.string().nullable(),
  /** Attempts made so far. */
  attempts: z.number().int(),
  /** Attempts the retry policy allows (retryLimit + 1). */
  maxAttempts: z.number().int(),
  singletonKey: z.string().nullable(),
  createdAt: z.string(),
  /** When it may run next (a retry's backoff, a delayed job). */
  startAfter: z.string(),
  startedAt: z.string().nullable(),
  completedAt: z.string().nullable(),
});
export type Job = z.infer<typeof jobSchema>;

export const jobPageSchema = pageOf(jobSchema);
export type JobPage = z.infer<typeof jobPageSchema>;

export const jobQueueSchema = z.object({
  name: z.string(),
  counts: z.object(Object.fromEntries(JOB_STATES.map((s) => [s, z.number().int()])) as Record<JobState, z.ZodNumber>),
});
export type JobQueue = z.infer<typeof jobQueueSchema>;

export const jobIdInput = z.object({ id: idSchema });
