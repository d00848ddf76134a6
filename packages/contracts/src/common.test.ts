import { describe, expect, it } from 'vitest';
import {
  amountCentsSchema,
  emailSchema,
  isoDateTime,
  nameSchema,
  optionalText,
  pageInput,
  phoneSchema,
  queryBoolean,
  queryInt,
  searchSchema,
} from './common';

describe('shared schemas', () => {
  it('normalises e-mail addresses', () => {
    expect(emailSchema.parse('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(emailSchema.safeParse('not-an-email').success).toBe(false);
  });

  it('accepts 10-digit phone numbers, ignoring spaces and dashes', () => {
    expect(phoneSchema.parse('0712 345-678')).toBe('0712345678');
    expect(phoneSchema.safeParse('071234567').success).toBe(false);
    // The international spellings are the same subscriber, stored in the local form (phone.test.ts).
    expect(phoneSchema.parse('+254712345678')).toBe('0712345678');
    expect(phoneSchema.safeParse('+255712345678').success).toBe(false);
  });

  it('bounds money to positive whole cents', () => {
    expect(amountCentsSchema.safeParse(150_000).success).toBe(true);
    for (const bad of [0, -1, 1.5, 1e13, Number.NaN]) expect(amountCentsSchema.safeParse(bad).success).toBe(false);
  });

  it('limits pages to 1–100 rows', () => {
    expect(pageInput.parse({}).limit).toBe(25);
    expect(pageInput.parse({ limit: '50' }).limit).toBe(50);
    expect(pageInput.safeParse({ limit: 1e9 }).success).toBe(false);
    expect(pageInput.safeParse({ limit: 0 }).success).toBe(false);
  });

  it('parses query-string numbers and booleans exactly, never loosely', () => {
    const limit = queryInt(1, 100);
    expect(limit.parse(50)).toBe(50);
    expect(limit.parse('50')).toBe(50);
    for (const bad of [' 50', '5e1', '0x32', '50.0', '', '-5', true, null, 1.5, '101', 101])
      expect({ bad, ok: limit.safeParse(bad).success }).toEqual({ bad, ok: false });
    expect(queryBoolean.parse('true')).toBe(true);
    expect(queryBoolean.parse('false')).toBe(false);
    expect(queryBoolean.parse(false)).toBe(false);
    for (const bad of ['TRUE', '1', '0', 'yes', '', 1, null])
      expect({ bad, ok: queryBoolean.safeParse(bad).success }).toEqual({ bad, ok: false });
  });

  it('refuses NUL characters in free text (PostgreSQL text cannot hold them)', () => {
    expect(nameSchema.safeParse('Jane\u0000Doe').success).toBe(false);
    expect(searchSchema.safeParse('a\u0000').success).toBe(false);
    expect(optionalText(100).safeParse('\u0000').success).toBe(false);
    expect(nameSchema.parse(' Jane Doe ')).toBe('Jane Doe');
  });

  it('accepts real dates between 1970 and 2100 only, after the offset is applied', () => {
    for (const ok of ['1970-01-01T00:00:00Z', '2024-02-29T12:00:00+03:00', '2100-12-31T23:59:59Z', '1970-01-01T02:00:00+02:00'])
      expect({ ok, valid: isoDateTime.safeParse(ok).success }).toEqual({ ok, valid: true });
    for (const bad of [
      '0001-01-01T00:00:00+01:00', // year 0 in UTC
      '9999-12-31T23:00:00-05:00', // year 10000 in UTC
      '0050-06-01T00:00:00Z', // would read back as 2050
      '1969-12-31T23:59:59Z',
      '1970-01-01T01:00:00+02:00', // 1969 in UTC
      '2101-01-01T00:00:00Z',
      '2023-02-29T00:00:00Z',
      '2024-04-31T00:00:00Z',
      '2024-01-01',
    ])
      expect({ bad, valid: isoDateTime.safeParse(bad).success }).toEqual({ bad, valid: false });
  });
});
