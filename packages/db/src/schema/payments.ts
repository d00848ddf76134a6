import { bigint, index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
