/**
 * The `provision.subscription` job and the listener that enqueues it. The payload is the
 * subscription id and the change that caused it (never a password); the job applies whatever the
 * subscription's state is when it runs.
 */
import type { Database } from '@netflow/db';
import { z } from 'zod';
import { systemActor } from '../../lib/actor';
import type { DomainEvent, EventActor } from '../../lib/events';
import { defineJob, enqueue } from '../jobs';
import { markPending, provisionSubscription } from './provisioning';

export const provisionJob = defineJob({
  name: 'provision.subscription',
  schema: z.object({ subscriptionId: z.uuid(), change: z.string().max(32) }),
  // 30 s, 1 min, 2 min … ≈ 2 h in all: a router rebooting or a link flapping is ridden out.
  retryLimit: 8,
  retryDelaySeconds: 30,
  retryBackoff: true,
  async run(data, ctx) {
    const actor = systemActor('provisioning', { requestId: `job:${ctx.jobId}`, log: ctx.log });
    const outcome = await provisionSubscription(ctx.db, data.subscriptionId, { config: ctx.config, actor, log: ctx.log });
    // Thrown so the queue retries with backoff; the subscription already shows `failed` and why.
    if (outcome.state === 'failed') throw new Error(`provisioning failed: ${outcome.error}`);
  },
});

/** One job per subscription and cause while it is unfinished (one event never yields two jobs). */
export function enqueueProvisioning(tx: Database, subscriptionId: string, change: string) {
  return enqueue(tx, provisionJob, { subscriptionId, change }, { singletonKey: `provision:${subscriptionId}:${change}` });
}

/** `subscription.changed` → pending + a job, on billing's transaction (wired in src/wiring.ts). */
export async function provisionOnChange(
  tx: Database,
  _actor: EventActor,
  event: Extract<DomainEvent, { type: 'subscription.changed' }>,
): Promise<void> {
  if (await markPending(tx, event)) await enqueueProvisioning(tx, event.subscriptionId, event.change);
}
