/** Schemas of the activities module: the timeline of notes and events on a lead or a customer. */
import { z } from 'zod';
import { idSchema, pageInput, pageOf } from './common';

export const ACTIVITY_KINDS = ['note', 'call', 'visit', 'status_change', 'conversion', 'payment', 'subscription', 'ticket', 'sms'] as const;
export const activityKindSchema = z.enum(ACTIVITY_KINDS);
export type ActivityKind = z.infer<typeof activityKindSchema>;

/** What staff may write by hand; the other kinds are events written by the services. */
export const MANUAL_ACTIVITY_KINDS = ['note', 'call', 'visit'] as const;

/** Exactly one of leadId and customerId. */
const oneParent = <T extends { leadId?: string | undefined; customerId?: string | undefined }>(v: T) =>
  (v.leadId === undefined) !== (v.customerId === undefined);
const oneParentError = { error: 'Give exactly one of leadId and customerId', path: ['leadId'] };

export const activityListInput = pageInput
  .extend({ leadId: idSchema.optional(), customerId: idSchema.optional() })
  .refine(oneParent, oneParentError);
export type ActivityListInput = z.infer<typeof activityListInput>;

const activityBody = {
  kind: z.enum(MANUAL_ACTIVITY_KINDS).default('note'),
  body: z.string().trim().min(1, { error: 'Required' }).max(4000),
};

export const activityCreateInput = z
  .object({ leadId: idSchema.optional(), customerId: idSchema.optional(), ...activityBody })
  .refine(oneParent, oneParentError);
export type ActivityCreateInput = z.infer<typeof activityCreateInput>;

/** The REST twins address the parent in the path: /leads/{id}/activities, /customers/{id}/activities. */
export const activityListForParentInput = pageInput.extend({ id: idSchema });
export const activityCreateForParentInput = z.object({ id: idSchema, ...activityBody });

export const activitySchema = z.object({
  id: idSchema,
  leadId: idSchema.nullable(),
  customerId: idSchema.nullable(),
  kind: activityKindSchema,
  body: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  actorId: idSchema.nullable(),
  actorName: z.string().nullable(),
  createdAt: z.string(),
});
export type Activity = z.infer<typeof activitySchema>;

export const activityPageSchema = pageOf(activitySchema);
