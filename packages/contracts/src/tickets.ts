/** Schemas of the tickets module: support requests with priority, assignee, comments and a status flow. */
import { z } from 'zod';
import { idSchema, isoDateTime, optionalText, pageInput, pageOf, searchSchema } from './common';
import type { EditableInOutput } from './fields';

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export const ticketPrioritySchema = z.enum(TICKET_PRIORITIES);
export type TicketPriority = z.infer<typeof ticketPrioritySchema>;

export const TICKET_STATUSES = ['new', 'open', 'pending', 'resolved', 'closed'] as const;
export const ticketStatusSchema = z.enum(TICKET_STATUSES);
export type TicketStatus = z.infer<typeof ticketStatusSchema>;

/**
 * Legal status moves. A new ticket is picked up (`open`) or closed straight away (duplicate, spam);
 * `pending` waits on the customer; a resolved ticket may be reopened or closed; `closed` is final.
 * Anything else answers 409.
 */
export const TICKET_TRANSITIONS: Readonly<Record<TicketStatus, readonly TicketStatus[]>> = {
  new: ['open', 'closed'],
  open: ['pending', 'resolved'],
  pending: ['open', 'resolved'],
  resolved: ['open', 'closed'],
  closed: [],
};

export function canMoveTicket(from: TicketStatus, to: TicketStatus): boolean {
  return TICKET_TRANSITIONS[from].includes(to);
}

const subjectSchema = z.string().trim().min(3, { error: 'At least 3 characters' }).max(200);
/** Blank means none (stored as null), so an empty box never counts as a change. */
const descriptionSchema = optionalText(5000);

export const createTicketInput = z.object({
  customerId: idSchema,
  subject: subjectSchema,
  description: descriptionSchema,
  priority: ticketPrioritySchema.default('normal'),
  assigneeId: idSchema.nullable().optional(),
});
export type CreateTicketInput = z.infer<typeof createTicketInput>;
/** The names of the fields given when a ticket is opened (the insert). */
export const TICKET_FIELDS = createTicketInput.keyof().options;

/** What an edit may change; absent fields stay as they are, `assigneeId: null` unassigns. */
const ticketEditable = z
  .object({
    status: ticketStatusSchema,
    priority: ticketPrioritySchema,
    assigneeId: idSchema.nullable(),
    subject: subjectSchema,
    description: descriptionSchema,
  })
  .partial();
/** The names of the fields an edit may change (what the patch diffs and audits). */
export const TICKET_UPDATE_FIELDS = ticketEditable.keyof().options;

export const updateTicketInput = ticketEditable.extend({ id: idSchema });
export type UpdateTicketInput = z.infer<typeof updateTicketInput>;

export const addTicketCommentInput = z.object({
  id: idSchema,
  body: z.string().trim().min(1, { error: 'Required' }).max(5000),
});
export type AddTicketCommentInput = z.infer<typeof addTicketCommentInput>;

export const TICKET_SORTS = ['createdAt', 'updatedAt'] as const;

export const listTicketsInput = pageInput.extend({
  status: ticketStatusSchema.optional(),
  priority: ticketPrioritySchema.optional(),
  /** A user id, `me`, or `unassigned`. */
  assignee: z.union([z.enum(['me', 'unassigned']), idSchema]).optional(),
  customerId: idSchema.optional(),
  createdFrom: isoDateTime.optional(),
  createdTo: isoDateTime.optional(),
  /** Over the subject. */
  search: searchSchema,
  sort: z.enum(TICKET_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type ListTicketsInput = z.infer<typeof listTicketsInput>;

export const ticketSchema = z.object({
  id: z.uuid(),
  customerId: z.uuid(),
  customerName: z.string(),
  accountNumber: z.string(),
  subject: z.string(),
  description: z.string().nullable(),
  priority: ticketPrioritySchema,
  status: ticketStatusSchema,
  assigneeId: z.uuid().nullable(),
  assigneeName: z.string().nullable(),
  createdById: z.uuid().nullable(),
  resolvedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Ticket = z.infer<typeof ticketSchema>;

export const ticketCommentSchema = z.object({
  id: z.uuid(),
  ticketId: z.uuid(),
  authorId: z.uuid().nullable(),
  authorName: z.string().nullable(),
  body: z.string(),
  createdAt: z.string(),
});
export type TicketComment = z.infer<typeof ticketCommentSchema>;

export const ticketDetailSchema = ticketSchema.extend({ comments: z.array(ticketCommentSchema) });
export type TicketDetail = z.infer<typeof ticketDetailSchema>;

export const ticketPageSchema = pageOf(ticketSchema);

/** Every editable field comes back in the output (a type error names any that would be dropped). */
const _ticketFieldsInOutput: EditableInOutput<CreateTicketInput & z.infer<typeof ticketEditable>, Ticket> = true;
