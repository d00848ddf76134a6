import { index, integer, pgEnum, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { customers } from './customers';
import { plans } from './plans';
import { routers } from './routers';

/** Whether the router agrees with the CRM: `pending` while a provisioning job is due, `failed` after an error. */
export const provisioningStateEnum = pgEnum('provisioning_state', ['synced', 'pending', 'failed']);

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
    /** The router that serves this subscription; null: not managed by the CRM. */
    routerId: uuid().references(() => routers.id),
    /** The PPP secret / hotspot user password, sealed (aad `subscription:<id>:service-password`). */
    servicePasswordSealed: text(),
    /** When the current service password was shown (once) to staff; null: not shown yet. */
    servicePasswordShownAt: instant(),
    provisioningState: provisioningStateEnum(),
    provisioningError: text(),
    provisioningAttempts: integer().notNull().default(0),
    /** Bumped by every change the router must hear about, so a job that read an older one runs again. */
    provisioningGeneration: integer().notNull().default(0),
    provisionedAt: instant(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('subscriptions_pppoe_username_key').on(t.pppoeUsername),
    index('subscriptions_customer_idx').on(t.customerId, t.createdAt),
    index('subscriptions_status_expires_idx').on(t.status, t.expiresAt),
    index('subscriptions_created_idx').on(t.createdAt, t.id),
    index('subscriptions_router_idx').on(t.routerId),
  ],
);
