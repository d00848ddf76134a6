/** The one timeline entry each message has, kept in step with the message's status. */
import { SMS_TEMPLATE_LABELS, type SmsTemplateKey } from '@netflow/contracts';
import { activities, type smsMessages, type Database } from '@netflow/db';
import { and, eq, inArray, sql } from 'drizzle-orm';

export type MessageRow = typeof smsMessages.$inferSelect;

const label = (key: SmsTemplateKey) => SMS_TEMPLATE_LABELS[key];

/** The timeline text of a message in its current status. */
export function timelineBody(row: Pick<MessageRow, 'templateKey' | 'status' | 'phone' | 'body' | 'lastError' | 'failureReason'>): string {
  const what = `${label(row.templateKey)} SMS`;
  const text = row.body ? `: "${row.body}"` : '';
  switch (row.status) {
    case 'queued':
    case 'sending':
      return `${what} queued for ${row.phone ?? 'no number'}`;
    case 'sent':
      return `${what} sent to ${row.phone}${text}`;
    case 'delivered':
      return `${what} delivered to ${row.phone}${text}`;
    case 'failed':
      return `${what} to ${row.phone ?? 'no number'} failed (${row.failureReason ?? row.lastError ?? 'unknown error'})${text}`;
    case 'skipped':
      return `${what} not sent: ${row.lastError ?? 'skipped'}`;
  }
}

/**
 * A receipt names the amount paid, so its entry is a payment event (read with payments.read, like
 * the payment itself); the other messages are SMS events (sms.read).
 */
export function timelineKind(templateKey: SmsTemplateKey): 'sms' | 'payment' {
  return templateKey === 'receipt' ? 'payment' : 'sms';
}

export function timelineData(row: MessageRow): Record<string, unknown> {
  return { smsMessageId: row.id, templateKey: row.templateKey, status: row.status, phone: row.phone };
}

/** Keeps the message's one timeline entry in step with its status. */
export async function syncTimeline(tx: Database, row: MessageRow): Promise<void> {
  await tx
    .update(activities)
    .set({ body: timelineBody(row), data: timelineData(row) })
    .where(
      and(
        eq(activities.customerId, row.customerId),
        inArray(activities.kind, ['sms', 'payment']),
        sql`${activities.data} ->> 'smsMessageId' = ${row.id}`,
      ),
    );
}
