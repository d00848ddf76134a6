/**
 * Schemas of the dashboard module. Each figure is null when the caller's role may not read what
 * it is computed from (e.g. revenue without payments.read), so the client can hide it.
 */
import { z } from 'zod';

const count = z.number().int().nonnegative();

export const dashboardSummarySchema = z.object({
  /** Leads per pipeline stage, within the caller's lead scope (sales: own + unassigned). */
  leadsByStage: z.object({ new: count, contacted: count, qualified: count, won: count, lost: count }).nullable(),
  /** Of the leads created in the last 30 days, how many are won; `rate` is null when there were none. */
  conversion30d: z.object({ created: count, won: count, rate: z.number().min(0).max(1).nullable() }).nullable(),
  subscriptions: z.object({ active: count, suspended: count }).nullable(),
  /** Active subscriptions expiring within the next 7 days. */
  expiringWithin7Days: count.nullable(),
  /** Sum of applied payments paid since the start of this month (UTC), in cents (KES). */
  revenueThisMonthCents: z.number().int().nonnegative().nullable(),
  /** Applied payments per UTC day over the last 30 days (oldest first, every day present), in cents. */
  revenueByDay: z.array(z.object({ day: z.iso.date(), cents: count })).nullable(),
  /** Tickets not resolved or closed, per priority, within the caller's ticket scope. */
  openTicketsByPriority: z.object({ low: count, normal: count, high: count, urgent: count }).nullable(),
  generatedAt: z.string(),
});
export type DashboardSummary = z.infer<typeof dashboardSummarySchema>;
