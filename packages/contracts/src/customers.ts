/** Schemas of the customers module: account holders, their detail view and list filters. */
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

export const CUSTOMER_STATUSES = ['active', 'suspended', 'inactive'] as const;
export const customerStatusSchema = z.enum(CUSTOMER_STATUSES);
export type CustomerStatus = z.infer<typeof customerStatusSchema>;

/** Account numbers look like NF-000123; customers type them as the M-Pesa BillRefNumber. */
export const ACCOUNT_NUMBER_PATTERN = /^NF-\d{6,}$/;

/** Longest staff note on a customer. */
export const CUSTOMER_NOTES_MAX = 2000;

/**
 * The fields staff type for a customer: the one list the API's insert and patch, and the web form,
 * are derived from. A new field is added here (plus the column, its migration and the form).
 */
const customerFields = {
  name: nameSchema,
  phone: phoneSchema,
  email: optionalEmailSchema,
  address: optionalText(300),
  location: optionalText(200),
  /** Free-text notes for staff (access instructions, preferred contact times …). */
  notes: optionalText(CUSTOMER_NOTES_MAX),
};

export const customerCreateInput = z.object(customerFields);
export type CustomerCreateInput = z.infer<typeof customerCreateInput>;
/** The names of the fields staff type (create form, insert). */
export const CUSTOMER_FIELDS = customerCreateInput.keyof().options;

/** Every field may be left out on an edit; the account number and balance are never edited by hand. */
const customerEditable = customerCreateInput.partial().extend({ status: customerStatusSchema.optional() });
/** The names of the fields an edit may change (what the patch diffs and audits). */
export const CUSTOMER_UPDATE_FIELDS = customerEditable.keyof().options;

export const customerUpdateInput = customerEditable.extend({ id: idSchema });
export type CustomerUpdateInput = z.infer<typeof customerUpdateInput>;

export const CUSTOMER_SORTS = ['createdAt', 'updatedAt', 'name', 'accountNumber'] as const;

/** Filters shared by the list and the CSV export. */
export const customerFilterInput = z.object({
  /** Over name, phone, e-mail and account number. */
  search: searchSchema,
  status: customerStatusSchema.optional(),
  /** Customers with a subscription (in any status but cancelled) on this plan. */
  planId: idSchema.optional(),
  createdFrom: isoDateTime.optional(),
  createdTo: isoDateTime.optional(),
  sort: z.enum(CUSTOMER_SORTS).default('createdAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type CustomerFilterInput = z.infer<typeof customerFilterInput>;

export const customerListInput = customerFilterInput.extend(pageInput.shape);
export type CustomerListInput = z.infer<typeof customerListInput>;

export const customerSchema = z.object({
  id: idSchema,
  accountNumber: z.string(),
  name: z.string(),
  phone: z.string(),
  email: z.string().nullable(),
  address: z.string().nullable(),
  location: z.string().nullable(),
  notes: z.string().nullable(),
  status: customerStatusSchema,
  balanceCents: z.number().int(),
  leadId: idSchema.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof customerSchema>;

export const customerPageSchema = pageOf(customerSchema);

/** Every editable field comes back in the output (a type error names any that would be dropped). */
const _customerFieldsInOutput: EditableInOutput<z.infer<typeof customerEditable>, Customer> = true;

export const customerSubscriptionSummary = z.object({
  id: idSchema,
  planId: idSchema,
  planName: z.string(),
  status: z.enum(['pending', 'active', 'suspended', 'cancelled']),
  pppoeUsername: z.string().nullable(),
  startsAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});

export const customerPaymentSummary = z.object({
  id: idSchema,
  method: z.enum(['mpesa', 'cash', 'bank']),
  reference: z.string(),
  amountCents: z.number().int(),
  status: z.enum(['applied', 'unmatched', 'reversed']),
  paidAt: z.string(),
});

export const customerTicketSummary = z.object({
  id: idSchema,
  subject: z.string(),
  priority: z.enum(['low', 'normal', 'high', 'urgent']),
  status: z.enum(['new', 'open', 'pending', 'resolved', 'closed']),
  assigneeId: idSchema.nullable(),
  createdAt: z.string(),
});

/** How many recent payments the detail view carries. */
export const CUSTOMER_RECENT_PAYMENTS = 10;

/**
 * The detail view. Sections the caller's role may not read (e.g. payments without payments.read)
 * are null rather than empty, so the client can tell "none" from "not shown".
 */
export const customerDetailSchema = customerSchema.extend({
  subscriptions: z.array(customerSubscriptionSummary).nullable(),
  recentPayments: z.array(customerPaymentSummary).nullable(),
  openTickets: z.array(customerTicketSummary).nullable(),
});
export type CustomerDetail = z.infer<typeof customerDetailSchema>;
