/**
 * Sign-in lockout, counted per (account, client network) and kept in PostgreSQL, so every instance
 * shares it and a Redis outage changes nothing. The policy (numbers in config `lockout`):
 *
 * - A network (IPv4 /24, IPv6 /64) that fails `threshold` times in a row on an account is locked
 *   for that account: `baseSeconds`, doubling with each further lock up to `maxSeconds`. When the
 *   lock ends the count starts again; a success from that network clears it. Other networks, the
 *   owner's among them, are not affected: an attacker elsewhere cannot keep the owner out.
 * - Across every network, an account takes at most `accountFailuresPerHour` failures in any
 *   sliding hour. Past that, only networks the owner signed in from within `knownNetworkDays` may
 *   still try (each under its own lock), so a guesser spread over many networks stays bounded.
 *
 * Refused attempts verify no password and count nothing. Callers hold the account's row lock
 * (SELECT … FOR UPDATE on users) for the whole attempt, so parallel attempts are serialised.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { signInFailures, signInNetworks, users, type Database } from '@netflow/db';
import { and, asc, count, desc, eq, gt, isNull, lte, ne, or, sql } from 'drizzle-orm';
import type { Config } from '../config';
import { lockouts } from '../lib/metrics';

export type LockoutPolicy = Config['lockout'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A network quiet for this long (and not one the owner uses) forgets its failures and backoff. */
const QUIET_MS = DAY_MS;

/** Expands a valid IPv6 address (no zone) into its eight hextets. */
function hextets(address: string): string[] {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail === undefined ? [] : tail ? tail.split(':') : [];
  const fill = tail === undefined ? [] : Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  return [...left, ...fill, ...right].map((h) => Number.parseInt(h, 16).toString(16));
}

/**
 * The client network an address belongs to, as counted for lockout: IPv4 by its /24 (an office
 * NAT or a home line and its neighbours), IPv6 by its /64 (what one subscriber usually holds).
 * IPv4-mapped IPv6 counts as IPv4.
 */
export function networkOf(ip: string | null): string {
  if (!ip) return 'unknown';
  let address = ip.trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) address = mapped[1];
  if (isIPv4(address)) {
    const [a, b, c] = address.split('.');
    return `${a}.${b}.${c}.0/24`;
  }
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  if (isIPv6(address)) return `${hextets(address).slice(0, 4).join(':')}::/64`;
  return address.slice(0, 64);
}

/** Length of the `locks`-th lock in a row: base, doubling, capped. */
export function lockSeconds(locks: number, policy: LockoutPolicy): number {
  const exponent = Math.min(Math.max(locks - 1, 0), 30);
  return Math.min(policy.baseSeconds * 2 ** exponent, policy.maxSeconds);
}

export type SignInGate =
  | { allowed: true; userId: string; network: string; failures: number; locks: number }
  | { allowed: false; userId: string; network: string; reason: 'network locked' | 'hourly failure limit reached' };

async function failuresSince(tx: Database, userId: string, since: Date): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(signInFailures)
    .where(and(eq(signInFailures.userId, userId), gt(signInFailures.at, since)));
  return row?.n ?? 0;
}

/** May an attempt on `userId` from `ip` verify a credential now? Counts nothing. */
export async function checkSignIn(tx: Database, userId: string, ip: string | null, policy: LockoutPolicy, now: Date): Promise<SignInGate> {
  const network = networkOf(ip);
  const [row] = await tx
    .select()
    .from(signInNetworks)
    .where(and(eq(signInNetworks.userId, userId), eq(signInNetworks.network, network)))
    .limit(1);
  if (row?.lockedUntil && row.lockedUntil.getTime() > now.getTime()) {
    return { allowed: false, userId, network, reason: 'network locked' };
  }
  const known = row?.lastSuccessAt != null && now.getTime() - row.lastSuccessAt.getTime() < policy.knownNetworkDays * DAY_MS;
  if (!known && (await failuresSince(tx, userId, new Date(now.getTime() - HOUR_MS))) >= policy.accountFailuresPerHour) {
    return { allowed: false, userId, network, reason: 'hourly failure limit reached' };
  }
  // A lock that has run out starts the count again (the backoff level stays).
  const failures = row?.lockedUntil ? 0 : (row?.failures ?? 0);
  return { allowed: true, userId, network, failures, locks: row?.locks ?? 0 };
}

/**
 * Until when some sign-in to the account is refused: the latest network lock, or the end of the
 * hourly ceiling. Kept on the users row for the staff list only.
 */
async function latestRefusal(tx: Database, userId: string, policy: LockoutPolicy, now: Date): Promise<Date | null> {
  const [locked] = await tx
    .select({ until: signInNetworks.lockedUntil })
    .from(signInNetworks)
    .where(and(eq(signInNetworks.userId, userId), gt(signInNetworks.lockedUntil, now)))
    .orderBy(desc(signInNetworks.lockedUntil))
    .limit(1);
  let latest = locked?.until ?? null;
  const since = new Date(now.getTime() - HOUR_MS);
  const recent = await failuresSince(tx, userId, since);
  if (recent >= policy.accountFailuresPerHour) {
    // The ceiling lifts when enough of the oldest failures have aged out of the hour.
    const [oldest] = await tx
      .select({ at: signInFailures.at })
      .from(signInFailures)
      .where(and(eq(signInFailures.userId, userId), gt(signInFailures.at, since)))
      .orderBy(asc(signInFailures.at), asc(signInFailures.id))
      .offset(recent - policy.accountFailuresPerHour)
      .limit(1);
    const lifts = oldest ? new Date(oldest.at.getTime() + HOUR_MS) : null;
    if (lifts && (!latest || lifts > latest)) latest = lifts;
  }
  return latest;
}

/** Counts a failed attempt that `checkSignIn` allowed; locks its network at the threshold. */
export async function recordFailure(
  tx: Database,
  gate: Extract<SignInGate, { allowed: true }>,
  policy: LockoutPolicy,
  now: Date,
): Promise<{ failures: number; lockedUntil: Date | null }> {
  const { userId, network } = gate;
  const failures = gate.failures + 1;
  const locking = failures >= policy.threshold;
  const locks = locking ? gate.locks + 1 : gate.locks;
  const lockedUntil = locking ? new Date(now.getTime() + lockSeconds(locks, policy) * 1000) : null;
  const state = { failures, locks, lockedUntil, lastFailureAt: now };
  await tx
    .insert(signInNetworks)
    .values({ userId, network, ...state })
    .onConflictDoUpdate({ target: [signInNetworks.userId, signInNetworks.network], set: state });
  await tx.insert(signInFailures).values({ userId, network, at: now });
  if (locking) lockouts.inc();
  // Housekeeping under the same row lock: the hour's window, and networks long quiet.
  await tx.delete(signInFailures).where(and(eq(signInFailures.userId, userId), lte(signInFailures.at, new Date(now.getTime() - HOUR_MS))));
  await tx
    .delete(signInNetworks)
    .where(
      and(
        eq(signInNetworks.userId, userId),
        ne(signInNetworks.network, network),
        or(isNull(signInNetworks.lockedUntil), lte(signInNetworks.lockedUntil, now)),
        lte(signInNetworks.lastFailureAt, new Date(now.getTime() - QUIET_MS)),
        or(
          isNull(signInNetworks.lastSuccessAt),
          lte(signInNetworks.lastSuccessAt, new Date(now.getTime() - policy.knownNetworkDays * DAY_MS)),
        ),
      ),
    );
  await tx
    .update(users)
    .set({ failedLoginCount: sql`${users.failedLoginCount} + 1`, lockedUntil: await latestRefusal(tx, userId, policy, now) })
    .where(eq(users.id, userId));
  return { failures, lockedUntil };
}

/** A successful sign-in: its network is cleared and remembered as one the owner uses. */
export async function recordSuccess(tx: Database, userId: string, network: string, policy: LockoutPolicy, now: Date): Promise<void> {
  const state = { failures: 0, locks: 0, lockedUntil: null, lastSuccessAt: now };
  await tx
    .insert(signInNetworks)
    .values({ userId, network, ...state })
    .onConflictDoUpdate({ target: [signInNetworks.userId, signInNetworks.network], set: state });
  await tx
    .update(users)
    .set({ failedLoginCount: 0, lockedUntil: await latestRefusal(tx, userId, policy, now) })
    .where(eq(users.id, userId));
}

/**
 * Forgets every failure and lock of the account (its password was just replaced, so earlier
 * guesses say nothing about the new one). The owner's known networks stay known.
 */
export async function forgetFailures(tx: Database, userId: string): Promise<void> {
  await tx.delete(signInFailures).where(eq(signInFailures.userId, userId));
  await tx.update(signInNetworks).set({ failures: 0, locks: 0, lockedUntil: null }).where(eq(signInNetworks.userId, userId));
  await tx.update(users).set({ failedLoginCount: 0, lockedUntil: null }).where(eq(users.id, userId));
}
