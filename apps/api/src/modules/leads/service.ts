/**
 * Leads: the sales pipeline (new → contacted → qualified → won | lost) and conversion into a
 * customer. Record-level access lives here: a caller whose scope is `own` (sales) sees and changes
 * only leads assigned to them or to nobody; every other lead answers 404 exactly like a missing id.
 */
import {
  canMoveLead,
  can,
  LEAD_CONVERTIBLE_STATUSES,
  type Lead,
  type LeadConvertInput,
  type LeadConvertResult,
  type LeadCreateInput,
  type LeadFilterInput,
  type LeadListInput,
  type LeadSetStatusInput,
  type LeadStatus,
  type LeadUpdateInput,
  type Scope,
} from '@netflow/contracts';
import { activities, customers, leads, plans, users, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/pg-errors';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';
import type { Context, CurrentUser } from '../../trpc/context';
import { createSubscription } from '../subscriptions/service';

/** Who is acting, how far their lead grant reaches, and what the audit row needs. */
export type LeadActor = Pick<Context, 'ip' | 'requestId'> & { user: CurrentUser; scope: Scope };

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'Lead not found' });

/** The leads this actor may see: all, or (sales) their own plus unassigned ones. */
export function visibleLeads(actor: { user: CurrentUser; scope: Scope }): SQL | undefined {
  if (actor.scope === 'all') return undefined;
  return or(eq(leads.assigneeId, actor.user.id), isNull(leads.assigneeId));
}

const assignee = alias(users, 'assignee');

const leadColumns = {
  id: leads.id,
  name: leads.name,
  phone: leads.phone,
  email: leads.email,
  address: leads.address,
  location: leads.location,
  source: leads.source,
  planId: leads.planId,
  planName: plans.name,
  assigneeId: leads.assigneeId,
  assigneeName: assignee.name,
  notes: leads.notes,
  status: leads.status,
  lostReason: leads.lostReason,
  convertedAt: leads.convertedAt,
  customerId: customers.id,
  createdAt: leads.createdAt,
  updatedAt: leads.updatedAt,
};

function selectLeads<E extends Record<string, SQL>>(db: Database, extra: E) {
  return db
    .select({ ...leadColumns, ...extra })
    .from(leads)
    .leftJoin(plans, eq(plans.id, leads.planId))
    .leftJoin(assignee, eq(assignee.id, leads.assigneeId))
    .leftJoin(customers, eq(customers.leadId, leads.id));
}

type LeadRow = Awaited<ReturnType<typeof selectLeads<Record<never, SQL>>>>[number];

export function toLead(row: LeadRow): Lead {
  return {
    ...row,
    convertedAt: row.convertedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const SORT_COLUMNS = {
  createdAt: { column: leads.createdAt, type: 'timestamptz' },
  updatedAt: { column: leads.updatedAt, type: 'timestamptz' },
  name: { column: leads.name, type: 'text' },
} as const;

/** The WHERE of a list or export: the caller's visibility plus allowlisted filters. */
export function leadFilters(actor: LeadActor, input: LeadFilterInput): SQL | undefined {
  const conditions: (SQL | undefined)[] = [visibleLeads(actor)];
  if (input.status) conditions.push(eq(leads.status, input.status));
  if (input.assignee === 'me') conditions.push(eq(leads.assigneeId, actor.user.id));
  else if (input.assignee === 'unassigned') conditions.push(isNull(leads.assigneeId));
  else if (input.assignee) conditions.push(eq(leads.assigneeId, input.assignee));
  if (input.planId) conditions.push(eq(leads.planId, input.planId));
  if (input.createdFrom) conditions.push(gte(leads.createdAt, new Date(input.createdFrom)));
  if (input.createdTo) conditions.push(lt(leads.createdAt, new Date(input.createdTo)));
  conditions.push(searchAny(input.search, [leads.name, leads.email], [leads.phone]));
  return and(...conditions);
}

export function leadKeyset(input: Pick<LeadListInput, 'sort' | 'order'> & { cursor?: string | undefined }) {
  const sort = SORT_COLUMNS[input.sort];
  return keyset({
    name: `${input.sort}.${input.order}`,
    column: sort.column,
    type: sort.type,
    id: leads.id,
    direction: input.order,
    cursor: input.cursor,
  });
}

export async function listLeads(db: Database, actor: LeadActor, input: LeadListInput): Promise<Page<Lead>> {
  const page = leadKeyset(input);
  const rows = await selectLeads(db, { cursorKey: page.cursorKey })
    .where(and(leadFilters(actor, input), page.where))
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, toLead);
}

async function findLead(db: Database, actor: { user: CurrentUser; scope: Scope }, id: string): Promise<Lead> {
  const [row] = await selectLeads(db, {})
    .where(and(eq(leads.id, id), visibleLeads(actor)))
    .limit(1);
  if (!row) throw notFound();
  return toLead(row);
}

export function getLead(db: Database, actor: LeadActor, id: string): Promise<Lead> {
  return findLead(db, actor, id);
}

/** Locks a visible lead for the rest of the transaction, or answers 404. */
async function lockLead(tx: Database, actor: LeadActor, id: string) {
  const [row] = await tx
    .select()
    .from(leads)
    .where(and(eq(leads.id, id), visibleLeads(actor)))
    .for('update')
    .limit(1);
  if (!row) throw notFound();
  return row;
}

async function assertPlanExists(tx: Database, planId: string) {
  const [plan] = await tx.select({ id: plans.id, active: plans.active }).from(plans).where(eq(plans.id, planId)).limit(1);
  if (!plan) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Unknown plan' });
  return plan;
}

/**
 * Sales may assign a lead only to themselves (or release it); anyone assigning must pick an active
 * staff member who can work leads.
 */
async function assertAssignable(tx: Database, actor: LeadActor, assigneeId: string | null) {
  if (assigneeId === null) return;
  if (actor.scope !== 'all' && assigneeId !== actor.user.id) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You can only assign leads to yourself' });
  }
  const [row] = await tx
    .select({ role: users.role, status: users.status })
    .from(users)
    .where(eq(users.id, assigneeId))
    .limit(1);
  if (!row || row.status !== 'active' || !can(row.role, 'leads.write')) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'The assignee must be an active staff member who works leads' });
  }
}

export async function createLead(db: Database, actor: LeadActor, input: LeadCreateInput): Promise<Lead> {
  const assigneeId = input.assigneeId !== undefined ? input.assigneeId : actor.scope === 'own' ? actor.user.id : null;
  const id = await db.transaction(async (tx) => {
    if (input.planId) await assertPlanExists(tx, input.planId);
    await assertAssignable(tx, actor, assigneeId);
    const [row] = await tx
      .insert(leads)
      .values({
        name: input.name,
        phone: input.phone,
        email: input.email ?? null,
        address: input.address ?? null,
        location: input.location ?? null,
        source: input.source ?? null,
        planId: input.planId ?? null,
        assigneeId,
        notes: input.notes ?? null,
        createdById: actor.user.id,
      })
      .returning({ id: leads.id });
    if (!row) throw new Error('lead insert returned nothing');
    await audit(tx, actor, {
      action: 'lead.create',
      entityType: 'lead',
      entityId: row.id,
      changes: { ...input, assigneeId },
    });
    return row.id;
  });
  return findLead(db, { ...actor, scope: 'all' }, id);
}

const EDITABLE = ['name', 'phone', 'email', 'address', 'location', 'source', 'planId', 'assigneeId', 'notes'] as const;

export async function updateLead(db: Database, actor: LeadActor, input: LeadUpdateInput): Promise<Lead> {
  await db.transaction(async (tx) => {
    const current = await lockLead(tx, actor, input.id);
    const changes: Record<string, { from: unknown; to: unknown }> = {};
    for (const field of EDITABLE) {
      const next = input[field];
      if (next !== undefined && next !== current[field]) changes[field] = { from: current[field], to: next };
    }
    if (Object.keys(changes).length === 0) return;
    const patch = Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, v.to])) as Partial<
      Pick<LeadUpdateInput, (typeof EDITABLE)[number]>
    >;
    if (patch.planId) await assertPlanExists(tx, patch.planId);
    if (patch.assigneeId !== undefined) await assertAssignable(tx, actor, patch.assigneeId);
    await tx.update(leads).set(patch).where(eq(leads.id, current.id));
    await audit(tx, actor, { action: 'lead.update', entityType: 'lead', entityId: current.id, changes });
  });
  // Re-read without the scope: a sales user who just released a lead still gets the answer.
  return findLead(db, { ...actor, scope: 'all' }, input.id);
}

const conflict = (message: string) => new TRPCError({ code: 'CONFLICT', message });

export async function setLeadStatus(db: Database, actor: LeadActor, input: LeadSetStatusInput): Promise<Lead> {
  await db.transaction(async (tx) => {
    const current = await lockLead(tx, actor, input.id);
    const from = current.status;
    const to: LeadStatus = input.status;
    if (to === 'won') throw conflict('A lead is won by converting it into a customer');
    if (!canMoveLead(from, to)) throw conflict(`A ${from} lead cannot move to ${to}`);
    const lostReason = to === 'lost' ? (input.reason ?? null) : null;
    await tx.update(leads).set({ status: to, lostReason }).where(eq(leads.id, current.id));
    await tx.insert(activities).values({
      leadId: current.id,
      kind: 'status_change',
      body: to === 'lost' ? `Status ${from} → lost: ${lostReason ?? ''}` : `Status ${from} → ${to}`,
      data: { from, to, ...(lostReason ? { reason: lostReason } : {}) },
      actorId: actor.user.id,
    });
    await audit(tx, actor, {
      action: 'lead.status',
      entityType: 'lead',
      entityId: current.id,
      changes: { status: { from, to }, ...(lostReason ? { reason: lostReason } : {}) },
    });
  });
  return findLead(db, { ...actor, scope: 'all' }, input.id);
}

/**
 * Turns a qualified lead into a customer (and a pending subscription when a plan is given) in one
 * transaction. The lead row is locked first, so a second concurrent conversion waits and then sees
 * `won`; the unique index on customers.lead_id is the last line should anything slip past.
 */
export async function convertLead(db: Database, actor: LeadActor, input: LeadConvertInput): Promise<LeadConvertResult> {
  if (!can(actor.user.role, 'customers.create')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You do not have permission to do this' });
  }
  if (input.planId && !can(actor.user.role, 'subscriptions.create')) {
    throw new TRPCError({ code: 'FORBIDDEN', message: 'You do not have permission to do this' });
  }
  let outcome: { customerId: string; accountNumber: string; subscriptionId: string | null };
  try {
    outcome = await db.transaction(async (tx) => {
      const lead = await lockLead(tx, actor, input.id);
      if (lead.status === 'won') throw conflict('This lead has already been converted');
      if (!LEAD_CONVERTIBLE_STATUSES.includes(lead.status)) {
        throw conflict(`A ${lead.status} lead cannot be converted; qualify it first`);
      }
      if (input.planId) {
        const plan = await assertPlanExists(tx, input.planId);
        if (!plan.active) throw new TRPCError({ code: 'BAD_REQUEST', message: 'This plan is no longer offered' });
      }
      const [customer] = await tx
        .insert(customers)
        .values({
          name: lead.name,
          phone: lead.phone,
          email: lead.email,
          address: lead.address,
          location: lead.location,
          leadId: lead.id,
          createdById: actor.user.id,
        })
        .returning({ id: customers.id, accountNumber: customers.accountNumber });
      if (!customer) throw new Error('customer insert returned nothing');
      await audit(tx, actor, {
        action: 'customer.create',
        entityType: 'customer',
        entityId: customer.id,
        changes: { accountNumber: customer.accountNumber, name: lead.name, phone: lead.phone, email: lead.email, leadId: lead.id },
      });

      const subscription = input.planId
        ? await createSubscription(tx, actor, { customerId: customer.id, planId: input.planId })
        : null;

      await tx.update(leads).set({ status: 'won', convertedAt: sql`now()`, lostReason: null }).where(eq(leads.id, lead.id));
      await tx.insert(activities).values([
        {
          leadId: lead.id,
          kind: 'conversion',
          body: `Converted to customer ${customer.accountNumber}`,
          data: { from: lead.status, to: 'won', customerId: customer.id, subscriptionId: subscription?.id ?? null },
          actorId: actor.user.id,
        },
        {
          customerId: customer.id,
          kind: 'conversion',
          body: `Customer ${customer.accountNumber} created from a lead`,
          data: { leadId: lead.id },
          actorId: actor.user.id,
        },
      ]);
      await audit(tx, actor, {
        action: 'lead.convert',
        entityType: 'lead',
        entityId: lead.id,
        changes: {
          status: { from: lead.status, to: 'won' },
          customerId: customer.id,
          accountNumber: customer.accountNumber,
          subscriptionId: subscription?.id ?? null,
        },
      });
      return { customerId: customer.id, accountNumber: customer.accountNumber, subscriptionId: subscription?.id ?? null };
    });
  } catch (error) {
    if (isUniqueViolation(error, 'customers_lead_key')) throw conflict('This lead has already been converted');
    throw error;
  }
  const lead = await findLead(db, { ...actor, scope: 'all' }, input.id);
  return { lead, ...outcome };
}

/** Every lead matching the filters, page by page along the keyset (for CSV export). */
export async function* leadPages(db: Database, actor: LeadActor, filters: LeadFilterInput, pageSize = 500): AsyncGenerator<Lead[]> {
  let cursor: string | undefined;
  do {
    const page = await listLeads(db, actor, { ...filters, limit: pageSize, cursor });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
