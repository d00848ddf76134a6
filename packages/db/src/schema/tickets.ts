import { index, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';
import { customers } from './customers';
import { users } from './users';

export const ticketPriorityEnum = pgEnum('ticket_priority', ['low', 'normal', 'high', 'urgent']);
export const ticketStatusEnum = pgEnum('ticket_status', ['new', 'open', 'pending', 'resolved', 'closed']);

export const tickets = pgTable(
  'tickets',
  {
    id: id(),
    customerId: uuid()
      .notNull()
      .references(() => customers.id),
    subject: text().notNull(),
    description: text(),
    priority: ticketPriorityEnum().notNull().default('normal'),
    status: ticketStatusEnum().notNull().default('new'),
    assigneeId: uuid().references(() => users.id),
    createdById: uuid().references(() => users.id),
    resolvedAt: instant(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index('tickets_status_priority_idx').on(t.status, t.priority),
    index('tickets_assignee_created_idx').on(t.assigneeId, t.createdAt, t.id),
    index('tickets_customer_idx').on(t.customerId, t.createdAt),
    index('tickets_created_idx').on(t.createdAt, t.id),
    index('tickets_subject_trgm_idx').using('gin', t.subject.op('gin_trgm_ops')),
  ],
);

export const ticketComments = pgTable(
  'ticket_comments',
  {
    id: id(),
    ticketId: uuid()
      .notNull()
      .references(() => tickets.id),
    authorId: uuid().references(() => users.id),
    body: text().notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('ticket_comments_ticket_idx').on(t.ticketId, t.createdAt)],
);
