/**
 * Test fixtures: plain inserts of plans, customers and subscriptions in a
 * given state, and readers for the rows tests assert on. Only test files import this.
 */
import { auditLog, customers, payments, plans, subscriptions, type Database } from '@netflow/db';
import { and, asc, eq } from 'drizzle-orm';

let n = 0;
const next = () => {
  n += 1;
  return `${n}-${Math.random().toString(36).slice(2, 8)}`;
};

export async function insertPlan(db: Database, overrides: Partial<typeof plans.$inferInsert> = {}): Promise<typeof plans.$inferSelect> {
  const [row] = await db
    .insert(plans)
    .values({
      name: `Home ${next()}`,
      type: 'pppoe',
      downloadKbps: 10_000,
      uploadKbps: 5_000,
      priceCents: 250_000,
      validityDays: 30,
      ...overrides,
    })
    .returning();
  if (!row) throw new Error('plan fixture');
  return row;
}

export async function insertCustomer(
  db: Database,
  overrides: Partial<typeof customers.$inferInsert> = {},
): Promise<typeof customers.$inferSelect> {
  const [row] = await db
    .insert(customers)
    .values({ name: `Customer ${next()}`, phone: '0712345678', ...overrides })
    .returning();
  if (!row) throw new Error('customer fixture');
  return row;
}

export async function insertSubscription(
  db: Database,
  values: Pick<typeof subscriptions.$inferInsert, 'customerId' | 'planId'> & Partial<typeof subscriptions.$inferInsert>,
): Promise<typeof subscriptions.$inferSelect> {
  const [row] = await db.insert(subscriptions).values(values).returning();
  if (!row) throw new Error('subscription fixture');
  return row;
}

export async function subscriptionRow(db: Database, id: string) {
  const [row] = await db.select().from(subscriptions).where(eq(subscriptions.id, id));
  if (!row) throw new Error(`no subscription ${id}`);
  return row;
}

export async function customerRow(db: Database, id: string) {
  const [row] = await db.select().from(customers).where(eq(customers.id, id));
  if (!row) throw new Error(`no customer ${id}`);
  return row;
}

export async function paymentRows(db: Database) {
  return db.select().from(payments).orderBy(asc(payments.createdAt));
}

export async function auditRows(db: Database, entityId: string, action?: string) {
  return db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.entityId, entityId), action ? eq(auditLog.action, action) : undefined))
    .orderBy(asc(auditLog.id));
}

export const DAY_MS = 24 * 3600 * 1000;
export const daysFromNow = (days: number) => new Date(Date.now() + days * DAY_MS);
