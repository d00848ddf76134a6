/**
 * Subscriptions: a customer × plan with a PPPoE username, start and expiry. Owns creation,
 * activation, suspension, restoration, cancellation, renewal by payment (called by the payments
 * service inside its transaction) and the customer status that follows from them.
 */
import { activities, customers, plans, subscriptions, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { isUniqueViolation } from '../../lib/pg-errors';
import { audit } from '../../trpc/audit';
import type { Context } from '../../trpc/context';

export type AuditContext = Pick<Context, 'user' | 'ip' | 'requestId'>;
export type SubscriptionRow = typeof subscriptions.$inferSelect;

export interface CreateSubscriptionFields {
  customerId: string;
  planId: string;
  pppoeUsername?: string;
}

/**
 * Creates a `pending` subscription (provisioning activates it). Runs on the caller's transaction
 * or handle: lead conversion calls it inside its own transaction.
 */
export async function createSubscription(
  tx: Database,
  ctx: AuditContext,
  input: CreateSubscriptionFields,
): Promise<SubscriptionRow> {
  const [plan] = await tx
    .select({ id: plans.id, name: plans.name, active: plans.active })
    .from(plans)
    .where(eq(plans.id, input.planId))
    .limit(1);
  if (!plan) throw new TRPCError({ code: 'NOT_FOUND', message: 'Plan not found' });
  if (!plan.active) throw new TRPCError({ code: 'BAD_REQUEST', message: 'This plan is no longer offered' });

  const [customer] = await tx
    .select({ id: customers.id })
    .from(customers)
    .where(eq(customers.id, input.customerId))
    .limit(1);
  if (!customer) throw new TRPCError({ code: 'NOT_FOUND', message: 'Customer not found' });

  const pppoeUsername = input.pppoeUsername?.trim().toLowerCase();
  if (pppoeUsername) await assertUsernameFree(tx, pppoeUsername);

  let row: SubscriptionRow | undefined;
  try {
    // A savepoint, so a lost race on the username does not poison the caller's transaction.
    row = await tx.transaction(async (sp) => {
      const [inserted] = await sp
        .insert(subscriptions)
        .values({ customerId: customer.id, planId: plan.id, status: 'pending', pppoeUsername: pppoeUsername ?? null })
        .returning();
      return inserted;
    });
  } catch (error) {
    if (isUniqueViolation(error, 'subscriptions_pppoe_username_key')) throw usernameTaken();
    throw error;
  }
  if (!row) throw new Error('subscription insert returned nothing');

  await audit(tx, ctx, {
    action: 'subscription.create',
    entityType: 'subscription',
    entityId: row.id,
    changes: { customerId: row.customerId, planId: row.planId, status: row.status, pppoeUsername: row.pppoeUsername },
  });
  await addCustomerActivity(tx, ctx, row.customerId, `Subscription to ${plan.name} created (pending activation)`, {
    subscriptionId: row.id,
    planId: plan.id,
  });
  return row;
}

const usernameTaken = () => new TRPCError({ code: 'CONFLICT', message: 'That PPPoE username is already in use' });

async function assertUsernameFree(tx: Database, username: string) {
  const [taken] = await tx
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(eq(subscriptions.pppoeUsername, username))
    .limit(1);
  if (taken) throw usernameTaken();
}

/** A timeline entry on the customer, written in the same transaction as the change it describes. */
export async function addCustomerActivity(
  tx: Database,
  ctx: AuditContext,
  customerId: string,
  body: string,
  data: Record<string, unknown>,
  kind: 'subscription' | 'payment' | 'ticket' = 'subscription',
) {
  await tx.insert(activities).values({ customerId, kind, body, data, actorId: ctx.user?.id ?? null });
}
