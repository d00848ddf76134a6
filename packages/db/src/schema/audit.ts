import { bigint, index, jsonb, pgEnum, pgTable, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { instant } from './_columns';
import { users } from './users';

export const auditOutcomeEnum = pgEnum('audit_outcome', ['success', 'failure', 'denied']);

/**
 * Append-only audit trail. Each row's `hash` covers its content and the previous row's hash, so
 * an edited or deleted row breaks the chain (`audit:verify` finds it). Version 2 rows are keyed
 * (HMAC-SHA256 under AUDIT_KEY), so someone with write access to the database alone cannot
 * recompute them; version 1 rows (plain SHA-256) are the ones written before keying. A trigger in
 * the migrations refuses UPDATE, DELETE and TRUNCATE.
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
    /** 1: SHA-256 (rows from before keying); 2: HMAC-SHA256 under AUDIT_KEY. Rows before the migration get 1. */
    hashVersion: smallint().notNull().default(1),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_idx').on(t.actorId, t.id),
    index('audit_log_entity_idx').on(t.entityType, t.entityId, t.id),
    index('audit_log_action_idx').on(t.action, t.id),
  ],
);
