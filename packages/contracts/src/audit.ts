/**
 * Schemas of the audit module: the append-only trail as admins and managers read it, newest first,
 * with filters on fixed columns and an opaque cursor.
 */
import { z } from 'zod';
import { idSchema, isoDateTime, pageInput, pageOf } from './common';

export const AUDIT_OUTCOMES = ['success', 'failure', 'denied'] as const;
export const auditOutcomeSchema = z.enum(AUDIT_OUTCOMES);
export type AuditOutcome = z.infer<typeof auditOutcomeSchema>;

export const auditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  actorId: z.string().nullable(),
  actorLabel: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  action: z.string(),
  entityType: z.string(),
  entityId: z.string().nullable(),
  outcome: auditOutcomeSchema,
  /** Internal detail (e.g. why a sign-in failed); shown to auditors, never to the person who failed. */
  reason: z.string().nullable(),
  changes: z.record(z.string(), z.unknown()).nullable(),
  /** The acting staff member's current name (null for the system or a removed user). */
  actorName: z.string().nullable(),
  /** What the entity is called, resolved for display: a customer's name and account number, a payment's reference … */
  entityName: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

const filterText = z.string().trim().min(1).max(100).optional();

export const listAuditInput = pageInput.extend({
  /** Exact action, e.g. `auth.login`; a trailing `.*` matches a family, e.g. `user.*`. */
  action: z
    .string()
    .trim()
    .max(100)
    .regex(/^[a-z_]+(\.[a-z_]+)*(\.\*)?$/, { error: 'Use an action such as auth.login or user.*' })
    .optional(),
  entityType: filterText,
  entityId: filterText,
  /** Entries about this customer and about its subscriptions, payments and tickets. */
  customerId: idSchema.optional(),
  actorId: idSchema.optional(),
  outcome: auditOutcomeSchema.optional(),
  /** Entries at or after this instant. */
  from: isoDateTime.optional(),
  /** Entries before this instant. */
  to: isoDateTime.optional(),
});
export type ListAuditInput = z.infer<typeof listAuditInput>;
export const auditPage = pageOf(auditEntrySchema);
