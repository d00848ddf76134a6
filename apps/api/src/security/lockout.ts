/**
 * Per-account lockout policy. The counter and the lock live in Postgres (users.failedLoginCount,
 * users.lockedUntil), so they hold across instances and whatever happens to Redis.
 */
import type { Config } from '../config';

export type LockoutPolicy = Config['lockout'];

/**
 * When an account with `failures` consecutive failed sign-ins (this one included) is locked
 * until, or null below the threshold. Each failure past the threshold doubles the lock, up to the
 * maximum: 5 → 1 min, 6 → 2 min, 7 → 4 min … with the defaults.
 */
export function lockedUntilAfter(failures: number, policy: LockoutPolicy, now: Date): Date | null {
  if (failures < policy.threshold) return null;
  const exponent = Math.min(failures - policy.threshold, 30);
  const seconds = Math.min(policy.baseSeconds * 2 ** exponent, policy.maxSeconds);
  return new Date(now.getTime() + seconds * 1000);
}

export function isLocked(lockedUntil: Date | null, now: Date): boolean {
  return lockedUntil !== null && lockedUntil.getTime() > now.getTime();
}
