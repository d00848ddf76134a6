/**
 * Connects the integrations to billing's domain events (`lib/events.ts`) and lists every job and
 * schedule the queue runs. `wireListeners()` is called by every process entry (server, CLI, test
 * harness) before any service runs; registering again is harmless. Each integration module exports
 * its listeners and job definitions; this file is the only place that knows all of them.
 */
import { onEvent } from './lib/events';
import type { AnyDefinition, JobDefinition, ScheduleDefinition } from './modules/jobs';
import { provisionJob, provisionOnChange } from './modules/routers';
import { noticeOnServiceChange, receiptOnPayment, smsReminderSchedule, smsSendJob } from './modules/sms';
import { stkQueryJob, wireMpesa } from './modules/mpesa';
import { expirySweepSchedule } from './modules/subscriptions';

/** Every queue a worker serves: one line per job definition (e.g. smsSendJob, provisionJob). */
export const JOBS: JobDefinition<unknown>[] = [
  // Integrations add their definitions here.
  provisionJob,
  smsSendJob,
  stkQueryJob,
];

/** Scheduled work, each run once per tick across all instances. */
export const SCHEDULES: ScheduleDefinition[] = [expirySweepSchedule, smsReminderSchedule];

/** JOBS and SCHEDULES together, as the queue and the test runner see them. */
export function allDefinitions(): AnyDefinition[] {
  return [...JOBS, ...SCHEDULES];
}

export function wireListeners(): void {
  wireMpesa();
  // Integrations register here, e.g. onEvent('subscription.changed', 'provisioning', provisionOnChange).
  onEvent('subscription.changed', 'provisioning', provisionOnChange);
  onEvent('payment.applied', 'sms-receipt', receiptOnPayment);
  onEvent('subscription.changed', 'sms-notice', noticeOnServiceChange);
}
