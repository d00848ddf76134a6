/**
 * pg-boss's job table as Drizzle sees it, for the admin queries only. Declared here rather than in
 * packages/db/src/schema: pg-boss owns and migrates the table, so drizzle-kit must not manage it.
 */
import { integer, jsonb, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const pgboss = pgSchema('pgboss');

export const bossJobs = pgboss.table('job', {
  id: uuid().notNull(),
  name: text().notNull(),
  state: text().notNull(),
  data: jsonb(),
  output: jsonb(),
  retryCount: integer().notNull(),
  retryLimit: integer().notNull(),
  singletonKey: text(),
  createdOn: timestamp({ withTimezone: true }).notNull(),
  startAfter: timestamp({ withTimezone: true }).notNull(),
  startedOn: timestamp({ withTimezone: true }),
  completedOn: timestamp({ withTimezone: true }),
});

export const bossQueues = pgboss.table('queue', {
  name: text().notNull(),
  tableName: text().notNull(),
});
