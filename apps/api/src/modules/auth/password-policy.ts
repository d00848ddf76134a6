/**
 * What makes a new password acceptable beyond its length: not blank, not on a list of common
 * passwords (the ~50,000 most common from @zxcvbn-ts/language-common, of which ~18,000 are long
 * enough to pass the length rule), not a common one dressed up with spaces or invisible characters,
 * and not simply the account's own e-mail, phone or name. Compared case-insensitively, after the
 * same NFKC normalisation as hashing. The password itself is stored exactly as typed.
 */
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@netflow/contracts';
import { dictionary } from '@zxcvbn-ts/language-common';
import type { z } from 'zod';

let common: ReadonlySet<string> | undefined;

/** The common passwords long enough to pass the length rule, lower-cased. */
export function commonPasswords(): ReadonlySet<string> {
  common ??= new Set(
    dictionary['passwords-common'].map((p) => p.normalize('NFKC').toLowerCase()).filter((p) => p.length >= PASSWORD_MIN_LENGTH),
  );
  return common;
}

export const COMMON_PASSWORD_MESSAGE = 'This password is too common; choose one that is harder to guess';
export const PERSONAL_PASSWORD_MESSAGE = 'Do not use your e-mail, phone or name as the password';
export const BLANK_PASSWORD_MESSAGE = 'A password cannot be only spaces or invisible characters';
export const PADDED_PASSWORD_MESSAGE = `Use at least ${PASSWORD_MIN_LENGTH} characters besides spaces at either end and invisible characters`;

/**
 * Invisible format characters (zero-width space and joiners, word joiner, BOM, soft hyphen …:
 * Unicode category Cf). They change nothing a person sees, so they must not make a password new.
 */
const INVISIBLE = /\p{Cf}/gu;

/** A password as a guesser would try it: NFKC, lower case, invisible characters gone, ends trimmed. */
function skeleton(password: string): string {
  return password.normalize('NFKC').replace(INVISIBLE, '').trim().toLowerCase();
}

/** Why a new password is refused, or null. `personal` holds the account's e-mail, phone and name. */
export function passwordProblem(password: string, personal: (string | null | undefined)[] = []): string | null {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return null; // the schema says why
  const core = skeleton(password);
  if (core.length === 0) return BLANK_PASSWORD_MESSAGE;
  // "password" + two spaces, or "pass\u200Bword1", is "password…" to anyone guessing.
  const spaceless = core.replace(/\s+/g, '');
  const list = commonPasswords();
  if (list.has(core) || list.has(spaceless)) return COMMON_PASSWORD_MESSAGE;
  if (core.length < PASSWORD_MIN_LENGTH) return PADDED_PASSWORD_MESSAGE;
  for (const value of personal) {
    if (!value) continue;
    const v = skeleton(value);
    if (!v) continue;
    const local = v.includes('@') ? v.slice(0, v.indexOf('@')) : v;
    if (core === v || core === local || spaceless === v.replace(/\s+/g, '')) return PERSONAL_PASSWORD_MESSAGE;
  }
  return null;
}

/**
 * Adds the policy to an input schema on the server, as a validation error on `field`. Zod skips
 * object-level checks when a field already failed, so a too-long password is never looked up.
 */
export function withPasswordPolicy<T extends z.ZodObject>(
  schema: T,
  field: string,
  personal: (input: Record<string, unknown>) => (string | null | undefined)[] = () => [],
): T {
  return schema.superRefine((value, ctx) => {
    const input = value as Record<string, unknown>;
    const password = input[field];
    if (typeof password !== 'string') return;
    const problem = passwordProblem(password, personal(input));
    if (problem) ctx.addIssue({ code: 'custom', path: [field], message: problem });
  });
}
