import { bigint, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { instant } from './_columns';
import { users } from './users';

/**
 * Sign-in throttling per (account, client network): an IPv4 /24 or an IPv6 /64. A network that
 * fails `threshold` times in a row is locked (with backoff); other networks, the owner's among
 * them, are not. `lastSuccessAt` marks the networks the owner signs in from.
 */
export const signInNetworks = pgTable(
  'sign_in_networks',
  {
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    network: text().notNull(),
    /** Failures since the last success or the end of the last lock. */
    failures: integer().notNull().default(0),
    /** Locks in a row (the backoff level); reset by a success or a long quiet spell. */
    locks: integer().notNull().default(0),
    lockedUntil: instant(),
    lastFailureAt: instant(),
    lastSuccessAt: instant(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.network] })],
);

/** One row per failed sign-in (any network), kept for an hour: the per-account hourly ceiling. */
export const signInFailures = pgTable(
  'sign_in_failures',
  {
    id: bigint({ mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    userId: uuid()
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    network: text().notNull(),
    at: instant().notNull().defaultNow(),
  },
  (t) => [index('sign_in_failures_user_at_idx').on(t.userId, t.at)],
);
