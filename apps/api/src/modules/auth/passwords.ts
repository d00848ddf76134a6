/**
 * Password hashing with argon2id at or above OWASP's minimum (m=19 MiB, t=2, p=1).
 * `needsRehash` tells the login path to upgrade hashes made with weaker parameters. Passwords are
 * NFKC-normalised (NIST SP 800-63B), so the same password typed on another keyboard still matches;
 * they are never trimmed or truncated.
 */
import argon2 from 'argon2';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/** The parameters of every hash a running server makes. */
export const HASH_OPTIONS = {
  type: argon2.argon2id,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

type HashOptions = Pick<argon2.Options, 'type' | 'memoryCost' | 'timeCost' | 'parallelism'>;

/** argon2's floor (8 KiB, one pass): microseconds per hash instead of tens of milliseconds. */
const TEST_HASH_OPTIONS: HashOptions = { type: argon2.argon2id, memoryCost: 8, timeCost: 1, parallelism: 1 };

let activeOptions: HashOptions = HASH_OPTIONS;

/**
 * Test-only switch, called by the test setup file (src/test/setup.ts) and nothing else: the
 * suites hash hundreds of passwords, and at production cost argon2 dominated their run time on a
 * busy machine. A test whose subject is the parameters themselves calls
 * `setHashCostForTests('production')` first. Verification always reads the parameters from the
 * stored hash, so either kind of hash verifies under either setting.
 */
export function setHashCostForTests(cost: 'test' | 'production'): void {
  activeOptions = cost === 'test' ? TEST_HASH_OPTIONS : HASH_OPTIONS;
}

/**
 * How many hashes and verifications this process has run. The limits are enforced before any of
 * them, and tests use this to prove that oversized passwords never reach argon2.
 */
export const passwordWork = { hashes: 0, verifications: 0 };

function prepare(password: string): string {
  if (password.length > PASSWORD_MAX_LENGTH) {
    // Validation refuses these first; this is the last line, so argon2 never sees a huge input.
    throw new RangeError('password longer than the maximum reached the hashing layer');
  }
  return password.normalize('NFKC');
}

export function hashPassword(password: string): Promise<string> {
  const prepared = prepare(password);
  passwordWork.hashes += 1;
  return argon2.hash(prepared, activeOptions);
}

/**
 * False for a wrong password, and for an account without one (`hash` null: a request not yet
 * activated), which still costs a verification so its timing does not tell it apart.
 */
export async function verifyPassword(hash: string | null, password: string): Promise<boolean> {
  if (!hash) {
    await burnVerification(password);
    return false;
  }
  const prepared = prepare(password);
  passwordWork.verifications += 1;
  try {
    return await argon2.verify(hash, prepared);
  } catch {
    return false;
  }
}

export function needsRehash(hash: string): boolean {
  return argon2.needsRehash(hash, activeOptions);
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
