/**
 * Kenyan phone numbers in their three spellings. The CRM stores the local form (`0712345678`);
 * Africa's Talking wants `+254712345678` and Daraja `254712345678`. Every conversion goes through
 * here, so `07…`, `01…`, `2547…` and `+2547…` always mean the same subscriber.
 */

/** `0712 345 678`, `+254712345678`, `254-712-345678`, `712345678` → `0712345678`; anything else → null. */
export function toLocalPhone(input: string): string | null {
  const digits = input.trim().replace(/[\s\-().]/g, '');
  const match = /^(?:\+?254|0)?([17]\d{8})$/.exec(digits);
  return match ? `0${match[1]}` : null;
}

/** E.164 with the plus, as SMS gateways want it (`+254712345678`), or null. */
export function toInternationalPhone(input: string): string | null {
  const local = toLocalPhone(input);
  return local ? `+254${local.slice(1)}` : null;
}

/** Daraja's form: country code without the plus (`254712345678`), or null. */
export function toDarajaPhone(input: string): string | null {
  const local = toLocalPhone(input);
  return local ? `254${local.slice(1)}` : null;
}

/**
 * A search fragment of a phone number in the stored (local) spelling: `+25471234` and `25471234`
 * → `071234`; other text is returned as typed (with spaces and dashes removed when it is all digits).
 */
export function phoneSearchFragment(query: string): string {
  const compact = query.trim().replace(/[\s\-().]/g, '');
  if (!/^\+?\d+$/.test(compact)) return query.trim();
  const international = /^\+?254(\d*)$/.exec(compact);
  if (international) return `0${international[1]}`;
  return compact.replace(/^\+/, '');
}
