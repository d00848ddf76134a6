/**
 * Schemas of the payments module: money received by M-Pesa, cash or bank, matched to a customer by
 * account number (never by phone alone), applied to a subscription, or left `unmatched` for finance.
 */
import { z } from 'zod';
import { amountCentsSchema, idSchema, isoDateTime, pageInput, pageOf, phoneSchema, searchSchema } from './common';

export const PAYMENT_METHODS = ['mpesa', 'cash', 'bank'] as const;
export const paymentMethodSchema = z.enum(PAYMENT_METHODS);
export type PaymentMethod = z.infer<typeof paymentMethodSchema>;

export const PAYMENT_STATUSES = ['applied', 'unmatched', 'reversed'] as const;
export const paymentStatusSchema = z.enum(PAYMENT_STATUSES);
export type PaymentStatus = z.infer<typeof paymentStatusSchema>;

/**
 * The external reference (M-Pesa TransID, bank slip, receipt number), compared trimmed and
 * upper-cased so "qgh7x2abcd" and "QGH7X2ABCD " are the same payment.
 */
export const paymentReferenceSchema = z
  .string()
  .trim()
  .toUpperCase()
  .pipe(
    z
      .string()
      .min(3, { error: 'At least 3 characters' })
      .max(64, { error: 'At most 64 characters' })
      .regex(/^[A-Z0-9][A-Z0-9./_-]*$/, { error: 'Use letters, digits, ".", "/", "_" or "-"' }),
  );

/** What the payer typed as the account (M-Pesa BillRefNumber), e.g. NF-000123. */
export const accountNumberSchema = z.string().trim().min(1, { error: 'Required' }).max(40);

const customerTarget = {
  /** Matched case-insensitively against customers' account numbers; unknown → `unmatched`. */
  accountNumber: accountNumberSchema.optional(),
  customerId: idSchema.optional(),
};

const needsTarget = (v: { accountNumber?: string | undefined; customerId?: string | undefined }) =>
  v.accountNumber !== undefined || v.customerId !== undefined;
const targetMessage = { error: 'Give an account number or a customer', path: ['accountNumber'] };

export const recordPaymentInput = z
  .object({
    ...customerTarget,
    method: paymentMethodSchema,
    reference: paymentReferenceSchema,
    amountCents: amountCentsSchema,
    /** When the money was received; defaults to now and may not lie in the future. */
    paidAt: isoDateTime.optional(),
    payerName: z.string().trim().max(120).optional(),
    payerPhone: phoneSchema.optional(),
  })
  .refine(needsTarget, targetMessage);
export type RecordPaymentInput = z.infer<typeof recordPaymentInput>;

export const assignPaymentInput = z.object({ id: idSchema, ...customerTarget }).refine(needsTarget, targetMessage);
export type AssignPaymentInput = z.infer<typeof assignPaymentInput>;

export const reversePaymentInput = z.object({
  id: idSchema,
  reason: z.string().trim().min(3, { error: 'Say why (at least 3 characters)' }).max(500),
});
export type ReversePaymentInput = z.infer<typeof reversePaymentInput>;

/** Moves an applied payment to the customer it should have gone to (one audited step, same reference). */
export const movePaymentInput = z.object({
  id: idSchema,
  customerId: idSchema,
  reason: z.string().trim().min(3, { error: 'Say why (at least 3 characters)' }).max(500),
});
export type MovePaymentInput = z.infer<typeof movePaymentInput>;

/** Customers an unmatched payment probably belongs to: by the payer's phone, or a near-miss account number. */
export const paymentSuggestionSchema = z.object({
  customerId: z.uuid(),
  name: z.string(),
  accountNumber: z.string(),
  phone: z.string().nullable(),
  reason: z.enum(['payer_phone', 'account_number']),
});
export type PaymentSuggestion = z.infer<typeof paymentSuggestionSchema>;

export const PAYMENT_SORTS = ['paidAt', 'createdAt', 'amountCents'] as const;

export const listPaymentsInput = pageInput.extend({
  status: paymentStatusSchema.optional(),
  method: paymentMethodSchema.optional(),
  customerId: idSchema.optional(),
  subscriptionId: idSchema.optional(),
  paidFrom: isoDateTime.optional(),
  paidTo: isoDateTime.optional(),
  /**
   * Over the reference, the account reference the payer typed, the payer's name and phone (any
   * Kenyan spelling: 07…, 2547…, +2547…).
   */
  search: searchSchema,
  sort: z.enum(PAYMENT_SORTS).default('paidAt'),
  order: z.enum(['asc', 'desc']).default('desc'),
});
export type ListPaymentsInput = z.infer<typeof listPaymentsInput>;

/** The list's filters without paging: what a payments export takes. */
export const paymentFilterInput = listPaymentsInput.omit({ cursor: true, limit: true, sort: true, order: true });
export type PaymentFilterInput = z.infer<typeof paymentFilterInput>;

export const paymentSchema = z.object({
  id: z.uuid(),
  method: paymentMethodSchema,
  reference: z.string(),
  amountCents: z.number().int(),
  accountReference: z.string().nullable(),
  payerName: z.string().nullable(),
  payerPhone: z.string().nullable(),
  customerId: z.uuid().nullable(),
  customerName: z.string().nullable(),
  accountNumber: z.string().nullable(),
  subscriptionId: z.uuid().nullable(),
  status: paymentStatusSchema,
  paidAt: z.string(),
  recordedById: z.uuid().nullable(),
  reversedAt: z.string().nullable(),
  reversedById: z.uuid().nullable(),
  reversalReason: z.string().nullable(),
  createdAt: z.string(),
});
export type Payment = z.infer<typeof paymentSchema>;

export const paymentPageSchema = pageOf(paymentSchema);

/**
 * What recording (or assigning) a payment did, so every client can say it truthfully:
 * - `renewed`: it bought `periods` whole periods; the subscription now runs until `expiresAt`
 *   (`reactivated` when it had been suspended); `balanceCents` is the credit left over;
 * - `credited`: the money went to the balance only. `shortOfRenewalCents` is what is still missing
 *   for one period of the subscription (null without one); `awaitingActivation` when that
 *   subscription is pending: the balance pays its first period when it is activated;
 * - `unmatched`: no customer has the account number; finance assigns it later.
 */
export const paymentOutcomeSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('renewed'),
    subscriptionId: z.uuid(),
    planName: z.string(),
    periods: z.number().int(),
    expiresAt: z.string(),
    reactivated: z.boolean(),
    balanceCents: z.number().int(),
  }),
  z.object({
    kind: z.literal('credited'),
    creditedCents: z.number().int(),
    balanceCents: z.number().int(),
    subscriptionId: z.uuid().nullable(),
    shortOfRenewalCents: z.number().int().nullable(),
    awaitingActivation: z.boolean(),
  }),
  z.object({ kind: z.literal('unmatched') }),
]);
export type PaymentOutcome = z.infer<typeof paymentOutcomeSchema>;

/** The answer to recording or assigning a payment: the payment and what the server did with it. */
export const recordedPaymentSchema = paymentSchema.extend({ outcome: paymentOutcomeSchema });
export type RecordedPayment = z.infer<typeof recordedPaymentSchema>;

export const CUSTOMER_PAYMENTS_LIMIT = 20;

/**
 * One customer's payments as the front desk sees them: the latest applied/reversed ones, and
 * unmatched payments whose payer phone is the customer's (money that arrived but was not matched).
 */
export const customerPaymentsSchema = z.object({
  payments: z.array(paymentSchema),
  unmatchedByPhone: z.array(paymentSchema),
});
export type CustomerPayments = z.infer<typeof customerPaymentsSchema>;
