import { sql } from 'drizzle-orm';
import { index, integer, pgEnum, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';
import { createdAt, id, instant, updatedAt } from './_columns';

export const roleEnum = pgEnum('role', ['admin', 'manager', 'sales', 'support', 'technician', 'finance']);
export const userStatusEnum = pgEnum('user_status', ['pending', 'active', 'disabled']);

/** Staff accounts. E-mail is stored lower-cased; the unique index on lower() guards it anyway. */
export const users = pgTable(
  'users',
  {
    id: id(),
    name: text().notNull(),
    email: text().notNull(),
    phone: text(),
    passwordHash: text().notNull(),
    role: roleEnum().notNull().default('sales'),
    status: userStatusEnum().notNull().default('pending'),
    failedLoginCount: integer().notNull().default(0),
    lockedUntil: instant(),
    /** Tokens issued before this instant are refused (logout, password change, role change). */
    sessionsValidAfter: instant().notNull().defaultNow(),
    lastLoginAt: instant(),
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
