/**
 * Password hashing with argon2id at or above OWASP's minimum (m=19 MiB, t=2, p=1).
 * `needsRehash` tells the login path to upgrade hashes made with weaker parameters.
 */
import argon2 from 'argon2';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, HASH_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, HASH_OPTIONS);
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends one verification on a throwaway hash, so an unknown account costs the same time as a
 * wrong password and response timing does not reveal which e-mails exist.
 */
export async function burnVerification(password: string): Promise<void> {
  dummyHash ??= hashPassword('netflow-timing-equaliser');
  await verifyPassword(await dummyHash, password);
}
