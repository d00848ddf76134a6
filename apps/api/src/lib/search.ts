/**
 * Free-text search shared by every list: a case-insensitive "contains" over a few columns, where
 * whatever the user typed is matched literally. `%`, `_` and `\` are escaped so they lose their
 * LIKE meaning; quotes need nothing because the term is always a bound parameter. ILIKE with a
 * leading wildcard is served by the pg_trgm GIN indexes on those columns.
 */
import { phoneSearchFragment } from '@netflow/contracts';
import { customers, payments } from '@netflow/db';
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

/** Searchable fields of a customer: name, phone, e-mail, account number (index `customers_search_trgm_idx`). */
export const CUSTOMER_SEARCH_FIELDS = [customers.name, customers.phone, customers.email, customers.accountNumber];
/** Searchable fields of a payment: reference, account typed, payer name and phone (index `payments_search_trgm_idx`). */
export const PAYMENT_SEARCH_FIELDS = [payments.reference, payments.accountReference, payments.payerName, payments.payerPhone];

/** Separates fields in a search document; nobody types U+001F, so a term never spans two fields. */
const FIELD_SEPARATOR = sql.raw(`E'\\x1f'`);

/**
 * A record's searchable text as one expression: `coalesce(a, '') || E'\x1f' || coalesce(b, '') …`.
 * Written exactly like the expression indexes of migration `search_documents` (customers, payments),
 * so the planner serves `searchDocument(...) ILIKE '%term%'` from one trigram index.
 */
export function searchDocument(columns: AnyColumn[]): SQL {
  return sql`(${sql.join(
    columns.map((c) => sql`coalesce(${c}, '')`),
    sql` || ${FIELD_SEPARATOR} || `,
  )})`;
}

/**
 * A term as the document should match it: a phone-like term in the stored local spelling
 * (`+254 712 345` → `0712345`), anything else trimmed.
 */
export function documentTerm(term: string | undefined, hasPhone: boolean): string | undefined {
  const trimmed = term?.trim();
  if (!trimmed) return undefined;
  if (!hasPhone) return trimmed;
  const fragment = phoneSearchFragment(trimmed);
  return /^\d+$/.test(fragment) ? fragment : trimmed;
}

/** One indexed condition over a search document, or `undefined` for an empty term. */
export function searchIndexed(term: string | undefined, columns: AnyColumn[], hasPhone: boolean): SQL | undefined {
  const matched = documentTerm(term, hasPhone);
  return matched === undefined ? undefined : ilikeLiteral(searchDocument(columns), matched);
}
