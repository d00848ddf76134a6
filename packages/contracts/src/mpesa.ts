/**
 * M-Pesa (Safaricom Daraja): what staff send to start an STK push and read back, and the exact
 * shapes Daraja posts to the webhooks (C2B validation/confirmation, the STK callback).
 */
import { z } from 'zod';
import { accountNumberSchema } from './payments';
import { toDarajaPhone } from './phone';

/** Daraja takes whole shillings; one STK push moves at most KES 250,000. */
export const STK_MAX_CENTS = 250_000_00;

export const stkPushInput = z.object({
  accountNumber: accountNumberSchema,
  /** Any Kenyan spelling (0712…, +254712…, 254712…); sent to Daraja as 2547XXXXXXXX. */
  phone: z
    .string()
    .trim()
    .max(20)
    .refine((v) => toDarajaPhone(v) !== null, { error: 'Enter a Safaricom number such as 0712 345 678' }),
  amountCents: z
    .number()
    .int({ error: 'Amount must be whole cents' })
    .positive({ error: 'Amount must be positive' })
    .max(STK_MAX_CENTS, { error: 'M-Pesa takes at most KES 250,000 per payment' })
    .refine((v) => v % 100 === 0, { error: 'M-Pesa takes whole shillings: leave out the cents' }),
});
export type StkPushInput = z.infer<typeof stkPushInput>;

export const STK_STATUSES = ['pending', 'paid', 'failed'] as const;
export const stkStatusSchema = z.enum(STK_STATUSES);
export type StkStatus = z.infer<typeof stkStatusSchema>;

export const stkPushStartedSchema = z.object({ checkoutRequestId: z.string(), status: z.literal('pending') });
export type StkPushStarted = z.infer<typeof stkPushStartedSchema>;

export const stkPushIdInput = z.object({ checkoutRequestId: z.string().trim().min(1).max(100) });

export const stkPushSchema = z.object({
  checkoutRequestId: z.string(),
  status: stkStatusSchema,
  /** What staff read: "Paid: receipt …", "Cancelled by the customer", "Waiting for the customer's PIN"… */
  message: z.string(),
  resultCode: z.string().nullable(),
  receipt: z.string().nullable(),
  paymentId: z.uuid().nullable(),
  customerId: z.uuid(),
  accountNumber: z.string(),
  phone: z.string(),
  amountCents: z.number().int(),
  createdAt: z.string(),
  resolvedAt: z.string().nullable(),
});
export type StkPush = z.infer<typeof stkPushSchema>;

/**
 * Daraja's ResultCode (STK callback and status query) → a sentence staff understand. Codes not
 * listed fall back to Daraja's own ResultDesc.
 */
export const STK_RESULT_MESSAGES: Readonly<Record<string, string>> = {
  '0': 'Paid',
  '1': 'The customer’s M-Pesa balance is too low',
  '17': 'M-Pesa refused the same amount from this phone twice within 2 minutes; wait and try again',
  '1019': 'The request expired before the customer answered',
  '1025': 'M-Pesa could not send the prompt; try again',
  '1032': 'Cancelled by the customer',
  '1037': 'The phone could not be reached (off, out of coverage or no SIM toolkit)',
  '2001': 'The customer entered a wrong M-Pesa PIN',
  '9999': 'M-Pesa could not send the prompt; try again',
};

export function stkResultMessage(code: string | number, desc?: string | null): string {
  const known = STK_RESULT_MESSAGES[String(code)];
  if (known) return known;
  return desc ? `M-Pesa: ${desc}` : `M-Pesa answered code ${String(code)}`;
}

// --- What Daraja posts ---------------------------------------------------------------------------

const darajaText = z.string().max(200);

/** C2B validation/confirmation body: every field a string (masked MSISDN, e.g. "2547 ***** 126"). */
export const c2bCallbackSchema = z.object({
  TransactionType: darajaText.optional(),
  /** M-Pesa's receipt number, e.g. "RKTQDM7W6S": the payment's reference. */
  TransID: z
    .string()
    .trim()
    .regex(/^[A-Za-z0-9]{4,32}$/),
  /** YYYYMMDDHHmmss, Nairobi time. */
  TransTime: z.string().regex(/^\d{14}$/),
  /** "2500.00" */
  TransAmount: z.string().regex(/^\d{1,9}(\.\d{1,2})?$/),
  BusinessShortCode: darajaText.optional(),
  BillRefNumber: darajaText.optional().default(''),
  InvoiceNumber: darajaText.optional(),
  OrgAccountBalance: darajaText.optional(),
  ThirdPartyTransID: darajaText.optional(),
  MSISDN: darajaText.optional(),
  FirstName: darajaText.optional(),
  MiddleName: darajaText.optional(),
  LastName: darajaText.optional(),
});
export type C2BCallback = z.infer<typeof c2bCallbackSchema>;

const callbackItem = z.object({ Name: z.string(), Value: z.union([z.string(), z.number()]).optional() });

/** The STK push result Daraja posts to CallBackURL; metadata only on success. */
export const stkCallbackSchema = z.object({
  Body: z.object({
    stkCallback: z.object({
      MerchantRequestID: z.string().max(100),
      CheckoutRequestID: z.string().min(1).max(100),
      ResultCode: z.union([z.number().int(), z.string().regex(/^\d{1,6}$/)]),
      ResultDesc: z.string().max(500),
      CallbackMetadata: z.object({ Item: z.array(callbackItem).max(20) }).optional(),
    }),
  }),
});
export type StkCallback = z.infer<typeof stkCallbackSchema>;
