/**
 * What makes a new password acceptable beyond its length (DESIGN.md §6): not on a list of common
 * passwords (the ~50,000 most common from @zxcvbn-ts/language-common, of which ~18,000 are long
 * enough to pass the length rule), and not simply the account's own e-mail, phone or name.
 * Compared case-insensitively, after the same NFKC normalisation as hashing.
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

/** Why a new password is refused, or null. `personal` holds the account's e-mail, phone and name. */
export function passwordProblem(password: string, personal: (string | null | undefined)[] = []): string | null {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) return null; // the schema says why
  const folded = password.normalize('NFKC').toLowerCase();
  if (commonPasswords().has(folded)) return COMMON_PASSWORD_MESSAGE;
  for (const value of personal) {
    if (!value) continue;
    const v = value.normalize('NFKC').toLowerCase();
    const local = v.includes('@') ? v.slice(0, v.indexOf('@')) : v;
    if (folded === v || folded === local || folded === v.replace(/\s+/g, '')) return PERSONAL_PASSWORD_MESSAGE;
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
  }) as T;
}

export { fieldError } from '../../lib/errors';
