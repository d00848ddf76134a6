/**
 * The subscription expiry sweep as a scheduled job: every EXPIRY_SWEEP_CRON tick (UTC, default
 * every five minutes) pg-boss puts one job on the `subscriptions.expiry-sweep` queue, however many
 * instances run, and one worker runs it. `sweepExpiredSubscriptions` is idempotent besides (row
 * locks with SKIP LOCKED), so a tick run twice by hand still suspends each subscription once.
 * Tests call the sweep directly with a chosen clock, or run the queued tick with runQueuedJobs.
 */
import { defineSchedule } from '../jobs';
import { systemActor } from '../../lib/actor';
import { sweepExpiredSubscriptions } from './service';

export const expirySweepSchedule = defineSchedule({
  name: 'subscriptions.expiry-sweep',
  cron: (config) => config.jobs.expirySweepCron,
  // Each run is its own system actor (its request id names the run in the audit trail).
  run: async (ctx) => {
    const actor = systemActor('expiry-sweep', { log: ctx.log, requestId: `expiry-sweep:${ctx.jobId}` });
    const { suspended } = await sweepExpiredSubscriptions(ctx.db, actor, {
      now: new Date(),
      graceHours: ctx.config.subscriptionGraceHours,
    });
    if (suspended.length > 0) ctx.log.info({ event: 'subscriptions.expired', count: suspended.length }, 'expired subscriptions suspended');
  },
});
