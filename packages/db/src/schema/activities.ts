import { sql } from 'drizzle-orm';
import { check, index, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id } from './_columns';
import { customers } from './customers';
import { leads } from './leads';
import { users } from './users';

export const activityKindEnum = pgEnum('activity_kind', [
  'note',
  'call',
  'visit',
  'status_change',
  'conversion',
  'payment',
  'subscription',
  'ticket',
  'sms',
]);

/** The timeline of a lead or a customer: staff notes and events written by the services. */
export const activities = pgTable(
  'activities',
  {
    id: id(),
    leadId: uuid().references(() => leads.id),
    customerId: uuid().references(() => customers.id),
    kind: activityKindEnum().notNull(),
    body: text().notNull(),
    data: jsonb().$type<Record<string, unknown>>(),
    actorId: uuid().references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index('activities_lead_idx').on(t.leadId, t.createdAt),
    index('activities_customer_idx').on(t.customerId, t.createdAt),
    check('activities_one_parent', sql`num_nonnulls(${t.leadId}, ${t.customerId}) >= 1`),
  ],
);
