/**
 * Activities: the timeline of a lead or a customer. Staff write notes, calls and visits; the other
 * services write events (status changes, conversion, payments…) in their own transactions. Access
 * follows the parent: a lead's timeline is visible exactly when the lead is, so a lead the caller
 * may not see answers 404 here too. Within a timeline, each event is shown only to readers of the
 * record behind it (`EVENT_READ_PERMISSION`), filtered in SQL so pages stay full.
 */
import {
  can,
  scopeOf,
  type Activity,
  type ActivityCreateInput,
  type ActivityKind,
  type ActivityListInput,
  type Permission,
  type Scope,
} from '@netflow/contracts';
import { activities, leads, tickets, users, type Database } from '@netflow/db';
import { and, eq, inArray, notInArray, or, sql, type SQL } from 'drizzle-orm';
import type { CurrentUser, StaffActor } from '../../lib/actor';
import { forbidden, invalid, notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { audit } from '../audit';
import { assertCustomerExists } from '../customers';
import { visibleLeads } from '../leads';
import { visibleTickets } from '../tickets';

type Parent = { leadId: string; customerId?: undefined } | { customerId: string; leadId?: undefined };

function denied(actor: StaffActor, permission: Permission) {
  actor.log.warn({ event: 'authz.denied', permission, userId: actor.user.id, role: actor.user.role }, 'authorization failure');
  return forbidden();
}

function scopeFor(actor: StaffActor, permission: Permission): Scope {
  const scope = scopeOf(actor.user.role, permission);
  if (!scope) throw denied(actor, permission);
  return scope;
}

/**
 * Reading a timeline needs read access to its parent; writing on a lead needs leads.write, while
 * anyone who may read a customer may log a note, call or visit on it (append-only, attributed and
 * audited; support and finance staff talk to customers too).
 */
async function assertParentAccess(db: Database, actor: StaffActor, parent: Parent, mode: 'read' | 'write') {
  if (parent.leadId !== undefined) {
    const scope = scopeFor(actor, mode === 'read' ? 'leads.read' : 'leads.write');
    const [lead] = await db
      .select({ id: leads.id })
      .from(leads)
      .where(and(eq(leads.id, parent.leadId), visibleLeads({ user: actor.user, scope })))
      .limit(1);
    if (!lead) throw notFound('Lead');
    return;
  }
  if (!can(actor.user.role, 'customers.read')) throw denied(actor, 'customers.read');
  await assertCustomerExists(db, parent.customerId);
}

/**
 * Who may read an event on a timeline, beyond reading its lead or customer: the permission that
 * reads the record the event is about (null: anyone who reads the parent). Every kind must be
 * decided here, so a new kind cannot leak by default.
 */
export const EVENT_READ_PERMISSION: Readonly<Record<ActivityKind, Permission | null>> = {
  note: null,
  call: null,
  visit: null,
  status_change: null,
  conversion: null,
  // Reference, amount and payment id: for those who may read payments.
  payment: 'payments.read',
  subscription: 'subscriptions.read',
  // Ticket events carry `data.ticketId`; a scoped reader (technicians) sees only their tickets'.
  ticket: 'tickets.read',
  // Message texts (a receipt names the amount paid) and the opt-out: for those who read messages.
  sms: 'sms.read',
};

/** The SQL condition on `activities` that keeps exactly the events `user` may read. */
export function readableEvents(user: CurrentUser): SQL | undefined {
  const hidden: ActivityKind[] = [];
  let scopedTickets: SQL | undefined;
  for (const [kind, permission] of Object.entries(EVENT_READ_PERMISSION) as [ActivityKind, Permission | null][]) {
    if (permission === null) continue;
    const scope = scopeOf(user.role, permission);
    if (!scope) {
      hidden.push(kind);
      continue;
    }
    const ticketRule = kind === 'ticket' ? visibleTickets({ user, scope }) : undefined;
    if (ticketRule) {
      // Uncorrelated, so computed once per query; compared as text so odd data never fails a cast.
      const readable = sql`(select ${tickets.id}::text from ${tickets} where ${ticketRule})`;
      scopedTickets = or(sql`${activities.kind} <> 'ticket'`, inArray(sql`${activities.data} ->> 'ticketId'`, readable));
    }
  }
  return and(hidden.length > 0 ? notInArray(activities.kind, hidden) : undefined, scopedTickets);
}

function parentOf(input: { leadId?: string | undefined; customerId?: string | undefined }): Parent {
  if (input.leadId !== undefined) return { leadId: input.leadId };
  if (input.customerId !== undefined) return { customerId: input.customerId };
  throw invalid('Give exactly one of leadId and customerId');
}

const activityColumns = {
  id: activities.id,
  leadId: activities.leadId,
  customerId: activities.customerId,
  kind: activities.kind,
  body: activities.body,
  data: activities.data,
  actorId: activities.actorId,
  actorName: users.name,
  createdAt: activities.createdAt,
};

function toActivity(row: {
  id: string;
  leadId: string | null;
  customerId: string | null;
  kind: Activity['kind'];
  body: string;
  data: Record<string, unknown> | null;
  actorId: string | null;
  actorName: string | null;
  createdAt: Date;
}): Activity {
  return { ...row, createdAt: row.createdAt.toISOString() };
}

/** Newest first, only the events the reader may see (see `readableEvents`). */
export async function listActivities(db: Database, actor: StaffActor, input: ActivityListInput): Promise<Page<Activity>> {
  const parent = parentOf(input);
  await assertParentAccess(db, actor, parent, 'read');
  const page = keyset({
    name: 'createdAt.desc',
    column: activities.createdAt,
    type: 'timestamptz',
    id: activities.id,
    direction: 'desc',
    cursor: input.cursor,
  });
  const rows = await db
    .select({ ...activityColumns, cursorKey: page.cursorKey })
    .from(activities)
    .leftJoin(users, eq(users.id, activities.actorId))
    .where(
      and(
        parent.leadId !== undefined ? eq(activities.leadId, parent.leadId) : eq(activities.customerId, parent.customerId),
        readableEvents(actor.user),
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, toActivity);
}

export async function createActivity(db: Database, actor: StaffActor, input: ActivityCreateInput): Promise<Activity> {
  const parent = parentOf(input);
  return db.transaction(async (tx) => {
    await assertParentAccess(tx, actor, parent, 'write');
    const [row] = await tx
      .insert(activities)
      .values({
        leadId: parent.leadId ?? null,
        customerId: parent.customerId ?? null,
        kind: input.kind,
        body: input.body,
        actorId: actor.user.id,
      })
      .returning({ id: activities.id, createdAt: activities.createdAt });
    if (!row) throw new Error('activity insert returned nothing');
    await audit(tx, actor, {
      action: 'activity.create',
      entityType: parent.leadId !== undefined ? 'lead' : 'customer',
      entityId: parent.leadId ?? parent.customerId,
      changes: { activityId: row.id, kind: input.kind },
    });
    return toActivity({
      id: row.id,
      leadId: parent.leadId ?? null,
      customerId: parent.customerId ?? null,
      kind: input.kind,
      body: input.body,
      data: null,
      actorId: actor.user.id,
      actorName: actor.user.name,
      createdAt: row.createdAt,
    });
  });
}
