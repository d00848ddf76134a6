import { sql } from 'drizzle-orm';
import { check, index, integer, jsonb, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, instant, updatedAt } from './_columns';
import { customers } from './customers';
import { users } from './users';

export const smsTemplateKeyEnum = pgEnum('sms_template_key', ['receipt', 'reminder', 'suspension', 'restoration']);

/**
 * queued → sending → sent → delivered, or failed; skipped when nothing may be sent (opted out, no
 * usable phone). `sending` is held only while the provider is being asked, so a row found in it by
 * a later attempt means that attempt's outcome is unknown.
 */
export const smsStatusEnum = pgEnum('sms_status', ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped']);

/** The text of each automatic message; a missing row means the built-in default (created on first read). */
export const smsTemplates = pgTable('sms_templates', {
  key: smsTemplateKeyEnum().primaryKey(),
  body: text().notNull(),
  updatedById: uuid().references(() => users.id),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

/** Every message the system sends (or decided not to send), one row per cause. */
export const smsMessages = pgTable(
  'sms_messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    templateKey: smsTemplateKeyEnum().notNull(),
    /**
     * What caused it (`receipt:<paymentId>`, `suspension:<subscriptionId>:<suspendedAt>`,
     * `reminder:<subscriptionId>:<expiry date>` …): unique, so one event never yields two messages.
     */
    eventKey: text().notNull(),
    /** Placeholder values captured when the event happened; the body is rendered when sent. */
    variables: jsonb().$type<Record<string, string>>().notNull(),
    /** +2547… as sent; null when the customer's phone is not a usable Kenyan number. */
    phone: text(),
    body: text(),
    status: smsStatusEnum().notNull().default('queued'),
    /** Which provider took it (log, africastalking, http). */
    provider: text(),
    providerMessageId: text(),
    /** Provider attempts made (each one a request to the gateway). */
    attempts: integer().notNull().default(0),
    lastError: text(),
    /** As the provider reports it, e.g. "KES 0.8000". */
    cost: text(),
    /** The provider's last delivery report status (Success, Failed, Buffered …) and reason. */
    deliveryStatus: text(),
    failureReason: text(),
    sentAt: instant(),
    deliveredAt: instant(),
    failedAt: instant(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('sms_messages_event_key').on(t.eventKey),
    index('sms_messages_customer_idx').on(t.customerId, t.createdAt),
    index('sms_messages_provider_id_idx').on(t.providerMessageId),
    check('sms_messages_attempts_nonnegative', sql`${t.attempts} >= 0`),
  ],
);
