/**
 * Account numbers as payers mistype them. `normaliseAccountNumber` (service) reads what was clearly
 * meant; this reads near misses for suggestions only (never for automatic matching): letters that
 * look like digits (O → 0, I/l → 1), missing leading zeros, stray separators and case.
 */

/** `NF-00O012`, `nf 0OI2`, `NFl2`, `12` → `NF-000012`; null when it cannot be one of ours. */
export function nearMissAccountNumber(typed: string): string | null {
  const compact = typed.replace(/[\s._/\\-]+/g, '').toUpperCase();
  const match = /^(?:NF|N|F)?([0-9OIL]{1,9})$/.exec(compact);
  if (!match?.[1]) return null;
  const digits = match[1].replace(/O/g, '0').replace(/[IL]/g, '1');
  if (!/[1-9]/.test(digits)) return null;
  return `NF-${digits.replace(/^0+/, '').padStart(6, '0')}`;
}
