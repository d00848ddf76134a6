/**
 * pg-boss's statements run on OUR connection: a Drizzle transaction or the db handle, on either
 * engine. Enqueueing, the admin's retry/cancel and the test runner go through here, so a job is
 * written in the same transaction as its cause and no pg-boss instance is needed for it. (A `send`
 * on pg-boss's own connection inside a PGlite transaction would wait for the transaction that waits
 * for it: the embedded database has one connection.)
 */
import { queryRows, type Database } from '@netflow/db';
import { sql, type SQL } from 'drizzle-orm';
// Internal module of the pinned pg-boss (its statement builders); the package has no exports map.
import * as plans from 'pg-boss/dist/plans.js';
import { retryPolicyOf, type AnyDefinition } from './define';

export const BOSS_SCHEMA = 'pgboss';
export { plans };

/** pg-boss's `IDatabase` over a Drizzle handle: `$n` placeholders become Drizzle parameters. */
export function drizzleExecutor(db: Database) {
  return {
    async executeSql(text: string, values: unknown[] = []): Promise<{ rows: Record<string, unknown>[] }> {
      const chunks: SQL[] = [];
      let last = 0;
      for (const match of text.matchAll(/\$(\d+)/g)) {
        chunks.push(sql.raw(text.slice(last, match.index)));
        // sql.param keeps an array one parameter (a uuid[]), where a bare array would become a list.
        chunks.push(sql`${sql.param(values[Number(match[1]) - 1])}`);
        last = match.index + match[0].length;
      }
      chunks.push(sql.raw(text.slice(last)));
      return { rows: await queryRows(db, sql.join(chunks)) };
    },
  };
}

/** pg-boss's queue options for a definition (its retry policy is also sent with every job). */
/** Finished jobs (done, failed, cancelled) stay visible this long, then pg-boss's maintenance deletes them. */
export const KEEP_FINISHED_SECONDS = 30 * 24 * 3600;

export function queueOptions(def: AnyDefinition) {
  const p = retryPolicyOf(def);
  return {
    policy: 'standard',
    deleteAfterSeconds: KEEP_FINISHED_SECONDS,
    retryLimit: p.retryLimit,
    retryDelay: p.retryDelaySeconds,
    retryBackoff: p.retryBackoff,
    // Backoff doubles from retryDelay; capped at an hour so a long outage retries hourly.
    ...(p.retryBackoff ? { retryDelayMax: 3600 } : {}),
  };
}

/**
 * The queue's job table, creating the queue on `tx` when it does not exist yet (the server creates
 * every queue at start; this covers the CLI and tests). The advisory lock is pg-boss's own for
 * queue creation, so two transactions creating one queue wait for each other instead of failing.
 */
export async function ensureQueue(tx: Database, def: AnyDefinition): Promise<string> {
  const find = () => queryRows<{ table_name: string }>(tx, sql`select table_name from pgboss.queue where name = ${def.name}`);
  let [row] = await find();
  if (row) return row.table_name;
  await tx.execute(sql.raw(`select pg_advisory_xact_lock(${plans.advisoryLockKey(BOSS_SCHEMA, 'create-queue')})`));
  [row] = await find();
  if (!row) {
    await tx.execute(sql`select pgboss.create_queue(${def.name}, ${JSON.stringify(queueOptions(def))}::jsonb)`);
    [row] = await find();
  }
  if (!row) throw new Error(`queue ${def.name} could not be created`);
  return row.table_name;
}
