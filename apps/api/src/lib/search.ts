/**
 * Free-text search shared by every list: a case-insensitive "contains" over a few columns, where
 * whatever the user typed is matched literally. `%`, `_` and `\` are escaped so they lose their
 * LIKE meaning; quotes need nothing because the term is always a bound parameter. ILIKE with a
 * leading wildcard is served by the pg_trgm GIN indexes on those columns.
 */
import { phoneSearchFragment } from '@netflow/contracts';
import { or, sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** Escapes LIKE wildcards and the escape character itself, so the term matches literally. */
export function escapeLike(term: string): string {
  return term.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** `%term%` with the term escaped, for `ILIKE … ESCAPE '\'`. */
export function containsPattern(term: string): string {
  return `%${escapeLike(term)}%`;
}

/** `column ILIKE '%term%'`, literal match, case-insensitive. */
export function ilikeLiteral(column: AnyColumn | SQL, term: string): SQL {
  return sql`${column} ilike ${containsPattern(term)} escape '\\'`;
}

/**
 * True when any column contains the term; `undefined` (no condition) for an empty term. Phone
 * columns are also matched against a phone-like term without spaces and dashes, in the stored local
 * spelling, so "0712 345", "+254712345" and "254712345" all find 0712345678 as stored.
 */
export function searchAny(term: string | undefined, columns: (AnyColumn | SQL)[], phoneColumns: (AnyColumn | SQL)[] = []): SQL | undefined {
  const trimmed = term?.trim();
  if (!trimmed) return undefined;
  const conditions = columns.map((c) => ilikeLiteral(c, trimmed));
  const digits = trimmed.replace(/[\s-]/g, '');
  for (const c of phoneColumns) {
    conditions.push(ilikeLiteral(c, trimmed));
    const fragment = phoneSearchFragment(trimmed);
    if (/^\d+$/.test(fragment) && fragment !== trimmed) conditions.push(ilikeLiteral(c, fragment));
    else if (/^\d+$/.test(digits) && digits !== trimmed) conditions.push(ilikeLiteral(c, digits));
  }
  return or(...conditions);
}
