/**
 * Keyset pagination shared by every list: an opaque cursor holding the last row's sort value and
 * id, a `(sort, id) < (value, id)` condition that walks an index instead of an OFFSET, and a page
 * builder that fetches `limit + 1` rows to know whether another page exists.
 *
 * Usage in a service:
 *   const page = keyset({ name: 'createdAt.desc', column: leads.createdAt, type: 'timestamptz',
 *                          id: leads.id, direction: 'desc', cursor: input.cursor });
 *   const rows = await db.select({ lead: leads, id: leads.id, cursorKey: page.cursorKey }).from(leads)
 *     .where(and(filters, page.where)).orderBy(...page.orderBy).limit(input.limit + 1);
 *   return toPage(rows, input.limit, page.name, (row) => toLead(row.lead));
 *
 * Sort columns must be NOT NULL (row comparison with NULL never matches).
 */
import { invalid } from './errors';
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';

export type SortDirection = 'asc' | 'desc';
/** How a sort value is written into the cursor and compared again. */
export type SortType = 'timestamptz' | 'text' | 'integer';

interface DecodedCursor {
  /** Which sort (name + direction) the cursor belongs to. */
  s: string;
  /** The last row's sort value, as text. */
  v: string;
  /** The last row's id. */
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const INTEGER = /^-?\d{1,18}$/;

const invalidCursor = () => invalid('Invalid cursor');

/**
 * A cursor timestamp as `cursorKeyOf` writes it, naming a real instant: no February 30th or 24:00
 * (Date.parse rolls those over, PostgreSQL refuses them) and no year 0000 (there is none).
 */
function isRealTimestamp(v: string): boolean {
  if (!TIMESTAMP.test(v)) return false;
  const ms = Date.parse(v);
  if (Number.isNaN(ms)) return false;
  const year = Number(v.slice(0, 4));
  return year >= 1 && new Date(ms).toISOString().slice(0, 19) === v.slice(0, 19);
}

export function encodeCursor(sortName: string, value: string, id: string): string {
  return Buffer.from(JSON.stringify({ s: sortName, v: value, id } satisfies DecodedCursor)).toString('base64url');
}

/** Decodes a cursor made by `encodeCursor` for the same sort; anything else is a 400, never a 500. */
export function decodeCursor(cursor: string, sortName: string, type: SortType): DecodedCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!parsed || typeof parsed !== 'object') throw invalidCursor();
  const { s, v, id } = parsed as Record<string, unknown>;
  if (s !== sortName || typeof v !== 'string' || typeof id !== 'string' || !UUID.test(id) || v.length > 300) {
    throw invalidCursor();
  }
  // Checked as strictly as the database would parse it: a value it refuses would be a 500.
  if (v.includes('\u0000')) throw invalidCursor();
  if (type === 'timestamptz' && !isRealTimestamp(v)) throw invalidCursor();
  if (type === 'integer' && !INTEGER.test(v)) throw invalidCursor();
  return { s, v, id };
}

/**
 * The cursor text of a sort value, computed by the database: timestamps keep their microseconds
 * (a JS Date would drop them and make pages skip or repeat rows).
 */
function cursorKeyOf(column: AnyColumn | SQL, type: SortType): SQL<string> {
  switch (type) {
    case 'timestamptz':
      return sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
    case 'integer':
      return sql<string>`(${column})::text`;
    case 'text':
      return sql<string>`(${column})::text`;
  }
}

function castValue(value: string, type: SortType): SQL {
  switch (type) {
    case 'timestamptz':
      return sql`${value}::timestamptz`;
    case 'integer':
      return sql`${value}::bigint`;
    case 'text':
      return sql`${value}::text`;
  }
}

export interface KeysetOptions {
  /** Identifies the sort inside the cursor, e.g. `createdAt.desc`. */
  name: string;
  column: AnyColumn | SQL;
  type: SortType;
  id: AnyColumn;
  direction: SortDirection;
  cursor?: string | undefined;
}

export interface Keyset {
  /** Rows after the cursor; undefined on the first page. */
  where: SQL | undefined;
  orderBy: SQL[];
  /** Select this as `cursorKey` next to the row's `id`; `toPage` turns it into the next cursor. */
  cursorKey: SQL<string>;
  name: string;
}

export function keyset(opts: KeysetOptions): Keyset {
  const { column, type, id, direction, name } = opts;
  let where: SQL | undefined;
  if (opts.cursor !== undefined && opts.cursor !== '') {
    const after = decodeCursor(opts.cursor, name, type);
    const value = castValue(after.v, type);
    where =
      direction === 'desc'
        ? sql`(${column}, ${id}) < (${value}, ${after.id}::uuid)`
        : sql`(${column}, ${id}) > (${value}, ${after.id}::uuid)`;
  }
  const orderBy = direction === 'desc' ? [sql`${column} desc`, sql`${id} desc`] : [sql`${column} asc`, sql`${id} asc`];
  return { where, orderBy, cursorKey: cursorKeyOf(column, type), name };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/**
 * Builds a page from `limit + 1` fetched rows (each carrying `id` and the `cursorKey` selected
 * from the keyset): the extra row only tells that a next page exists.
 */
export function toPage<R extends { id: string; cursorKey: string }, T>(
  rows: R[],
  limit: number,
  sortName: string,
  map: (row: R) => T,
): Page<T> {
  const hasMore = rows.length > limit;
  const pageRows = hasMore ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return {
    items: pageRows.map(map),
    nextCursor: hasMore && last ? encodeCursor(sortName, last.cursorKey, last.id) : null,
  };
}
