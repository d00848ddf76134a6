import { describe, expect, it } from 'vitest';
import { nearMissAccountNumber } from './account-number';

describe('near-miss account numbers', () => {
  it.each([
    ['NF-00O012', 'NF-000012'],
    ['nf-000012', 'NF-000012'],
    ['NF-0OI2', 'NF-000012'],
    ['NFl2', 'NF-000012'],
    ['nf 12', 'NF-000012'],
    ['12', 'NF-000012'],
    ['NF_000123', 'NF-000123'],
    ['NF-00000123', 'NF-000123'],
    ['NF-1234567', 'NF-1234567'],
  ])('%s → %s', (typed, expected) => {
    expect(nearMissAccountNumber(typed)).toBe(expected);
  });

  it.each(['', 'NF-', 'NF-000000', 'HELLO', 'NF-12A', 'INV-2024-001', '1234567890'])('%s is no account number', (typed) => {
    expect(nearMissAccountNumber(typed)).toBeNull();
  });
});
