/** Building blocks shared by every module's schemas: ids, identifiers, money, pagination. */
import { z } from 'zod';

export const idSchema = z.uuid({ error: 'Must be a valid id' });
export const idInput = z.object({ id: idSchema });

/** E-mail addresses are compared trimmed and lower-cased everywhere. */
export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .toLowerCase()
  .pipe(z.email({ error: 'Enter a valid e-mail address' }));

/** Kenyan-style local phone numbers: exactly 10 digits (e.g. 0712345678); spaces and dashes ignored. */
export const phoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{10}$/, { error: 'Phone must be exactly 10 digits' }));

export const nameSchema = z.string().trim().min(1, { error: 'Required' }).max(120);

/** Optional free text on a record: blank means none (`null` clears it on update, absent leaves it). */
export const optionalText = (max: number) =>
  z
    .string()
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

export const isoDateTime = z.iso.datetime({ offset: true });

/** Keyset pagination: `limit` 1–100, an opaque cursor from the previous page. */
export const pageInput = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(500).optional(),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** Free-text search; matched literally (%, _ and quotes have no special meaning). */
export const searchSchema = z.string().trim().max(100).optional();
