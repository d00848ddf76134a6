/**
 * The STK status query as a job: queued with every push (on its transaction) to run a few minutes
 * later, so a push whose callback never arrives is still resolved. Daraja still saying "being
 * processed", or not answering, is retried with backoff; after the last attempt the push is marked
 * failed with a message sending staff to the statement, never left pending for ever.
 */
import { mpesaStkRequests } from '@netflow/db';
import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { systemActor } from '../../lib/actor';
import { defineJob, enqueue } from '../jobs';
import { darajaClientFor } from './clients';
import { onStkStarted, queryStkPush } from './service';

/** Seconds after the push: Daraja gives the customer about a minute to answer the prompt. */
export const STK_QUERY_DELAY_SECONDS = 180;

export const NEVER_CONFIRMED =
  'M-Pesa never confirmed this request; check the M-Pesa statement (pnpm mpesa:reconcile) before asking the customer again';

export const stkQueryJob = defineJob({
  name: 'mpesa.stk-query',
  schema: z.object({ checkoutRequestId: z.string().min(1).max(100) }),
  retryLimit: 5,
  retryDelaySeconds: 60,
  retryBackoff: true,
  async run({ checkoutRequestId }, ctx) {
    const [row] = await ctx.db.select().from(mpesaStkRequests).where(eq(mpesaStkRequests.checkoutRequestId, checkoutRequestId));
    if (!row || row.status !== 'pending') return;
    const daraja = darajaClientFor(ctx.config, ctx.db);
    if (!daraja) return;
    const actor = systemActor('mpesa', { requestId: `job:${ctx.jobId}`, log: ctx.log });
    let after = row;
    try {
      after = (await queryStkPush(ctx.db, actor, daraja, checkoutRequestId)) ?? row;
    } catch (error) {
      if (!ctx.lastAttempt) throw error;
      ctx.log.warn({ err: error, checkoutRequestId }, 'STK status query failed on its last attempt');
    }
    if (after.status !== 'pending') return;
    if (!ctx.lastAttempt) throw new Error('STK push still pending at Daraja');
    await ctx.db
      .update(mpesaStkRequests)
      .set({ status: 'failed', resultCode: null, resultDesc: NEVER_CONFIRMED, resolvedAt: new Date() })
      .where(and(eq(mpesaStkRequests.id, row.id), eq(mpesaStkRequests.status, 'pending')));
  },
});

/** Registered by wiring.ts: every STK push queues its status query on the push's transaction. */
export function wireMpesa(): void {
  onStkStarted(scheduleStkQuery);
}

async function scheduleStkQuery(tx: Parameters<Parameters<typeof onStkStarted>[0]>[0], row: { checkoutRequestId: string }) {
  await enqueue(
    tx,
    stkQueryJob,
    { checkoutRequestId: row.checkoutRequestId },
    { startAfterSeconds: STK_QUERY_DELAY_SECONDS, singletonKey: `stk-query:${row.checkoutRequestId}` },
  );
}
