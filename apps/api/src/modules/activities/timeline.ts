/**
 * The timeline writer: services record events (status changes, conversion, payments, tickets …) on
 * a lead's or a customer's timeline in the same transaction as the change they describe. It depends
 * on the database only, so any module (and a job worker or webhook) may use it without cycles.
 */
import { activities, type Database } from '@netflow/db';
import type { Actor } from '../../lib/actor';

export type ActivityKind = typeof activities.$inferInsert.kind;

export interface TimelineEvent {
  kind: ActivityKind;
  body: string;
  data?: Record<string, unknown> | null;
}

type Parent = { leadId: string; customerId?: string | null } | { customerId: string; leadId?: string | null };

/** Adds events to one parent's timeline (lead, customer, or both for a conversion). */
export async function addActivities(tx: Database, actor: Pick<Actor, 'user'>, parent: Parent, events: TimelineEvent[]): Promise<void> {
  if (events.length === 0) return;
  await tx.insert(activities).values(
    events.map((event) => ({
      leadId: parent.leadId ?? null,
      customerId: parent.customerId ?? null,
      kind: event.kind,
      body: event.body,
      data: event.data ?? null,
      actorId: actor.user?.id ?? null,
    })),
  );
}

/** A timeline entry on the customer, written in the same transaction as the change it describes. */
export async function addCustomerActivity(
  tx: Database,
  actor: Pick<Actor, 'user'>,
  customerId: string,
  body: string,
  data: Record<string, unknown>,
  kind: ActivityKind = 'subscription',
): Promise<void> {
  await addActivities(tx, actor, { customerId }, [{ kind, body, data }]);
}
