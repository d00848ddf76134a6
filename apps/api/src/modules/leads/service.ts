/**
 * Leads: the sales pipeline (new → contacted → qualified → won | lost) and conversion into a
 * customer. Record-level access lives here: a caller whose scope is `own` (sales) sees and changes
 * only leads assigned to them or to nobody; every other lead answers 404 exactly like a missing id.
 */
import {
  canMoveLead,
  can,
  LEAD_CONVERTIBLE_STATUSES,
  LEAD_FIELDS,
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
import { customers, leads, plans, users, type Database } from '@netflow/db';
import { and, eq, gte, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { CurrentUser, StaffActor } from '../../lib/actor';
import { conflict, forbidden, invalid, notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { columnValues, patchRecord } from '../../lib/patch';
import { isUniqueViolation } from '../../lib/pg-errors';
import { searchAny } from '../../lib/search';
import { addActivities } from '../activities';
import { audit } from '../audit';
import { createCustomer } from '../customers';
import { createSubscription } from '../subscriptions';

/** Who reads leads, and how far their grant reaches (`own`: theirs plus unassigned ones). */
export type LeadReader = { user: CurrentUser; scope: Scope };
/** Who changes leads: a reader named in the audit trail (the procedure tier passes its context). */
export type LeadActor = StaffActor & { scope: Scope };

const leadNotFound = () => notFound('Lead');

/** The leads this actor may see: all, or (sales) their own plus unassigned ones. */
export function visibleLeads(actor: LeadReader): SQL | undefined {
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
export function leadFilters(actor: LeadReader, input: LeadFilterInput): SQL | undefined {
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

export async function listLeads(db: Database, actor: LeadReader, input: LeadListInput): Promise<Page<Lead>> {
  const page = leadKeyset(input);
  const rows = await selectLeads(db, { cursorKey: page.cursorKey })
    .where(and(leadFilters(actor, input), page.where))
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, toLead);
}

async function findLead(db: Database, actor: LeadReader, id: string): Promise<Lead> {
  const [row] = await selectLeads(db, {})
    .where(and(eq(leads.id, id), visibleLeads(actor)))
    .limit(1);
  if (!row) throw leadNotFound();
  return toLead(row);
}

export function getLead(db: Database, actor: LeadReader, id: string): Promise<Lead> {
  return findLead(db, actor, id);
}

/** Locks a visible lead for the rest of the transaction, or answers 404. */
async function lockLead(tx: Database, actor: LeadReader, id: string) {
  const [row] = await tx
    .select()
    .from(leads)
    .where(and(eq(leads.id, id), visibleLeads(actor)))
    .for('update')
    .limit(1);
  if (!row) throw leadNotFound();
  return row;
}

async function assertPlanExists(tx: Database, planId: string) {
  const [plan] = await tx.select({ id: plans.id, active: plans.active }).from(plans).where(eq(plans.id, planId)).limit(1);
  if (!plan) throw invalid('Unknown plan');
  return plan;
}

/**
 * Sales may assign a lead only to themselves (or release it); anyone assigning must pick an active
 * staff member who can work leads.
 */
async function assertAssignable(tx: Database, actor: LeadReader, assigneeId: string | null) {
  if (assigneeId === null) return;
  if (actor.scope !== 'all' && assigneeId !== actor.user.id) {
    throw forbidden('You can only assign leads to yourself');
  }
  const [row] = await tx.select({ role: users.role, status: users.status }).from(users).where(eq(users.id, assigneeId)).limit(1);
  if (!row || row.status !== 'active' || !can(row.role, 'leads.write')) {
    throw invalid('The assignee must be an active staff member who works leads');
  }
}

export async function createLead(db: Database, actor: LeadActor, input: LeadCreateInput): Promise<Lead> {
  // A lead a salesperson records is theirs to follow up, whatever the form sent for "assigned to"
  // (the web form, which hides the picker from sales, sends null): an unassigned one was left in the
  // pool by mistake. They can still release it afterwards; others may leave new leads unassigned.
  const assigneeId = actor.scope === 'own' ? (input.assigneeId ?? actor.user.id) : (input.assigneeId ?? null);
  const id = await db.transaction(async (tx) => {
    if (input.planId) await assertPlanExists(tx, input.planId);
    await assertAssignable(tx, actor, assigneeId);
    const [row] = await tx
      .insert(leads)
      .values({ ...columnValues(leads, input, LEAD_FIELDS), assigneeId, createdById: actor.user.id })
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

export async function updateLead(db: Database, actor: LeadActor, input: LeadUpdateInput): Promise<Lead> {
  await patchRecord(db, actor, {
    table: leads,
    id: input.id,
    where: visibleLeads(actor),
    notFound: leadNotFound,
    fields: LEAD_FIELDS,
    input,
    action: 'lead.update',
    entityType: 'lead',
    check: async (tx, _current, changes) => {
      if (changes.planId?.to) await assertPlanExists(tx, changes.planId.to);
      if (changes.assigneeId) await assertAssignable(tx, actor, changes.assigneeId.to ?? null);
    },
  });
  // Re-read without the scope: a sales user who just released a lead still gets the answer.
  return findLead(db, { ...actor, scope: 'all' }, input.id);
}

export async function setLeadStatus(db: Database, actor: LeadActor, input: LeadSetStatusInput): Promise<Lead> {
  await db.transaction(async (tx) => {
    const current = await lockLead(tx, actor, input.id);
    const from = current.status;
    const to: LeadStatus = input.status;
    if (to === 'won') throw conflict('A lead is won by converting it into a customer');
    if (!canMoveLead(from, to)) throw conflict(`A ${from} lead cannot move to ${to}`);
    const lostReason = to === 'lost' ? (input.reason ?? null) : null;
    await tx.update(leads).set({ status: to, lostReason }).where(eq(leads.id, current.id));
    await addActivities(tx, actor, { leadId: current.id }, [
      {
        kind: 'status_change',
        body: to === 'lost' ? `Status ${from} → lost: ${lostReason ?? ''}` : `Status ${from} → ${to}`,
        data: { from, to, ...(lostReason ? { reason: lostReason } : {}) },
      },
    ]);
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
  if (!can(actor.user.role, 'customers.create')) throw forbidden();
  if (input.planId && !can(actor.user.role, 'subscriptions.create')) throw forbidden();
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
        if (!plan.active) throw invalid('This plan is no longer offered');
      }
      // The lead's contact details become the customer's; its sales notes stay on the lead.
      const customer = await createCustomer(
        tx,
        actor,
        { name: lead.name, phone: lead.phone, email: lead.email, address: lead.address, location: lead.location },
        { leadId: lead.id },
      );

      const subscription = input.planId ? await createSubscription(tx, actor, { customerId: customer.id, planId: input.planId }) : null;

      await tx
        .update(leads)
        .set({ status: 'won', convertedAt: sql`now()`, lostReason: null })
        .where(eq(leads.id, lead.id));
      await addActivities(tx, actor, { leadId: lead.id }, [
        {
          kind: 'conversion',
          body: `Converted to customer ${customer.accountNumber}`,
          data: { from: lead.status, to: 'won', customerId: customer.id, subscriptionId: subscription?.id ?? null },
        },
      ]);
      await addActivities(tx, actor, { customerId: customer.id }, [
        { kind: 'conversion', body: `Customer ${customer.accountNumber} created from a lead`, data: { leadId: lead.id } },
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
export async function* leadPages(db: Database, actor: LeadReader, filters: LeadFilterInput, pageSize = 500): AsyncGenerator<Lead[]> {
  let cursor: string | undefined;
  do {
    const page = await listLeads(db, actor, { ...filters, limit: pageSize, cursor });
    yield page.items;
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
}
