/**
 * How finance reads times and money: East Africa Time (UTC+3 all year, no daylight saving) and
 * Kenyan shillings with two decimals. Exports state the zone in their column headers.
 */
const EAT_OFFSET_MS = 3 * 60 * 60 * 1000;

/** `2026-11-30T06:15:00Z` → `2026-11-30 09:15:00` (EAT); null/undefined → null. */
export function formatEat(iso: string | Date | null | undefined): string | null {
  if (!iso) return null;
  const at = new Date(new Date(iso).getTime() + EAT_OFFSET_MS);
  return at.toISOString().slice(0, 19).replace('T', ' ');
}

/** 250000 → `2500.00` (KES; the currency is in the column header). */
export function kesAmount(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
