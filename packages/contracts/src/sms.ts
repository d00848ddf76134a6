/**
 * Schemas of the SMS module: the four automatic messages' templates (placeholders, rendering,
 * segment counting shared by the API and the editor), messages and a customer's opt-out.
 */
import { z } from 'zod';
import { idSchema, textSchema } from './common';

export const SMS_TEMPLATE_KEYS = ['receipt', 'reminder', 'suspension', 'restoration'] as const;
export const smsTemplateKeySchema = z.enum(SMS_TEMPLATE_KEYS);
export type SmsTemplateKey = z.infer<typeof smsTemplateKeySchema>;

export const SMS_TEMPLATE_LABELS: Record<SmsTemplateKey, string> = {
  receipt: 'Payment receipt',
  reminder: 'Expiry reminder',
  suspension: 'Service suspended',
  restoration: 'Service restored',
};

/** Every placeholder a template may use, with what it becomes. */
export const SMS_PLACEHOLDERS = {
  name: "the customer's name",
  account: 'the account number (NF-000123)',
  amount: 'the amount paid (KES 1,500)',
  balance: "the customer's balance after the event (KES 200)",
  plan: 'the plan name',
  expiry: 'the service expiry date in Nairobi time (05 Dec 2026)',
  paybill: 'the M-Pesa paybill number (SMS_PAYBILL)',
} as const;
export type SmsPlaceholder = keyof typeof SMS_PLACEHOLDERS;
export const SMS_PLACEHOLDER_NAMES = Object.keys(SMS_PLACEHOLDERS) as SmsPlaceholder[];

export const DEFAULT_SMS_TEMPLATES: Record<SmsTemplateKey, string> = {
  receipt: 'Dear {name}, we have received {amount} for account {account}. Your {plan} service runs until {expiry}. Balance: {balance}.',
  reminder: 'Dear {name}, your {plan} internet expires on {expiry}. Pay via M-Pesa paybill {paybill}, account {account}, to stay online.',
  suspension: 'Dear {name}, your {plan} internet has been suspended. Pay via M-Pesa paybill {paybill}, account {account}, to restore it.',
  restoration: 'Dear {name}, your {plan} internet is back on until {expiry}. Thank you for your payment.',
};

/** Longest template body: four segments of plain text. */
export const SMS_TEMPLATE_MAX = 612;

const PLACEHOLDER_PATTERN = /\{([^{}]*)\}/g;

/** Placeholders used in `body` that are not known, in order of first use. */
export function unknownPlaceholders(body: string): string[] {
  const unknown = new Set<string>();
  for (const match of body.matchAll(PLACEHOLDER_PATTERN)) {
    const name = match[1] ?? '';
    if (!(name in SMS_PLACEHOLDERS)) unknown.add(name);
  }
  return [...unknown];
}

/** Replaces each known `{placeholder}` with its value (a missing value becomes an empty string). */
export function renderSmsTemplate(body: string, values: Partial<Record<SmsPlaceholder, string>>): string {
  return body.replace(PLACEHOLDER_PATTERN, (whole, name: string) =>
    name in SMS_PLACEHOLDERS ? (values[name as SmsPlaceholder] ?? '') : whole,
  );
}

// GSM 03.38: the basic set costs one septet, the extension set two; anything else forces UCS-2.
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM_EXTENDED = '^{}\\[~]|€\f';

export interface SmsSegments {
  encoding: 'GSM-7' | 'UCS-2';
  /** Characters as the network counts them (septets for GSM-7, UTF-16 units for UCS-2). */
  length: number;
  segments: number;
}

/** How many SMS parts a text takes (160/153 GSM-7 characters, 70/67 UCS-2 units per part). */
export function smsSegments(text: string): SmsSegments {
  let septets = 0;
  for (const ch of text) {
    if (GSM_BASIC.includes(ch)) septets += 1;
    else if (GSM_EXTENDED.includes(ch)) septets += 2;
    else {
      const units = text.length;
      return { encoding: 'UCS-2', length: units, segments: units === 0 ? 0 : units <= 70 ? 1 : Math.ceil(units / 67) };
    }
  }
  return { encoding: 'GSM-7', length: septets, segments: septets === 0 ? 0 : septets <= 160 ? 1 : Math.ceil(septets / 153) };
}

const segmentsSchema = z.object({ encoding: z.enum(['GSM-7', 'UCS-2']), length: z.number().int(), segments: z.number().int() });

/** A template body: known placeholders only, so a typo never reaches a customer as "{nmae}". */
export const smsTemplateBodySchema = textSchema
  .trim()
  .min(1, { error: 'Required' })
  .max(SMS_TEMPLATE_MAX, { error: `At most ${SMS_TEMPLATE_MAX} characters` })
  .superRefine((body, ctx) => {
    const unknown = unknownPlaceholders(body);
    if (unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `Unknown placeholder${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `{${u}}`).join(', ')}; use ${SMS_PLACEHOLDER_NAMES.map((n) => `{${n}}`).join(', ')}`,
      });
    }
  });

export const smsTemplateSchema = z.object({
  key: smsTemplateKeySchema,
  label: z.string(),
  body: z.string(),
  defaultBody: z.string(),
  updatedAt: z.string().nullable(),
  updatedByName: z.string().nullable(),
  /** Of the body with sample values filled in. */
  sample: segmentsSchema,
});
export type SmsTemplate = z.infer<typeof smsTemplateSchema>;

export const smsTemplateListSchema = z.object({ items: z.array(smsTemplateSchema), placeholders: z.record(z.string(), z.string()) });

export const smsTemplateKeyInput = z.object({ key: smsTemplateKeySchema });
export const smsTemplateUpdateInput = z.object({ key: smsTemplateKeySchema, body: smsTemplateBodySchema });
export type SmsTemplateUpdateInput = z.infer<typeof smsTemplateUpdateInput>;

/** Preview the saved template, or `body` as typed (not saved), with sample values or a chosen customer's. */
export const smsPreviewInput = z.object({
  key: smsTemplateKeySchema,
  body: smsTemplateBodySchema.optional(),
  customerId: idSchema.optional(),
});
export type SmsPreviewInput = z.infer<typeof smsPreviewInput>;

export const smsPreviewSchema = segmentsSchema.extend({
  text: z.string(),
  values: z.record(z.string(), z.string()),
  /** True when sample values were used (no customer chosen). */
  sample: z.boolean(),
  warnings: z.array(z.string()),
});
export type SmsPreview = z.infer<typeof smsPreviewSchema>;

export const SMS_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'skipped'] as const;
export const smsStatusSchema = z.enum(SMS_STATUSES);
export type SmsStatus = z.infer<typeof smsStatusSchema>;

export const smsMessageSchema = z.object({
  id: idSchema,
  customerId: idSchema,
  templateKey: smsTemplateKeySchema,
  phone: z.string().nullable(),
  body: z.string().nullable(),
  status: smsStatusSchema,
  provider: z.string().nullable(),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  cost: z.string().nullable(),
  deliveryStatus: z.string().nullable(),
  failureReason: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
  deliveredAt: z.string().nullable(),
  failedAt: z.string().nullable(),
});
export type SmsMessage = z.infer<typeof smsMessageSchema>;

export const smsCustomerInput = z.object({ customerId: idSchema });

/** A customer's SMS panel. `messages` is null for roles that may not read them (they may still switch the opt-out). */
export const smsCustomerSchema = z.object({
  customerId: idSchema,
  optOut: z.boolean(),
  optOutAt: z.string().nullable(),
  optOutByName: z.string().nullable(),
  messages: z.array(smsMessageSchema).nullable(),
});
export type SmsCustomer = z.infer<typeof smsCustomerSchema>;

export const smsOptOutInput = z.object({ customerId: idSchema, optOut: z.boolean() });
export type SmsOptOutInput = z.infer<typeof smsOptOutInput>;

/** How many recent messages the customer panel shows. */
export const SMS_RECENT_MESSAGES = 20;
