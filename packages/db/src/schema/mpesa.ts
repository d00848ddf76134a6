import { bigint, index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { customers } from './customers';
import { payments } from './payments';
import { users } from './users';

export const mpesaStkStatusEnum = pgEnum('mpesa_stk_status', ['pending', 'paid', 'failed']);

/**
 * One row per STK push (Lipa na M-Pesa Online) a staff member started. Daraja's callback does not
 * echo the account reference, so the callback is matched on `checkoutRequestId` to this row, and
 * the payment goes to the customer recorded here.
 */
export const mpesaStkRequests = pgTable(
  'mpesa_stk_requests',
  {
    id: id(),
    checkoutRequestId: text().notNull(),
    merchantRequestId: text().notNull(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    accountNumber: text().notNull(),
    /** Daraja's spelling (2547XXXXXXXX), as sent. */
    phone: text().notNull(),
    amountCents: bigint({ mode: 'number' }).notNull(),
    status: mpesaStkStatusEnum().notNull().default('pending'),
    /** Daraja's ResultCode (from the callback or a status query), as text: codes are not all numeric. */
    resultCode: text(),
    resultDesc: text(),
    /** MpesaReceiptNumber on success: the payment's reference. */
    receipt: text(),
    paymentId: uuid().references(() => payments.id),
    requestedById: uuid().references(() => users.id),
    /** When the last STK status query was sent (on-demand queries are spaced out). */
    queriedAt: instant(),
    resolvedAt: instant(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('mpesa_stk_requests_checkout_key').on(t.checkoutRequestId),
    index('mpesa_stk_requests_customer_idx').on(t.customerId, t.createdAt),
    index('mpesa_stk_requests_pending_idx').on(t.status, t.createdAt),
  ],
);

/**
 * Daraja's OAuth token, shared by every instance when there is no Redis: a new token invalidates
 * the previous one, so instances must not each fetch their own. Sealed with APP_ENCRYPTION_KEY.
 */
export const mpesaOauthTokens = pgTable('mpesa_oauth_tokens', {
  /** Which credentials (a hash of the consumer key and the base URL): one row per Daraja app. */
  key: text().primaryKey(),
  sealedToken: text(),
  expiresAt: instant(),
  updatedAt: updatedAt(),
});
