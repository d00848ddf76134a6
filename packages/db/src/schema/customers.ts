import { sql } from 'drizzle-orm';
import { bigint, boolean, index, pgEnum, pgSequence, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { leads } from './leads';
import { users } from './users';

export const customerStatusEnum = pgEnum('customer_status', ['active', 'suspended', 'inactive']);

/** Feeds account numbers NF-000001, NF-000002, … (what customers type as M-Pesa BillRefNumber). */
export const customerAccountSeq = pgSequence('customer_account_seq', { startWith: 1 });

export const customers = pgTable(
  'customers',
  {
    id: id(),
    accountNumber: text()
      .notNull()
      .default(sql`'NF-' || lpad(nextval('customer_account_seq')::text, 6, '0')`),
    name: text().notNull(),
    phone: text().notNull(),
    email: text(),
    address: text(),
    location: text(),
    /** Free-text notes for staff (access instructions, preferred contact times …). */
    notes: text(),
    status: customerStatusEnum().notNull().default('active'),
    balanceCents: bigint({ mode: 'number' }).notNull().default(0),
    /** The lead this customer was converted from; unique, so a lead converts once. */
    leadId: uuid().references(() => leads.id),
    /** The customer asked for no SMS: messages are recorded as skipped, never sent (who and when below). */
    smsOptOut: boolean().notNull().default(false),
    smsOptOutAt: instant(),
    smsOptOutById: uuid().references(() => users.id),
    createdById: uuid().references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('customers_account_number_key').on(t.accountNumber),
    uniqueIndex('customers_lead_key').on(t.leadId),
    index('customers_status_created_idx').on(t.status, t.createdAt, t.id),
    index('customers_created_idx').on(t.createdAt, t.id),
    index('customers_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('customers_phone_trgm_idx').using('gin', t.phone.op('gin_trgm_ops')),
    index('customers_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
    index('customers_account_trgm_idx').using('gin', t.accountNumber.op('gin_trgm_ops')),
  ],
);
