/**
 * The values a template's placeholders take: captured from the database (and the event) when a
 * message is queued, so a receipt says what the payment did even if it is sent a minute later.
 */
import type { SmsPlaceholder } from '@netflow/contracts';
import { customers, plans, subscriptions, type Database } from '@netflow/db';
import { and, desc, eq, ne, sql } from 'drizzle-orm';
import { formatKes } from '../subscriptions';

export type SmsValues = Partial<Record<SmsPlaceholder, string>>;

const eatDate = new Intl.DateTimeFormat('en-GB', { timeZone: 'Africa/Nairobi', day: '2-digit', month: 'short', year: 'numeric' });

/** A date as customers read it: Nairobi time, e.g. "05 Dec 2026". */
export function formatEatDate(value: Date | string): string {
  return eatDate.format(typeof value === 'string' ? new Date(value) : value);
}

/** The calendar date in Nairobi (YYYY-MM-DD), used in event keys ("one reminder per expiry date"). */
export function eatDay(value: Date | string): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Date(date.getTime() + 3 * 3600 * 1000).toISOString().slice(0, 10);
}

/** What the editor's preview shows when no customer is chosen. */
export const SAMPLE_VALUES: Required<Omit<SmsValues, 'paybill'>> = {
  name: 'Jane Wanjiku',
  account: 'NF-000123',
  amount: formatKes(150_000),
  balance: formatKes(20_000),
  plan: 'Home 10 Mbps',
  expiry: formatEatDate(new Date(Date.UTC(2026, 11, 5, 9))),
};

export interface CustomerSnapshot {
  id: string;
  name: string;
  phone: string;
  smsOptOut: boolean;
  values: SmsValues;
}

/**
 * The customer's name, account and balance, and the plan and expiry of `subscriptionId` (or of
 * their current subscription: active first, then the newest that is not cancelled).
 */
export async function customerSnapshot(db: Database, customerId: string, subscriptionId?: string): Promise<CustomerSnapshot | null> {
  const [customer] = await db
    .select({
      id: customers.id,
      name: customers.name,
      phone: customers.phone,
      accountNumber: customers.accountNumber,
      balanceCents: customers.balanceCents,
      smsOptOut: customers.smsOptOut,
    })
    .from(customers)
    .where(eq(customers.id, customerId))
    .limit(1);
  if (!customer) return null;
  const [service] = await db
    .select({ planName: plans.name, expiresAt: subscriptions.expiresAt })
    .from(subscriptions)
    .innerJoin(plans, eq(plans.id, subscriptions.planId))
    .where(
      subscriptionId
        ? eq(subscriptions.id, subscriptionId)
        : and(eq(subscriptions.customerId, customerId), ne(subscriptions.status, 'cancelled')),
    )
    .orderBy(sql`case when ${subscriptions.status} = 'active' then 0 else 1 end`, desc(subscriptions.createdAt))
    .limit(1);
  const values: SmsValues = {
    name: customer.name,
    account: customer.accountNumber,
    balance: formatKes(customer.balanceCents),
    plan: service?.planName ?? '',
    expiry: service?.expiresAt ? formatEatDate(service.expiresAt) : '',
  };
  return { id: customer.id, name: customer.name, phone: customer.phone, smsOptOut: customer.smsOptOut, values };
}
