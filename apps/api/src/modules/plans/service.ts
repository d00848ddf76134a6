/** Plans: the catalogue of what the ISP sells. Listed by every role, managed by admins and managers. */
import type { CreatePlanInput, ListPlansInput, Plan, UpdatePlanInput } from '@netflow/contracts';
import { plans, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, eq, ne, sql, type SQL } from 'drizzle-orm';
import { keyset, toPage, type Page, type SortType } from '../../lib/pagination';
import { searchAny } from '../../lib/search';
import { isUniqueViolation } from '../../lib/pg-errors';
import { audit } from '../audit';
import type { AuditContext } from '../subscriptions/service';

type PlanRow = typeof plans.$inferSelect;

export function toPlan(row: PlanRow): Plan {
  return {
    id: row.id,
    name: row.name,
    type: row.type,
    downloadKbps: row.downloadKbps,
    uploadKbps: row.uploadKbps,
    priceCents: row.priceCents,
    validityDays: row.validityDays,
    active: row.active,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const SORT_COLUMNS = {
  name: { column: plans.name, type: 'text' },
  priceCents: { column: plans.priceCents, type: 'integer' },
  createdAt: { column: plans.createdAt, type: 'timestamptz' },
} as const satisfies Record<ListPlansInput['sort'], { column: unknown; type: SortType }>;

export async function listPlans(db: Database, input: ListPlansInput): Promise<Page<Plan>> {
  const sort = SORT_COLUMNS[input.sort];
  const ks = keyset({
    name: `${input.sort}.${input.order}`,
    column: sort.column,
    type: sort.type,
    id: plans.id,
    direction: input.order,
    cursor: input.cursor,
  });
  const filters: (SQL | undefined)[] = [
    input.type ? eq(plans.type, input.type) : undefined,
    input.active ? eq(plans.active, input.active === 'true') : undefined,
    searchAny(input.search, [plans.name]),
    ks.where,
  ];
  const rows = await db
    .select({ plan: plans, id: plans.id, cursorKey: ks.cursorKey })
    .from(plans)
    .where(and(...filters))
    .orderBy(...ks.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, ks.name, (r) => toPlan(r.plan));
}

const nameTaken = () => new TRPCError({ code: 'CONFLICT', message: 'A plan with that name already exists' });

/** Names are unique case-insensitively for people, exactly for the index; check the former first. */
async function assertNameFree(db: Database, name: string, exceptId?: string) {
  const [taken] = await db
    .select({ id: plans.id })
    .from(plans)
    .where(and(sql`lower(${plans.name}) = lower(${name})`, exceptId ? ne(plans.id, exceptId) : undefined))
    .limit(1);
  if (taken) throw nameTaken();
}

export async function createPlan(db: Database, ctx: AuditContext, input: CreatePlanInput): Promise<Plan> {
  try {
    return await db.transaction(async (tx) => {
      await assertNameFree(tx, input.name);
      const [row] = await tx.insert(plans).values(input).returning();
      if (!row) throw new Error('plan insert returned nothing');
      await audit(tx, ctx, { action: 'plan.create', entityType: 'plan', entityId: row.id, changes: { ...input } });
      return toPlan(row);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'plans_name_key')) throw nameTaken();
    throw error;
  }
}

export async function updatePlan(db: Database, ctx: AuditContext, input: UpdatePlanInput): Promise<Plan> {
  const { id, ...fields } = input;
  try {
    return await db.transaction(async (tx) => {
      const [current] = await tx.select().from(plans).where(eq(plans.id, id)).for('update').limit(1);
      if (!current) throw new TRPCError({ code: 'NOT_FOUND', message: 'Plan not found' });
      if (fields.name !== undefined) await assertNameFree(tx, fields.name, id);

      const changes: Record<string, { from: unknown; to: unknown }> = {};
      for (const [key, value] of Object.entries(fields) as [keyof typeof fields, unknown][]) {
        if (value !== undefined && value !== current[key]) changes[key] = { from: current[key], to: value };
      }
      if (Object.keys(changes).length === 0) return toPlan(current);

      const [row] = await tx.update(plans).set(fields).where(eq(plans.id, id)).returning();
      if (!row) throw new Error('plan update returned nothing');
      // Existing subscriptions keep running; renewals use the plan's price and validity at the time.
      await audit(tx, ctx, { action: 'plan.update', entityType: 'plan', entityId: id, changes });
      return toPlan(row);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'plans_name_key')) throw nameTaken();
    throw error;
  }
}
