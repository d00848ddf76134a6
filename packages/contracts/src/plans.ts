/** Schemas of the plans module: what the ISP sells (PPPoE or hotspot, rate, price, validity). */
import { z } from 'zod';
import { amountCentsSchema, idSchema, optionalText, pageInput, pageOf, searchSchema } from './common';
import type { EditableInOutput } from './fields';

export const PLAN_TYPES = ['pppoe', 'hotspot'] as const;
export const planTypeSchema = z.enum(PLAN_TYPES);
export type PlanType = z.infer<typeof planTypeSchema>;

/** Prices live in a 32-bit column: a plan costs at most KES 1,000,000. */
export const MAX_PLAN_PRICE_CENTS = 1_000_000_00;
/** 64 kbit/s … 10 Gbit/s. */
const rateKbps = z
  .number()
  .int({ error: 'Whole kbit/s' })
  .min(64, { error: 'At least 64 kbit/s' })
  .max(10_000_000, { error: 'At most 10 Gbit/s' });

const planFields = {
  name: z.string().trim().min(2, { error: 'At least 2 characters' }).max(80),
  type: planTypeSchema,
  downloadKbps: rateKbps,
  uploadKbps: rateKbps,
  priceCents: amountCentsSchema.max(MAX_PLAN_PRICE_CENTS, { error: 'Price is too large' }),
  validityDays: z.number().int({ error: 'Whole days' }).min(1).max(366),
  active: z.boolean(),
  /** RouterOS PPP / hotspot user profile of the plan's subscribers; blank: the router's default. */
  routerProfile: optionalText(64),
};

export const createPlanInput = z.object({ ...planFields, active: planFields.active.default(true) });
export type CreatePlanInput = z.infer<typeof createPlanInput>;
/** The names of a plan's fields (insert, and what an edit may change). */
export const PLAN_FIELDS = createPlanInput.keyof().options;

/** Every field may be left out on an edit. */
export const updatePlanInput = z.object(planFields).partial().extend({ id: idSchema });
export type UpdatePlanInput = z.infer<typeof updatePlanInput>;

export const PLAN_SORTS = ['name', 'priceCents', 'createdAt'] as const;

export const listPlansInput = pageInput.extend({
  type: planTypeSchema.optional(),
  /** `true` / `false` as text, so the same filter works in a REST query string. */
  active: z.enum(['true', 'false']).optional(),
  search: searchSchema,
  sort: z.enum(PLAN_SORTS).default('priceCents'),
  order: z.enum(['asc', 'desc']).default('asc'),
});
export type ListPlansInput = z.infer<typeof listPlansInput>;

export const planSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  type: planTypeSchema,
  downloadKbps: z.number().int(),
  uploadKbps: z.number().int(),
  priceCents: z.number().int(),
  validityDays: z.number().int(),
  active: z.boolean(),
  routerProfile: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Plan = z.infer<typeof planSchema>;

export const planPageSchema = pageOf(planSchema);

/** Every editable field comes back in the output (a type error names any that would be dropped). */
const _planFieldsInOutput: EditableInOutput<CreatePlanInput, Plan> = true;
