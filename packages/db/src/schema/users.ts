import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';

export const roleEnum = pgEnum('role', ['admin', 'manager', 'sales', 'support', 'technician', 'finance']);
export const userStatusEnum = pgEnum('user_status', ['pending', 'active', 'disabled']);

/**
 * Staff accounts. E-mail is stored lower-cased; the unique index on lower() guards it anyway.
 *
 * An account request (self-registration) is a `pending` row without a password: the person sets one
 * only with the single-use activation code an admin's approval issues (stored as a SHA-256 hash).
 */
export const users = pgTable(
  'users',
  {
    id: id(),
    name: text().notNull(),
    email: text().notNull(),
    phone: text(),
    /** argon2id; null while nobody has set a password (a request, or approved and not yet activated). */
    passwordHash: text(),
    role: roleEnum().notNull().default('sales'),
    status: userStatusEnum().notNull().default('pending'),
    /**
     * For the staff list only: failed sign-ins since the last success, and the latest instant until
     * which some sign-in to this account is refused. The decisions are taken from
     * `sign_in_networks` and `sign_in_failures`.
     */
    failedLoginCount: integer().notNull().default(0),
    lockedUntil: instant(),
    /** SHA-256 of the pending activation code, and when it stops working; both null when none. */
    activationCodeHash: text(),
    activationExpiresAt: instant(),
    /** Tokens issued before this instant are refused (logout, password change, role change). */
    sessionsValidAfter: instant().notNull().defaultNow(),
    lastLoginAt: instant(),
    /**
     * Two-step sign-in (TOTP, RFC 6238). Secrets are sealed with the app's secret box (aad
     * `totp:<userId>` / `totp-pending:<userId>`), never returned in any payload. The pending secret
     * waits for its first code; `mfaLastStep` is the last accepted 30 s time step (a code is single use).
     */
    mfaSecret: text(),
    mfaPendingSecret: text(),
    mfaEnabledAt: instant(),
    mfaLastStep: bigint({ mode: 'number' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('users_email_lower_key').on(sql`lower(${t.email})`),
    uniqueIndex('users_phone_key').on(t.phone),
    index('users_role_status_idx').on(t.role, t.status),
    index('users_name_trgm_idx').using('gin', t.name.op('gin_trgm_ops')),
    index('users_email_trgm_idx').using('gin', t.email.op('gin_trgm_ops')),
  ],
);
