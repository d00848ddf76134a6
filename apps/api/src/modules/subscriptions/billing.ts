/**
 * The billing rule in numbers (README, "Billing"): service time is bought in whole plan periods from
 * the customer's balance, by a payment (renewal) or by activation, never granted for nothing.
 */

/** One payment or activation buys at most this much service time at once; the rest stays as credit. */
export const MAX_DAYS_AT_ONCE = 1096;

const DAY_MS = 24 * 3600 * 1000;
export const addDays = (from: Date, days: number) => new Date(from.getTime() + days * DAY_MS);

export interface PlanPrice {
  priceCents: number;
  validityDays: number;
}

/** Whole periods of `plan` that a balance pays for: none for a balance short of one price (or negative). */
export function periodsPaidBy(balanceCents: number, plan: PlanPrice): number {
  if (plan.priceCents <= 0 || balanceCents < plan.priceCents) return 0;
  const cap = Math.max(1, Math.floor(MAX_DAYS_AT_ONCE / plan.validityDays));
  return Math.min(Math.floor(balanceCents / plan.priceCents), cap);
}

/** "KES 2,500" for timelines and messages (whole shillings unless there are cents). */
export const formatKes = (cents: number) =>
  `KES ${(cents / 100).toLocaleString('en-KE', { minimumFractionDigits: 0, maximumFractionDigits: 2 })}`;
