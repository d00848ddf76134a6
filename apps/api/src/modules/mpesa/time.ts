/**
 * Daraja's clock is Nairobi's (EAT, UTC+3 all year, no daylight saving): TransTime, Timestamp and
 * TransactionDate are `YYYYMMDDHHmmss` in that zone.
 */
const NAIROBI_OFFSET_MS = 3 * 3600 * 1000;

/** `YYYYMMDDHHmmss` in Nairobi time for `at`. */
export function darajaTimestamp(at: Date = new Date()): string {
  const t = new Date(at.getTime() + NAIROBI_OFFSET_MS);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    pad(t.getUTCFullYear(), 4) +
    pad(t.getUTCMonth() + 1) +
    pad(t.getUTCDate()) +
    pad(t.getUTCHours()) +
    pad(t.getUTCMinutes()) +
    pad(t.getUTCSeconds())
  );
}

/** `YYYYMMDDHHmmss` (Nairobi) → the instant, or null when it is not a real date and time. */
export function parseDarajaTime(text: string | number): Date | null {
  const s = String(text);
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(y, mo - 1, d, h, mi, se) - NAIROBI_OFFSET_MS;
  // Date.UTC rolls 31 February over into March: refuse instead of guessing.
  if (darajaTimestamp(new Date(utc)) !== s) return null;
  return new Date(utc);
}

/** "2500.00", "2500", "2500.5" → 250000, 250000, 250050 (exact: no floating point). */
export function kesToCents(text: string): number | null {
  const [shillings = '', cents = '', ...rest] = text.trim().split('.');
  if (rest.length > 0 || !/^\d{1,9}$/.test(shillings) || !/^\d{0,2}$/.test(cents)) return null;
  if (text.includes('.') && cents === '') return null;
  return Number(shillings) * 100 + Number(cents.padEnd(2, '0'));
}
