/**
 * Activities: the timeline of a lead or a customer. Staff write notes, calls and visits; the other
 * services write events (status changes, conversion, payments…) in their own transactions. Access
 * follows the parent: a lead's timeline is visible exactly when the lead is, so a lead the caller
 * may not see answers 404 here too.
 */
import { can, scopeOf, type Activity, type ActivityCreateInput, type ActivityListInput, type Permission, type Scope } from '@netflow/contracts';
import { activities, leads, users, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { audit } from '../audit';
import type { Context, CurrentUser } from '../../trpc/context';
import { assertCustomerExists } from '../customers/service';
import { visibleLeads } from '../leads/service';

export type ActivityActor = Pick<Context, 'ip' | 'requestId' | 'log'> & { user: CurrentUser };

type Parent = { leadId: string; customerId?: undefined } | { customerId: string; leadId?: undefined };

function forbidden(actor: ActivityActor, permission: Permission) {
  actor.log.warn(
    { event: 'authz.denied', permission, userId: actor.user.id, role: actor.user.role },
    'authorization failure',
  );
  return new TRPCError({ code: 'FORBIDDEN', message: 'You do not have permission to do this' });
}

function scopeFor(actor: ActivityActor, permission: Permission): Scope {
  const scope = scopeOf(actor.user.role, permission);
  if (!scope) throw forbidden(actor, permission);
  return scope;
}

/**
 * Reading a timeline needs read access to its parent; writing on a lead needs leads.write, while
 * anyone who may read a customer may log a note, call or visit on it (append-only, attributed and
 * audited; support and finance staff talk to customers too).
 */
async function assertParentAccess(db: Database, actor: ActivityActor, parent: Parent, mode: 'read' | 'write') {
  if (parent.leadId !== undefined) {
    const scope = scopeFor(actor, mode === 'read' ? 'leads.read' : 'leads.write');
    const [lead] = await db
      .select({ id: leads.id })
      .from(leads)
      .where(and(eq(leads.id, parent.leadId), visibleLeads({ user: actor.user, scope })))
      .limit(1);
    if (!lead) throw new TRPCError({ code: 'NOT_FOUND', message: 'Lead not found' });
    return;
  }
  if (!can(actor.user.role, 'customers.read')) throw forbidden(actor, 'customers.read');
  await assertCustomerExists(db, parent.customerId);
}

function parentOf(input: { leadId?: string | undefined; customerId?: string | undefined }): Parent {
  if (input.leadId !== undefined) return { leadId: input.leadId };
  if (input.customerId !== undefined) return { customerId: input.customerId };
  throw new TRPCError({ code: 'BAD_REQUEST', message: 'Give exactly one of leadId and customerId' });
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

/** Newest first. */
export async function listActivities(db: Database, actor: ActivityActor, input: ActivityListInput): Promise<Page<Activity>> {
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
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, page.name, toActivity);
}

export async function createActivity(db: Database, actor: ActivityActor, input: ActivityCreateInput): Promise<Activity> {
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
