/** Building blocks shared by every module's schemas: ids, identifiers, text, dates, money, pagination. */
import { z } from 'zod';
import { toLocalPhone } from './phone';

/**
 * PostgreSQL text cannot hold U+0000; a NUL that got past validation would fail in the database
 * (a 500). Every free-text schema starts from `textSchema`.
 */
export const NO_NUL_MESSAGE = 'Must not contain NUL characters';
export const textSchema = z.string().refine((v) => !v.includes('\u0000'), { error: NO_NUL_MESSAGE });

export const idSchema = z.uuid({ error: 'Must be a valid id' });
export const idInput = z.object({ id: idSchema });

/** E-mail addresses are compared trimmed and lower-cased everywhere. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid e-mail address' }));

/**
 * Kenyan-style local phone numbers: 10 digits (e.g. 0712345678); spaces and dashes ignored, and
 * the international spellings (+254712345678, 254712345678) stored in the local form.
 */
export const phoneSchema = z
  .string()
  .trim()
  .transform((v) => {
    const compact = v.replace(/[\s-]/g, '');
    return /^\+?254\d{9}$/.test(compact) ? (toLocalPhone(compact) ?? compact) : compact;
  })
  .pipe(z.string().regex(/^\d{10}$/, { error: 'Phone must be exactly 10 digits' }));

export const nameSchema = textSchema.trim().min(1, { error: 'Required' }).max(120);

/** Optional free text on a record: blank means none (`null` clears it on update, absent leaves it). */
export const optionalText = (max: number) =>
  textSchema
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

/** An optional e-mail on a contact record: blank means none. */
export const optionalEmailSchema = z
  .union([z.literal('').transform(() => null), emailSchema])
  .nullable()
  .optional();

/** Money is integer cents (KES). The upper bound keeps sums far from bigint overflow. */
export const MAX_AMOUNT_CENTS = 100_000_000_00;
export const amountCentsSchema = z
  .number()
  .int({ error: 'Amount must be whole cents' })
  .positive({ error: 'Amount must be positive' })
  .max(MAX_AMOUNT_CENTS, { error: 'Amount is too large' });

/**
 * Accepted dates: 1970-01-01 up to the end of 2100 (UTC, after the offset is applied). Outside that
 * range PostgreSQL either refuses the value (a 500) or, for years 0001–0099, a driver reads it
 * back as 1950–2049; no date of this business lies there.
 */
export const MIN_DATE = new Date('1970-01-01T00:00:00Z');
export const MAX_DATE = new Date('2100-12-31T23:59:59.999Z');
export const DATE_RANGE_MESSAGE = 'Date must be between 1970 and 2100';
const inDateRange = (iso: string) => {
  const t = Date.parse(iso);
  return t >= MIN_DATE.getTime() && t <= MAX_DATE.getTime();
};
/** An ISO 8601 date-time with offset (real calendar dates only), within 1970–2100. The one date schema. */
export const isoDateTime = z.iso.datetime({ offset: true }).refine(inDateRange, { error: DATE_RANGE_MESSAGE });

/**
 * Query-string values of GET routes arrive as text. These accept the JSON value (tRPC) or its exact
 * text form (REST: "25", "true"/"false"), and nothing looser: no " 25", "1e1", "0x19", "yes" or "".
 * JSON bodies are never coerced: body schemas use plain `z.number()` / `z.boolean()`.
 */
export const queryInt = (min: number, max: number) =>
  z
    .union([
      z.int(),
      z
        .string()
        .regex(/^\d{1,15}$/, { error: 'Must be a whole number' })
        .transform(Number),
    ])
    .pipe(z.int().min(min).max(max));
export const queryBoolean = z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).pipe(z.boolean());

/** Keyset pagination: `limit` 1–100, an opaque cursor from the previous page. */
export const pageInput = z.object({
  limit: queryInt(1, 100).default(25),
  cursor: z.string().max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Free-text search; matched literally (%, _ and quotes have no special meaning). */
export const searchSchema = textSchema.trim().max(100).optional();
