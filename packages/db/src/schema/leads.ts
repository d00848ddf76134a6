import { index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { plans } from './plans';
import { users } from './users';

export const leadStatusEnum = pgEnum('lead_status', ['new', 'contacted', 'qualified', 'won', 'lost']);

export const leads = pgTable(
  'leads',
  {
    id: id(),
    name: text().notNull(),
    phone: text().notNull(),
    email: text(),
    address: text(),
    location: text(),
    source: text(),
    planId: uuid().references(() => plans.id),
    assigneeId: uuid().references(() => users.id),
    notes: text(),
    status: leadStatusEnum().notNull().default('new'),
    lostReason: text(),
    convertedAt: instant(),
    createdById: uuid().references(() => users.id),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('leads_status_created_idx').on(t.status, t.createdAt, t.id),
    index('leads_assignee_created_idx').on(t.assigneeId, t.createdAt, t.id),
    index('leads_created_idx').on(t.createdAt, t.id),
    index('leads_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('leads_phone_trgm_idx').using('gin', t.phone.op('gin_trgm_ops')),
    index('leads_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
  ],
);
