import { index, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { customers } from './customers';
import { plans } from './plans';

export const subscriptionStatusEnum = pgEnum('subscription_status', ['pending', 'active', 'suspended', 'cancelled']);

export const subscriptions = pgTable(
  'subscriptions',
  {
    id: id(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    planId: uuid()
      .notNull()
      .references(() => plans.id),
    status: subscriptionStatusEnum().notNull().default('pending'),
    pppoeUsername: text(),
    startsAt: instant(),
    expiresAt: instant(),
    suspendedAt: instant(),
    cancelledAt: instant(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('subscriptions_pppoe_username_key').on(t.pppoeUsername),
    index('subscriptions_customer_idx').on(t.customerId, t.createdAt),
    index('subscriptions_status_expires_idx').on(t.status, t.expiresAt),
    index('subscriptions_created_idx').on(t.createdAt, t.id),
  ],
);
