import { describe, expect, it } from 'vitest';
import { amountCentsSchema, emailSchema, pageInput, phoneSchema } from './common';

describe('shared schemas', () => {
  it('normalises e-mail addresses', () => {
    expect(emailSchema.parse('  Jane.Doe@Example.COM ')).toBe('jane.doe@example.com');
    expect(emailSchema.safeParse('not-an-email').success).toBe(false);
  });

  it('accepts exactly 10-digit phone numbers, ignoring spaces and dashes', () => {
    expect(phoneSchema.parse('0712 345-678')).toBe('0712345678');
    expect(phoneSchema.safeParse('071234567').success).toBe(false);
    expect(phoneSchema.safeParse('+254712345678').success).toBe(false);
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
});
