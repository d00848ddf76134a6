/**
 * Runs the subscription expiry sweep on a timer for as long as the server runs: once when the
 * server is ready, then every few minutes, stopped (and awaited) on close. Every instance may run
 * it; `sweepExpiredSubscriptions` is safe to run concurrently. Off under NODE_ENV=test, where tests
 * call the sweep directly with a chosen clock.
 */
import type { FastifyInstance } from 'fastify';
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
  const intervalMs = opts.intervalMs ?? EXPIRY_SWEEP_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const runOnce = () => {
    // A slow sweep is never overlapped by the next tick of the same instance.
    // Each run is its own system actor (its request id names the run in the audit trail).
    running ??= sweepExpiredSubscriptions(db, systemActor('expiry-sweep', { log: app.log }), {
      now: new Date(),
      graceHours: config.subscriptionGraceHours,
    })
      .then(({ suspended }) => {
        if (suspended.length > 0) app.log.info({ event: 'subscriptions.expired', count: suspended.length }, 'expired subscriptions suspended');
      })
      .catch((error: unknown) => app.log.error({ err: error }, 'subscription expiry sweep failed'))
      .finally(() => {
        running = null;
      });
    return running;
  };

  app.addHook('onReady', async () => {
    void runOnce();
    timer = setInterval(() => void runOnce(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });
}
