/** Schemas of the leads module: the sales pipeline new → contacted → qualified → won | lost. */
import { z } from 'zod';
import {
  idSchema,
  isoDateTime,
  nameSchema,
  optionalEmailSchema,
  optionalText,
  pageInput,
  pageOf,
  phoneSchema,
  searchSchema,
} from './common';
import type { EditableInOutput } from './fields';

export const LEAD_STATUSES = ['new', 'contacted', 'qualified', 'won', 'lost'] as const;
export const leadStatusSchema = z.enum(LEAD_STATUSES);
export type LeadStatus = z.infer<typeof leadStatusSchema>;

/**
 * Allowed pipeline moves. `won` is reached only by converting a qualified lead (leads.convert);
 * `lost` needs a reason; a lost lead may be reopened to `new`. Anything else answers 409.
 */
export const LEAD_TRANSITIONS: Readonly<Record<LeadStatus, readonly LeadStatus[]>> = {
  new: ['contacted', 'lost'],
  contacted: ['qualified', 'lost'],
  qualified: ['won', 'lost'],
  won: [],
  lost: ['new'],
};

/** Statuses from which leads.convert is allowed. */
export const LEAD_CONVERTIBLE_STATUSES: readonly LeadStatus[] = ['qualified'];

export function canMoveLead(from: LeadStatus, to: LeadStatus): boolean {
  return LEAD_TRANSITIONS[from].includes(to);
}

/** `null` clears the field on update; absent leaves it unchanged. */
const leadFields = {
  name: nameSchema,
  phone: phoneSchema,
  email: optionalEmailSchema,
  address: optionalText(300),
  location: optionalText(200),
  source: optionalText(80),
  planId: idSchema.nullable().optional(),
  /** Omitted on create: sales self-assign, other roles leave the lead unassigned. */
  assigneeId: idSchema.nullable().optional(),
  notes: optionalText(2000),
};

export const leadCreateInput = z.object(leadFields);
export type LeadCreateInput = z.infer<typeof leadCreateInput>;
/** The names of the fields staff type for a lead (insert, and what an edit may change). */
export const LEAD_FIELDS = leadCreateInput.keyof().options;

/** Every field may be left out on an edit. */
export const leadUpdateInput = leadCreateInput.partial().extend({ id: idSchema });
export type LeadUpdateInput = z.infer<typeof leadUpdateInput>;

export const leadSetStatusInput = z
  .object({
    id: idSchema,
    status: leadStatusSchema,
    /** Required when marking a lead lost. */
    reason: z.string().trim().max(500).optional(),
  })
  .refine((v) => v.status !== 'lost' || (v.reason !== undefined && v.reason.length > 0), {
    error: 'Say why the lead was lost',
    path: ['reason'],
  });
export type LeadSetStatusInput = z.infer<typeof leadSetStatusInput>;

export const leadConvertInput = z.object({
  id: idSchema,
  /** Creates a pending subscription on this plan along with the customer. */
  planId: idSchema.optional(),
});
export type LeadConvertInput = z.infer<typeof leadConvertInput>;

export const LEAD_SORTS = ['createdAt', 'updatedAt', 'name'] as const;

/** Filters shared by the list and the CSV export. */
export const leadFilterInput = z.object({
  search: searchSchema,
  status: leadStatusSchema.optional(),
  /** A user id, `me`, or `unassigned`. */
  assignee: z.union([z.enum(['me', 'unassigned']), idSchema]).optional(),
  planId: idSchema.optional(),
  createdFrom: isoDateTime.optional(),
  createdTo: isoDateTime.optional(),
  sort: z.enum(LEAD_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type LeadFilterInput = z.infer<typeof leadFilterInput>;

export const leadListInput = leadFilterInput.extend(pageInput.shape);
export type LeadListInput = z.infer<typeof leadListInput>;

export const leadSchema = z.object({
  id: idSchema,
  name: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  location: z.string().nullable(),
  source: z.string().nullable(),
  planId: idSchema.nullable(),
  planName: z.string().nullable(),
  assigneeId: idSchema.nullable(),
  assigneeName: z.string().nullable(),
  notes: z.string().nullable(),
  status: leadStatusSchema,
  lostReason: z.string().nullable(),
  convertedAt: z.string().nullable(),
  /** The customer this lead became, once won. */
  customerId: idSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Lead = z.infer<typeof leadSchema>;

export const leadPageSchema = pageOf(leadSchema);

/** Every editable field comes back in the output (a type error names any that would be dropped). */
const _leadFieldsInOutput: EditableInOutput<LeadCreateInput, Lead> = true;

export const leadConvertResult = z.object({
  lead: leadSchema,
  customerId: idSchema,
  accountNumber: z.string(),
  subscriptionId: idSchema.nullable(),
});
export type LeadConvertResult = z.infer<typeof leadConvertResult>;

/**
 * What leads.export / customers.export answer: where to download the CSV with the same filters.
 * The CSV itself is streamed by GET /api/leads/export (a plain HTTP route; tRPC speaks JSON only),
 * fetched with the bearer token.
 */
export const csvExportLinkSchema = z.object({
  path: z.string(),
  filename: z.string(),
  contentType: z.literal('text/csv'),
});
export type CsvExportLink = z.infer<typeof csvExportLinkSchema>;
