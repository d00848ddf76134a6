/**
 * What makes a message: billing's domain events (a receipt per applied payment, a notice per
 * suspension and restoration) and the reminder schedule (one per subscription per expiry date).
 * Listeners run on the billing transaction, so a message exists exactly when its cause committed.
 */
import { smsMessages, subscriptions, type Database } from '@netflow/db';
import { and, asc, eq, gt, lte, notExists, sql } from 'drizzle-orm';
import type { SmsConfig } from '../../config';
import type { DomainEvent, EventActor } from '../../lib/events';
import { systemActor } from '../../lib/actor';
import { formatKes } from '../subscriptions';
import { queueMessage } from './messages';
import { eatDay, formatEatDate } from './variables';

type EventOf<T extends DomainEvent['type']> = Extract<DomainEvent, { type: T }>;

/** `payment.applied` → a receipt, keyed by the payment (a second delivery of the event is a no-op). */
export async function receiptOnPayment(tx: Database, actor: EventActor, event: EventOf<'payment.applied'>): Promise<void> {
  await queueMessage(tx, actor, {
    customerId: event.customerId,
    templateKey: 'receipt',
    eventKey: `receipt:${event.paymentId}`,
    values: {
      amount: formatKes(event.amountCents),
      balance: formatKes(event.balanceCents),
      ...(event.renewedUntil ? { expiry: formatEatDate(event.renewedUntil) } : {}),
    },
  });
}

/**
 * `subscription.changed`: `suspended` → suspension notice (keyed by the suspension's time),
 * `restored` → restoration notice (keyed by the restoring change's time). Activation, renewal and
 * cancellation send nothing (a renewal's receipt already says it).
 */
export async function noticeOnServiceChange(tx: Database, actor: EventActor, event: EventOf<'subscription.changed'>): Promise<void> {
  if (event.change !== 'suspended' && event.change !== 'restored') return;
  const [sub] = await tx
    .select({ suspendedAt: subscriptions.suspendedAt, updatedAt: subscriptions.updatedAt })
    .from(subscriptions)
    .where(eq(subscriptions.id, event.subscriptionId))
    .limit(1);
  if (!sub) return;
  const suspension = event.change === 'suspended';
  const at = suspension ? (sub.suspendedAt ?? sub.updatedAt) : sub.updatedAt;
  await queueMessage(tx, actor, {
    customerId: event.customerId,
    templateKey: suspension ? 'suspension' : 'restoration',
    eventKey: `${suspension ? 'suspension' : 'restoration'}:${event.subscriptionId}:${at.toISOString()}`,
    subscriptionId: event.subscriptionId,
  });
}

const REMINDER_BATCH = 200;

const reminderKey = sql`'reminder:' || ${subscriptions.id}::text || ':' || to_char((${subscriptions.expiresAt} at time zone 'UTC') + interval '3 hours', 'YYYY-MM-DD')`;

/**
 * Queues a reminder for every active subscription expiring within `reminderDays` days that has
 * none for its current expiry date (Nairobi calendar date). Safe to run twice or on two instances:
 * the event key is unique, so a second run finds nothing left to queue.
 */
export async function queueReminders(db: Database, sms: Pick<SmsConfig, 'reminderDays'>, now: Date): Promise<{ queued: number }> {
  if (sms.reminderDays <= 0) return { queued: 0 };
  const horizon = new Date(now.getTime() + sms.reminderDays * 24 * 3600 * 1000);
  const actor = systemActor('sms-reminders');
  let queued = 0;
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const due = await db
      .select({ id: subscriptions.id, customerId: subscriptions.customerId, expiresAt: subscriptions.expiresAt })
      .from(subscriptions)
      .where(
        and(
          eq(subscriptions.status, 'active'),
          gt(subscriptions.expiresAt, now),
          lte(subscriptions.expiresAt, horizon),
          gt(subscriptions.id, after),
          notExists(
            db
              .select({ one: sql`1` })
              .from(smsMessages)
              .where(eq(smsMessages.eventKey, reminderKey)),
          ),
        ),
      )
      .orderBy(asc(subscriptions.id))
      .limit(REMINDER_BATCH);
    for (const sub of due) {
      if (!sub.expiresAt) continue;
      const expiresAt = sub.expiresAt;
      const id = await db.transaction((tx) =>
        queueMessage(tx, actor, {
          customerId: sub.customerId,
          templateKey: 'reminder',
          eventKey: `reminder:${sub.id}:${eatDay(expiresAt)}`,
          subscriptionId: sub.id,
        }),
      );
      if (id) queued += 1;
    }
    const last = due.at(-1);
    if (!last || due.length < REMINDER_BATCH) return { queued };
    after = last.id;
  }
}
