import { bigint, boolean, index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './_columns';
import { customers } from './customers';
import { subscriptions } from './subscriptions';
import { users } from './users';

export const paymentMethodEnum = pgEnum('payment_method', ['mpesa', 'cash', 'bank']);
export const paymentStatusEnum = pgEnum('payment_status', ['applied', 'unmatched', 'reversed']);

export const payments = pgTable(
  'payments',
  {
    id: id(),
    method: paymentMethodEnum().notNull(),
    /** External reference (M-Pesa TransID, bank slip, receipt no.); unique per method. */
    reference: text().notNull(),
    amountCents: bigint({ mode: 'number' }).notNull(),
    /** What the payer typed (BillRefNumber); matched against customers.account_number. */
    accountReference: text(),
    payerName: text(),
    payerPhone: text(),
    customerId: uuid().references(() => customers.id),
    subscriptionId: uuid().references(() => subscriptions.id),
    status: paymentStatusEnum().notNull(),
    paidAt: instant().notNull().defaultNow(),
    recordedById: uuid().references(() => users.id),
    reversedAt: instant(),
    reversedById: uuid().references(() => users.id),
    reversalReason: text(),
    /*
     * What applying the payment did, kept on the payment so a reversal undoes exactly that (never read
     * back from the audit trail). Null `appliedAt` on an applied payment: inserted by an import or the
     * demo seed, without an application record.
     */
    appliedAt: instant(),
    /** Net change of the customer's balance: the amount minus what its renewal spent. */
    balanceDeltaCents: bigint({ mode: 'number' }),
    /** Whole plan periods its renewal bought, and the days they added to `subscriptionId`'s expiry. */
    renewalPeriods: integer(),
    renewalDays: integer(),
    /** The subscription's expiry before this payment's renewal. */
    expiresBefore: instant(),
    /** Its renewal re-activated a suspended subscription. */
    reactivated: boolean(),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('payments_method_reference_key').on(t.method, t.reference),
    index('payments_customer_paid_idx').on(t.customerId, t.paidAt),
    index('payments_status_paid_idx').on(t.status, t.paidAt, t.id),
    index('payments_paid_idx').on(t.paidAt, t.id),
    index('payments_reference_trgm_idx').using('gin', t.reference.op('gin_trgm_ops')),
  ],
);
