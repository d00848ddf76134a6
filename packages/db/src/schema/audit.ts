import { bigint, index, jsonb, pgEnum, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { instant } from './_columns';
import { users } from './users';

export const auditOutcomeEnum = pgEnum('audit_outcome', ['success', 'failure', 'denied']);

/**
 * Append-only audit trail. Each row's `hash` covers its content and the previous row's hash, so
 * an edited or deleted row breaks the chain (`audit:verify` finds it). A trigger in the
 * migrations refuses UPDATE, DELETE and TRUNCATE.
 */
export const auditLog = pgTable(
  'audit_log',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: instant().notNull().defaultNow(),
    actorId: uuid().references(() => users.id),
    /** E-mail or system name at the time, kept even if the user is renamed. */
    actorLabel: text(),
    ip: text(),
    requestId: text(),
    action: text().notNull(),
    entityType: text().notNull(),
    entityId: text(),
    outcome: auditOutcomeEnum().notNull(),
    /** Internal only (e.g. why a login failed); never sent to the person who failed. */
    reason: text(),
    changes: jsonb().$type<Record<string, unknown>>(),
    prevHash: text().notNull(),
    hash: text().notNull(),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.id),
    index('audit_log_entity_idx').on(t.entityType, t.entityId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
  ],
);
