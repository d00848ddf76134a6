/**
 * Messages: queued by the domain-event listeners and the reminder schedule (one row per cause, the
 * event key unique, so one event never yields two messages; the job's singleton key is the message
 * id), updated by delivery reports, shown on the customer page and its timeline; and the opt-out.
 */
import {
  can,
  SMS_RECENT_MESSAGES,
  toInternationalPhone,
  type SmsCustomer,
  type SmsMessage,
  type SmsOptOutInput,
  type SmsTemplateKey,
} from '@netflow/contracts';
import { customers, smsMessages, users, type Database } from '@netflow/db';
import { and, desc, eq, ne } from 'drizzle-orm';
import type { Actor, StaffActor } from '../../lib/actor';
import { notFound } from '../../lib/errors';
import { addCustomerActivity } from '../activities';
import { audit } from '../audit';
import { assertCustomerExists } from '../customers';
import { enqueue } from '../jobs';
import { smsSendJob } from './jobs';
import { syncTimeline, timelineBody, timelineData, timelineKind, type MessageRow } from './timeline';
import { customerSnapshot, type SmsValues } from './variables';

export interface QueueRequest {
  customerId: string;
  templateKey: SmsTemplateKey;
  eventKey: string;
  /** Whose plan and expiry the message names (default: the customer's current subscription). */
  subscriptionId?: string;
  /** Values the event knows better than the database (the amount paid, the balance after it). */
  values?: SmsValues;
}

/**
 * Records the message for an event and enqueues its sending, on `tx` (the transaction of the change
 * that caused it). Returns the message id, or null when this event already has its message. A
 * customer who opted out, or whose phone is not a Kenyan mobile number, gets a `skipped` row (shown
 * on the timeline) and no job.
 */
export async function queueMessage(tx: Database, actor: Pick<Actor, 'user'>, request: QueueRequest): Promise<string | null> {
  const snapshot = await customerSnapshot(tx, request.customerId, request.subscriptionId);
  if (!snapshot) return null;
  const phone = toInternationalPhone(snapshot.phone);
  const skipReason = snapshot.smsOptOut ? 'the customer opted out of SMS' : phone ? null : `no usable phone number (${snapshot.phone})`;
  const [row] = await tx
    .insert(smsMessages)
    .values({
      customerId: request.customerId,
      templateKey: request.templateKey,
      eventKey: request.eventKey,
      variables: { ...snapshot.values, ...request.values } as Record<string, string>,
      phone,
      status: skipReason ? 'skipped' : 'queued',
      lastError: skipReason,
    })
    .onConflictDoNothing({ target: smsMessages.eventKey })
    .returning();
  if (!row) return null;
  await addCustomerActivity(tx, actor, row.customerId, timelineBody(row), timelineData(row), timelineKind(row.templateKey));
  if (!skipReason) await enqueue(tx, smsSendJob, { messageId: row.id }, { singletonKey: `sms:${row.id}` });
  return row.id;
}

/** Africa's Talking delivery statuses: final ones move a sent message on, the others are noted. */
const DELIVERY_FINAL: Record<string, 'delivered' | 'failed'> = { Success: 'delivered', Failed: 'failed', Rejected: 'failed' };
export const DELIVERY_STATUSES = ['Sent', 'Submitted', 'Buffered', 'Rejected', 'Success', 'Failed'] as const;

export interface DeliveryReport {
  id: string;
  status: string;
  phoneNumber?: string | undefined;
  networkCode?: string | undefined;
  failureReason?: string | undefined;
}

/** Applies a delivery report; false when no message has that provider id (nothing is recorded). */
export async function recordDeliveryReport(db: Database, report: DeliveryReport): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.select().from(smsMessages).where(eq(smsMessages.providerMessageId, report.id)).limit(1).for('update');
    if (!row) return false;
    const final = DELIVERY_FINAL[report.status];
    // Only a sent message moves on; a late "Buffered" never undoes "delivered".
    const set: Partial<typeof smsMessages.$inferInsert> =
      row.status !== 'sent'
        ? {}
        : final === 'delivered'
          ? { status: 'delivered', deliveredAt: new Date(), deliveryStatus: report.status, failureReason: null }
          : final === 'failed'
            ? {
                status: 'failed',
                failedAt: new Date(),
                deliveryStatus: report.status,
                failureReason: report.failureReason ?? report.status,
              }
            : { deliveryStatus: report.status };
    if (Object.keys(set).length === 0) return true;
    const [updated] = await tx.update(smsMessages).set(set).where(eq(smsMessages.id, row.id)).returning();
    if (updated) await syncTimeline(tx, updated);
    return true;
  });
}

function toMessage(row: MessageRow): SmsMessage {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  return {
    id: row.id,
    customerId: row.customerId,
    templateKey: row.templateKey,
    phone: row.phone,
    body: row.body,
    status: row.status,
    provider: row.provider,
    attempts: row.attempts,
    lastError: row.lastError,
    cost: row.cost,
    deliveryStatus: row.deliveryStatus,
    failureReason: row.failureReason,
    createdAt: row.createdAt.toISOString(),
    sentAt: iso(row.sentAt),
    deliveredAt: iso(row.deliveredAt),
    failedAt: iso(row.failedAt),
  };
}

/** The customer page's SMS panel: the opt-out and (for readers of messages) the recent messages. */
export async function getCustomerSms(db: Database, actor: StaffActor, customerId: string): Promise<SmsCustomer> {
  const [row] = await db
    .select({ optOut: customers.smsOptOut, optOutAt: customers.smsOptOutAt, optOutByName: users.name })
    .from(customers)
    .leftJoin(users, eq(users.id, customers.smsOptOutById))
    .where(eq(customers.id, customerId))
    .limit(1);
  if (!row) throw notFound('Customer');
  // Receipts name amounts paid: only for those who may read payments, as on the timeline.
  const receipts = can(actor.user.role, 'payments.read');
  const messages = can(actor.user.role, 'sms.read')
    ? (
        await db
          .select()
          .from(smsMessages)
          .where(and(eq(smsMessages.customerId, customerId), receipts ? undefined : ne(smsMessages.templateKey, 'receipt')))
          .orderBy(desc(smsMessages.createdAt), desc(smsMessages.id))
          .limit(SMS_RECENT_MESSAGES)
      ).map(toMessage)
    : null;
  return { customerId, optOut: row.optOut, optOutAt: row.optOutAt?.toISOString() ?? null, optOutByName: row.optOutByName, messages };
}

/** Switches a customer's SMS opt-out (timeline entry and audit row); nothing is written when unchanged. */
export async function setOptOut(db: Database, actor: StaffActor, input: SmsOptOutInput): Promise<SmsCustomer> {
  await assertCustomerExists(db, input.customerId);
  await db.transaction(async (tx) => {
    const [current] = await tx
      .select({ optOut: customers.smsOptOut })
      .from(customers)
      .where(eq(customers.id, input.customerId))
      .for('update');
    if (!current) throw notFound('Customer');
    if (current.optOut === input.optOut) return;
    await tx
      .update(customers)
      .set(
        input.optOut
          ? { smsOptOut: true, smsOptOutAt: new Date(), smsOptOutById: actor.user.id }
          : { smsOptOut: false, smsOptOutAt: null, smsOptOutById: null },
      )
      .where(eq(customers.id, input.customerId));
    await addCustomerActivity(
      tx,
      actor,
      input.customerId,
      input.optOut ? 'Opted out of SMS: no automatic messages will be sent' : 'Opted back in to SMS',
      { smsOptOut: input.optOut },
      'sms',
    );
    await audit(tx, actor, {
      action: 'customer.sms_opt_out',
      entityType: 'customer',
      entityId: input.customerId,
      changes: { smsOptOut: { from: current.optOut, to: input.optOut } },
    });
  });
  return getCustomerSms(db, actor, input.customerId);
}
