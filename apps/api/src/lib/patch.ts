/**
 * One way to write a record from a contract's field list:
 *
 * - `columnValues(table, input, FIELDS)` picks the contract's fields for an insert. `FIELDS` is the
 *   field list exported by the contract (e.g. `CUSTOMER_FIELDS`); a field without a column of a
 *   compatible type in `table` does not compile, so the schema cannot be forgotten.
 * - `patchRecord(db, actor, spec)` is the update step every edit shares: lock the current row
 *   (`FOR UPDATE`, within the caller's visibility) → diff the requested fields against it → domain
 *   checks → update → side effects → one audit row whose `changes` are `{ field: { from, to } }`.
 *   Nothing is written (no update, no audit) when no field really changes.
 */
import type { Database } from '@netflow/db';
import { and, eq, getTableColumns, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable, PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Actor } from './actor';
import type { DomainError } from './errors';
import { audit } from '../modules/audit';

/** A table whose rows are addressed by a uuid `id` column. */
export type RecordTable = PgTable & { id: PgColumn };
export type RowOf<T extends RecordTable> = T['$inferSelect'];
export type InsertOf<T extends RecordTable> = T['$inferInsert'];
/** Names that are both a column to write and a column to read back (what a patch may touch). */
export type FieldOf<T extends RecordTable> = keyof InsertOf<T> & keyof RowOf<T> & string;

/** What a contract hands over for the fields `K`: each absent, or a value the column accepts. */
export type FieldInput<T extends RecordTable, K extends FieldOf<T>> = { readonly [P in K]?: InsertOf<T>[P] | undefined };

/**
 * The contract's fields of `input` as insert values for `table`. `fields` is the contract's list
 * (e.g. `CUSTOMER_FIELDS`): a name with no column, or a value the column cannot take, is a type
 * error here. Required fields stay required; absent ones stay absent (the column default applies).
 */
export function columnValues<T extends RecordTable, K extends FieldOf<T>, I extends FieldInput<T, K>>(
  _table: T,
  input: I,
  fields: readonly K[],
): Pick<I, K & keyof I> {
  const values: Partial<I> = {};
  for (const field of fields) {
    if (input[field] !== undefined) values[field] = input[field];
  }
  return values as Pick<I, K & keyof I>;
}

/** One field's change as the audit trail stores it. */
export interface FieldChange<From = unknown, To = unknown> {
  from: From;
  to: To;
}

export type FieldChanges<T extends RecordTable, K extends FieldOf<T>> = { [P in K]?: FieldChange<RowOf<T>[P], InsertOf<T>[P]> };

/** Who writes the audit row (a request's actor, a job's, the system). */
type AuditingActor = Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>;

export interface PatchSpec<T extends RecordTable, K extends FieldOf<T>> {
  table: T;
  id: string;
  /** Further conditions the row must meet, e.g. the caller's visibility: a row outside them is "not found". */
  where?: SQL | undefined;
  /** Thrown when the row does not exist (or is not visible). */
  notFound: () => DomainError;
  /** The contract's editable fields (e.g. `CUSTOMER_UPDATE_FIELDS`). */
  fields: readonly K[];
  /** The requested values; `undefined` leaves a field as it is. */
  input: FieldInput<T, NoInfer<K>>;
  /** Audit action and entity type, e.g. `customer.update` / `customer`. */
  action: string;
  entityType: string;
  /**
   * Domain rules, run with the row locked and only when something changes; may throw a domain
   * error (nothing is written then) and may return further columns to set that follow from the
   * change (e.g. `resolvedAt` when a ticket is resolved), which are not audited as fields.
   */
  check?: (
    tx: Database,
    current: RowOf<T>,
    changes: FieldChanges<T, NoInfer<K>>,
  ) => Promise<Partial<InsertOf<T>> | void> | Partial<InsertOf<T>> | void;
  /** Effects of the change written in the same transaction before the audit row (e.g. timeline entries). */
  afterUpdate?: (tx: Database, row: RowOf<T>, current: RowOf<T>, changes: FieldChanges<T, NoInfer<K>>) => Promise<void>;
}

export interface PatchResult<T extends RecordTable, K extends FieldOf<T>> {
  /** The row as it was before the patch (locked). */
  before: RowOf<T>;
  /** The row after the patch (`before` when nothing changed). */
  row: RowOf<T>;
  changes: FieldChanges<T, K>;
  changed: boolean;
}

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);

/**
 * The shared update step (see the file header). Runs in its own transaction, or in a savepoint
 * of the caller's; audit comes last, because the audit append lock is held until commit and no
 * row lock should be taken after it.
 */
export function patchRecord<T extends RecordTable, K extends FieldOf<T>>(
  db: Database,
  actor: AuditingActor,
  spec: PatchSpec<T, K>,
): Promise<PatchResult<T, K>> {
  const { table } = spec;
  return db.transaction(async (tx) => {
    const [current] = (await tx
      .select()
      // tsc needs the widening to pick `from`'s overload; the lint's type view disagrees.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      .from(table as PgTable)
      .where(and(eq(table.id, spec.id), spec.where))
      .for('update')
      .limit(1)) as RowOf<T>[];
    if (!current) throw spec.notFound();

    const changes: FieldChanges<T, K> = {};
    const set: Partial<InsertOf<T>> = {};
    for (const field of spec.fields) {
      const next = spec.input[field];
      const before = current[field];
      if (next === undefined || same(next, before)) continue;
      changes[field] = { from: before, to: next };
      set[field] = next;
    }
    if (Object.keys(changes).length === 0) return { before: current, row: current, changes, changed: false };

    const extra = (await spec.check?.(tx, current, changes)) ?? {};
    const [row] = (await tx
      .update(table)
      .set({ ...set, ...extra } as PgUpdateSetSource<T>)
      .where(eq(table.id, spec.id))
      .returning(getTableColumns(table))) as RowOf<T>[];
    if (!row) throw spec.notFound();
    await spec.afterUpdate?.(tx, row, current, changes);
    await audit(tx, actor, { action: spec.action, entityType: spec.entityType, entityId: spec.id, changes });
    return { before: current, row, changes, changed: true };
  });
}
