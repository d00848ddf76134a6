/** Schemas of the subscriptions module: a customer × plan with a PPPoE username, start and expiry. */
import { z } from 'zod';
import { idSchema, isoDateTime, pageInput, pageOf, searchSchema } from './common';
import { provisioningStateSchema } from './routers';

export const SUBSCRIPTION_STATUSES = ['pending', 'active', 'suspended', 'cancelled'] as const;
export const subscriptionStatusSchema = z.enum(SUBSCRIPTION_STATUSES);
export type SubscriptionStatus = z.infer<typeof subscriptionStatusSchema>;

/**
 * Legal status moves (activation, suspension, restoration, cancellation). A renewal by payment also
 * takes `suspended → active`; `cancelled` is final.
 */
export const SUBSCRIPTION_TRANSITIONS: Readonly<Record<SubscriptionStatus, readonly SubscriptionStatus[]>> = {
  pending: ['active', 'cancelled'],
  active: ['suspended', 'cancelled'],
  suspended: ['active', 'cancelled'],
  cancelled: [],
};

/** What MikroTik accepts as a PPP secret name, kept simple: lower-case letters, digits, `.`, `_`, `-`. */
export const pppoeUsernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(
    z
      .string()
      .min(3, { error: 'At least 3 characters' })
      .max(32, { error: 'At most 32 characters' })
      .regex(/^[a-z0-9][a-z0-9._-]*$/, { error: 'Use letters, digits, ".", "_" or "-"' }),
  );

export const subscriptionSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string(),
  accountNumber: z.string(),
  planId: z.uuid(),
  planName: z.string(),
  status: subscriptionStatusSchema,
  pppoeUsername: z.string().nullable(),
  startsAt: z.string().nullable(),
  /**
   * End of the paid service time. Activation buys whole periods from the customer's balance; with
   * less than one period there, `expiresAt` equals `startsAt` (active, awaiting payment: lapsed from
   * the start, suspended after the grace period unless a payment renews it).
   */
  expiresAt: z.string().nullable(),
  suspendedAt: z.string().nullable(),
  cancelledAt: z.string().nullable(),
  /** The router serving it; null: not managed by the CRM (provisioning stays null too). */
  routerId: z.uuid().nullable(),
  routerName: z.string().nullable(),
  /** Whether the router agrees: `pending` while a job is due, `failed` with the router's message. */
  provisioningState: provisioningStateSchema.nullable(),
  provisioningError: z.string().nullable(),
  provisioningAttempts: z.number().int(),
  provisionedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Subscription = z.infer<typeof subscriptionSchema>;

export const createSubscriptionInput = z.object({
  customerId: idSchema,
  planId: idSchema,
  pppoeUsername: pppoeUsernameSchema.optional(),
  /** The router that will serve it (may also be chosen at activation). */
  routerId: idSchema.optional(),
});
export type CreateSubscriptionInput = z.infer<typeof createSubscriptionInput>;

/** activate / suspend / restore / cancel: the subscription and an optional note for the audit trail. */
export const subscriptionActionInput = z.object({
  id: idSchema,
  reason: z.string().trim().max(500).optional(),
});

/** Activation may name the router (when the subscription has none yet or moves). */
export const activateSubscriptionInput = subscriptionActionInput.extend({ routerId: idSchema.optional() });

/**
 * The activation answer: the subscription, plus its service password when the CRM generated one
 * for a router-managed subscription. Shown this once; lists and reads never carry it.
 */
export const activatedSubscriptionSchema = subscriptionSchema.extend({ servicePassword: z.string().nullable() });

export const SUBSCRIPTION_SORTS = ['createdAt', 'expiresAt'] as const;
export const subscriptionSortSchema = z.enum(SUBSCRIPTION_SORTS);

export const listSubscriptionsInput = pageInput.extend({
  status: subscriptionStatusSchema.optional(),
  customerId: idSchema.optional(),
  planId: idSchema.optional(),
  /** Only subscriptions expiring within [expiresFrom, expiresTo). */
  expiresFrom: isoDateTime.optional(),
  expiresTo: isoDateTime.optional(),
  /** Over PPPoE username, account number and customer name. */
  search: searchSchema,
  sort: subscriptionSortSchema.default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type ListSubscriptionsInput = z.infer<typeof listSubscriptionsInput>;

export const subscriptionPageSchema = pageOf(subscriptionSchema);

/**
 * The working lists of the Subscriptions page: `expiring` (active, expiring within 7 days),
 * `lapsed` (active past their expiry: in the grace period, or awaiting payment), `suspended`, and
 * `pending` (awaiting installation: the technicians' queue).
 */
export const SUBSCRIPTION_VIEWS = ['expiring', 'lapsed', 'suspended', 'pending'] as const;
export const subscriptionViewSchema = z.enum(SUBSCRIPTION_VIEWS);
export type SubscriptionView = z.infer<typeof subscriptionViewSchema>;
/** How far ahead `expiring` looks. */
export const EXPIRING_WITHIN_DAYS = 7;

export const subscriptionQueueFilterInput = z.object({
  view: subscriptionViewSchema,
  /** Over the customer's name, account number and phone (any Kenyan spelling). */
  search: searchSchema,
});
export type SubscriptionQueueFilterInput = z.infer<typeof subscriptionQueueFilterInput>;
export const subscriptionQueueInput = pageInput.merge(subscriptionQueueFilterInput);
export type SubscriptionQueueInput = z.infer<typeof subscriptionQueueInput>;

export const subscriptionQueueItemSchema = subscriptionSchema.extend({
  customerPhone: z.string(),
  customerAddress: z.string().nullable(),
  balanceCents: z.number().int(),
  /** Who works the customer's most recent open ticket (e.g. the installation), if anyone. */
  assigneeName: z.string().nullable(),
});
export type SubscriptionQueueItem = z.infer<typeof subscriptionQueueItemSchema>;
export const subscriptionQueuePageSchema = pageOf(subscriptionQueueItemSchema);
