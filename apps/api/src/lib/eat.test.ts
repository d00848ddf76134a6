import { describe, expect, it } from 'vitest';
import { formatEat, kesAmount } from './eat';
import { documentTerm } from './search';

describe('finance formats', () => {
  it('East Africa Time is UTC+3 all year, across midnight and the year end', () => {
    expect(formatEat('2026-03-01T21:30:00.000Z')).toBe('2026-03-02 00:30:00');
    expect(formatEat('2026-12-31T22:00:00Z')).toBe('2027-01-01 01:00:00');
    expect(formatEat('2026-07-01T06:15:09.999Z')).toBe('2026-07-01 09:15:09');
    expect(formatEat(null)).toBeNull();
  });

  it('KES with two decimals, negative balances too', () => {
    expect(kesAmount(250_000)).toBe('2500.00');
    expect(kesAmount(123_456)).toBe('1234.56');
    expect(kesAmount(5)).toBe('0.05');
    expect(kesAmount(0)).toBe('0.00');
    expect(kesAmount(-1_050)).toBe('-10.50');
  });
});

describe('search terms', () => {
  it('a phone-like term is matched in the stored local spelling; other text as typed', () => {
    expect(documentTerm('+254712345678', true)).toBe('0712345678');
    expect(documentTerm('254 712 345', true)).toBe('0712345');
    expect(documentTerm('0712-345', true)).toBe('0712345');
    expect(documentTerm('  Wanjiku ', true)).toBe('Wanjiku');
    expect(documentTerm('+254712', false)).toBe('+254712');
    expect(documentTerm('   ', true)).toBeUndefined();
  });
});
