import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, id, instant } from './_columns';
import { users } from './users';

/**
 * Single-use recovery codes of two-step sign-in: ten per enrolment, stored as SHA-256 hashes (the
 * codes are random, 50 bits each, so no dictionary to try), shown once. A fresh set deletes the old.
 */
export const mfaRecoveryCodes = pgTable(
  'mfa_recovery_codes',
  {
    id: id(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    codeHash: text().notNull(),
    usedAt: instant(),
    createdAt: createdAt(),
  },
  (t) => [index('mfa_recovery_codes_user_idx').on(t.userId)],
);
