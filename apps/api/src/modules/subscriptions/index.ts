/**
 * The subscriptions module's face: creation inside another module's transaction (lead conversion),
 * renewal and customer status for the payments module, the billing rule's arithmetic, the sweep.
 */
export { MAX_DAYS_AT_ONCE, addDays, formatKes, periodsPaidBy, type PlanPrice } from './billing';
export {
  auditCustomerStatus,
  createSubscription,
  getSubscription,
  renewSubscription,
  sweepExpiredSubscriptions,
  syncCustomerStatus,
  type ChangeActor,
  type CreateSubscriptionFields,
  type CustomerStatusChange,
  type RenewalEffect,
  type SubscriptionRow,
  type SweepResult,
} from './service';
export { expirySweepSchedule } from './expiry-sweep';
export { listSubscriptionQueue, subscriptionsExport } from './queue';
