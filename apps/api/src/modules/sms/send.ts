/**
 * Sending one queued message (the `sms.send` job). A send first moves the row queued → sending
 * under a row lock (only a `queued` row is ever sent), asks the provider outside any transaction,
 * then records `sent` with the provider's id. A failure that certainly sent nothing puts the row
 * back to `queued` and throws `RetryLater` for the queue's retry; an ambiguous one (a timeout after
 * the request left) ends as `failed` rather than risking a second text (see `mayRetry`).
 */
import { renderSmsTemplate } from '@netflow/contracts';
import { customers, smsMessages, type Database } from '@netflow/db';
import { and, eq, inArray } from 'drizzle-orm';
import type { SmsConfig } from '../../config';
import type { ActorLog } from '../../lib/actor';
import { mayRetry, ProviderError, type SmsProvider } from './providers';
import { templateBody } from './templates';
import { syncTimeline, type MessageRow } from './timeline';

export interface SendContext {
  provider: SmsProvider;
  sms: Pick<SmsConfig, 'paybill' | 'timeoutMs'>;
  lastAttempt: boolean;
  log: ActorLog;
}

export type SendOutcome = 'sent' | 'failed' | 'skipped' | 'nothing-to-do';

/** Thrown to make the queue try again later (the message was certainly not sent). */
export class RetryLater extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RetryLater';
  }
}

async function finish(
  db: Database,
  id: string,
  set: Partial<typeof smsMessages.$inferInsert>,
  from: MessageRow['status'][],
): Promise<MessageRow | null> {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(smsMessages)
      .set(set)
      .where(and(eq(smsMessages.id, id), inArray(smsMessages.status, from)))
      .returning();
    if (row) await syncTimeline(tx, row);
    return row ?? null;
  });
}

/**
 * Sends one queued message (the `sms.send` job). Answers what happened; throws `RetryLater` when a
 * failure that sent nothing should be retried by the queue.
 */
export async function sendMessage(db: Database, messageId: string, ctx: SendContext): Promise<SendOutcome> {
  const claimed = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(smsMessages).where(eq(smsMessages.id, messageId)).for('update');
    if (!row) return { outcome: 'nothing-to-do' as const };
    if (row.status === 'sending') {
      // Another attempt is asking the provider right now, or died while asking (outcome unknown).
      if (row.updatedAt.getTime() > Date.now() - ctx.sms.timeoutMs - 60_000) throw new RetryLater('another attempt is still sending');
      const [failed] = await tx
        .update(smsMessages)
        .set({ status: 'failed', failedAt: new Date(), lastError: 'interrupted while sending; not retried, it may have been delivered' })
        .where(eq(smsMessages.id, row.id))
        .returning();
      if (failed) await syncTimeline(tx, failed);
      return { outcome: 'failed' as const };
    }
    if (row.status !== 'queued') return { outcome: 'nothing-to-do' as const };
    const [customer] = await tx.select({ smsOptOut: customers.smsOptOut }).from(customers).where(eq(customers.id, row.customerId));
    if (customer?.smsOptOut || !row.phone) {
      const [skipped] = await tx
        .update(smsMessages)
        .set({ status: 'skipped', lastError: customer?.smsOptOut ? 'the customer opted out of SMS' : 'no usable phone number' })
        .where(eq(smsMessages.id, row.id))
        .returning();
      if (skipped) await syncTimeline(tx, skipped);
      return { outcome: 'skipped' as const };
    }
    const body = renderSmsTemplate(await templateBody(tx, row.templateKey), { ...row.variables, paybill: ctx.sms.paybill ?? '' });
    const [sending] = await tx
      .update(smsMessages)
      .set({ status: 'sending', body, provider: ctx.provider.name, attempts: row.attempts + 1 })
      .where(eq(smsMessages.id, row.id))
      .returning();
    return { outcome: 'send' as const, row: sending };
  });
  if (claimed.outcome !== 'send' || !claimed.row) return claimed.outcome === 'send' ? 'nothing-to-do' : claimed.outcome;
  const row = claimed.row;

  try {
    const sent = await ctx.provider.send({ to: row.phone ?? '', message: row.body ?? '', reference: row.id });
    // A success outranks an "interrupted" verdict another attempt may have written meanwhile.
    await finish(
      db,
      row.id,
      { status: 'sent', providerMessageId: sent.providerMessageId, cost: sent.cost, sentAt: new Date(), lastError: null, failedAt: null },
      ['sending', 'failed'],
    );
    ctx.log.info({ event: 'sms.sent', messageId: row.id, provider: ctx.provider.name, attempt: row.attempts }, 'SMS sent');
    return 'sent';
  } catch (error) {
    const failure = error instanceof ProviderError ? error.failure : 'unknown';
    const message = error instanceof Error ? error.message : String(error);
    if (mayRetry(ctx.provider, failure) && !ctx.lastAttempt) {
      await finish(db, row.id, { status: 'queued', lastError: message }, ['sending']);
      ctx.log.warn({ event: 'sms.retry', messageId: row.id, attempt: row.attempts, error: message }, 'SMS not sent; will retry');
      throw new RetryLater(`SMS ${row.id} not sent: ${message}`);
    }
    const why = failure === 'unknown' && !mayRetry(ctx.provider, failure) ? `${message}; not retried, it may have been delivered` : message;
    await finish(db, row.id, { status: 'failed', lastError: why, failedAt: new Date() }, ['sending']);
    ctx.log.warn({ event: 'sms.failed', messageId: row.id, attempt: row.attempts, error: why }, 'SMS failed');
    return 'failed';
  }
}
