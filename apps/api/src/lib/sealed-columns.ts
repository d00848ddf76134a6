/**
 * Every database column holding a value sealed with the secret box (lib/secrets.ts), and the
 * re-sealing `pnpm secrets:rotate` runs after APP_ENCRYPTION_KEY changes. A module that stores a
 * sealed value adds one entry here, so rotation covers it without further code.
 */
import { routers, subscriptions, users, type Database } from '@netflow/db';
import { and, asc, eq, getTableColumns, gt, isNotNull, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import { SecretOpenError, type SecretBox } from './secrets';

export interface SealedColumn {
  /** Names the entry in the command's output, e.g. `users.mfa_secret`. */
  name: string;
  table: PgTable;
  /** The row's key: a unique, ordered column (keyset batches walk it). */
  id: PgColumn;
  column: PgColumn;
  /** The additional data the value was sealed with; must match what the module passes to seal/open. */
  aad(row: { id: string }): string;
}

export const SEALED_COLUMNS: readonly SealedColumn[] = [
  { name: 'users.mfa_secret', table: users, id: users.id, column: users.mfaSecret, aad: (row) => `totp:${row.id}` },
  { name: 'users.mfa_pending_secret', table: users, id: users.id, column: users.mfaPendingSecret, aad: (row) => `totp-pending:${row.id}` },
  {
    name: 'routers.password_sealed',
    table: routers,
    id: routers.id,
    column: routers.passwordSealed,
    aad: (row) => `router:${row.id}:password`,
  },
  {
    name: 'subscriptions.service_password_sealed',
    table: subscriptions,
    id: subscriptions.id,
    column: subscriptions.servicePasswordSealed,
    aad: (row) => `subscription:${row.id}:service-password`,
  },
];

export interface RotationCount {
  name: string;
  /** Sealed values looked at. */
  scanned: number;
  /** Re-sealed under the current key. */
  resealed: number;
  /** Already under the current key: left alone. */
  current: number;
  /** Did not open under any configured key (left alone; the command exits non-zero). */
  failed: number;
  /** Changed by someone else between read and write (left to the next run). */
  skipped: number;
}

/**
 * Re-seals, under the box's current key, every value of `columns` sealed under another one
 * (a previous key the box still opens). Walks each table in keyset batches of `batchSize`, each
 * batch in its own transaction; a value is replaced only if it is still the one read, so a change
 * made meanwhile wins. Safe to run again: current values are not touched.
 */
export async function rotateSealedColumns(
  db: Database,
  box: SecretBox,
  options: { batchSize?: number; columns?: readonly SealedColumn[]; onBatch?: (count: RotationCount) => void } = {},
): Promise<RotationCount[]> {
  const batchSize = options.batchSize ?? 500;
  const counts: RotationCount[] = [];
  for (const entry of options.columns ?? SEALED_COLUMNS) {
    const count: RotationCount = { name: entry.name, scanned: 0, resealed: 0, current: 0, failed: 0, skipped: 0 };
    // The update names the column by its schema property (the SQL name depends on the casing option).
    const key = Object.entries(getTableColumns(entry.table)).find(([, column]) => column === entry.column)?.[0];
    if (!key) throw new Error(`${entry.name}: the column is not in its table`);
    let after: string | null = null;
    for (;;) {
      const where: SQL | undefined = after === null ? isNotNull(entry.column) : and(isNotNull(entry.column), gt(entry.id, after));
      const rows = (await db
        .select({ id: entry.id, value: entry.column })
        .from(entry.table)
        .where(where)
        .orderBy(asc(entry.id))
        .limit(batchSize)) as { id: string; value: string }[];
      if (rows.length === 0) break;
      await db.transaction(async (tx) => {
        for (const row of rows) {
          count.scanned += 1;
          if (!box.isStale(row.value)) {
            count.current += 1;
            continue;
          }
          const aad = entry.aad({ id: row.id });
          let plain: string;
          try {
            plain = box.open(row.value, aad);
          } catch (error) {
            if (!(error instanceof SecretOpenError)) throw error;
            count.failed += 1;
            continue;
          }
          const updated = await tx
            .update(entry.table)
            .set({ [key]: box.seal(plain, aad) })
            .where(and(eq(entry.id, row.id), eq(entry.column, row.value)))
            .returning({ id: entry.id });
          if (updated.length > 0) count.resealed += 1;
          else count.skipped += 1;
        }
      });
      after = rows.at(-1)?.id ?? null;
      options.onBatch?.(count);
      if (rows.length < batchSize) break;
    }
    counts.push(count);
  }
  return counts;
}
