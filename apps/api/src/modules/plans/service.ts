/** Plans: the catalogue of what the ISP sells. Listed by every role, managed by admins and managers. */
import { PLAN_FIELDS, type CreatePlanInput, type ListPlansInput, type Plan, type UpdatePlanInput } from '@netflow/contracts';
import { plans, type Database } from '@netflow/db';
import { and, eq, ne, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { conflict, notFound } from '../../lib/errors';
import { keyset, toPage, type Page, type SortType } from '../../lib/pagination';
import { columnValues, patchRecord } from '../../lib/patch';
import { isUniqueViolation } from '../../lib/pg-errors';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';

type PlanRow = typeof plans.$inferSelect;

export function toPlan({ createdAt, updatedAt, ...fields }: PlanRow): Plan {
  return { ...fields, createdAt: createdAt.toISOString(), updatedAt: updatedAt.toISOString() };
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

const nameTaken = () => conflict('A plan with that name already exists');

/** Names are unique case-insensitively for people, exactly for the index; check the former first. */
async function assertNameFree(db: Database, name: string, exceptId?: string) {
  const [taken] = await db
    .select({ id: plans.id })
    .from(plans)
    .where(and(sql`lower(${plans.name}) = lower(${name})`, exceptId ? ne(plans.id, exceptId) : undefined))
    .limit(1);
  if (taken) throw nameTaken();
}

export async function createPlan(db: Database, actor: Actor, input: CreatePlanInput): Promise<Plan> {
  try {
    return await db.transaction(async (tx) => {
      await assertNameFree(tx, input.name);
      const [row] = await tx
        .insert(plans)
        .values(columnValues(plans, input, PLAN_FIELDS))
        .returning();
      if (!row) throw new Error('plan insert returned nothing');
      await audit(tx, actor, { action: 'plan.create', entityType: 'plan', entityId: row.id, changes: { ...input } });
      return toPlan(row);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'plans_name_key')) throw nameTaken();
    throw error;
  }
}

/** Existing subscriptions keep running; renewals use the plan's price and validity at the time. */
export async function updatePlan(db: Database, actor: Actor, input: UpdatePlanInput): Promise<Plan> {
  try {
    const { row } = await patchRecord(db, actor, {
      table: plans,
      id: input.id,
      notFound: () => notFound('Plan'),
      fields: PLAN_FIELDS,
      input,
      action: 'plan.update',
      entityType: 'plan',
      check: async (tx, _current, changes) => {
        if (changes.name) await assertNameFree(tx, changes.name.to, input.id);
      },
    });
    return toPlan(row);
  } catch (error) {
    if (isUniqueViolation(error, 'plans_name_key')) throw nameTaken();
    throw error;
  }
}
