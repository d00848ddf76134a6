/**
 * Runs the subscription expiry sweep on a timer for as long as the server runs: once when the
 * server is ready, then every few minutes, stopped (and awaited) on close. Every instance may run
 * it; `sweepExpiredSubscriptions` is safe to run concurrently. Off under NODE_ENV=test, where tests
 * call the sweep directly with a chosen clock.
 */
import type { FastifyInstance } from 'fastify';
import { runPeriodically } from '../../lib/periodic';
import { systemActor } from '../../lib/actor';
import { sweepExpiredSubscriptions } from './service';

export const EXPIRY_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

export interface ExpirySweepOptions {
  /** Defaults to on, except under NODE_ENV=test. */
  enabled?: boolean;
  intervalMs?: number;
}

export default async function expirySweepPlugin(app: FastifyInstance, opts: ExpirySweepOptions) {
  const { db, config } = app.services;
  if (!(opts.enabled ?? config.env !== 'test')) return;
  runPeriodically(app, {
    name: 'subscription expiry sweep',
    intervalMs: opts.intervalMs ?? EXPIRY_SWEEP_INTERVAL_MS,
    // Each run is its own system actor (its request id names the run in the audit trail).
    run: async () => {
      const { suspended } = await sweepExpiredSubscriptions(db, systemActor('expiry-sweep', { log: app.log }), {
        now: new Date(),
        graceHours: config.subscriptionGraceHours,
      });
      if (suspended.length > 0)
        app.log.info({ event: 'subscriptions.expired', count: suspended.length }, 'expired subscriptions suspended');
    },
  });
}
