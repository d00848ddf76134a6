/**
 * The pieces of two-step sign-in that sign-in itself needs (kept apart from mfa.ts, which uses the
 * sign-in service, so neither imports the other): TOTP per RFC 6238 (30 s, 6 digits, SHA-1, what
 * authenticator apps speak), the sealed secret, single-use recovery codes, and the check of a code.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mfaRecoveryCodes, users, type Database } from '@netflow/db';
import { and, eq, isNull } from 'drizzle-orm';
import * as OTPAuth from 'otpauth';
import { secretBox } from '../../lib/secrets';

export const TOTP_ISSUER = 'NetFlow CRM';
const PERIOD_SECONDS = 30;
/** One step either side of now is accepted, for clocks a little off. */
const WINDOW = 1;

/** Additional data of a user's sealed secrets: a sealed value copied to another row does not open. */
export const totpAad = (userId: string) => `totp:${userId}`;
export const pendingTotpAad = (userId: string) => `totp-pending:${userId}`;

export function totpOf(secretBase32: string, label: string): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer: TOTP_ISSUER,
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: PERIOD_SECONDS,
    secret: OTPAuth.Secret.fromBase32(secretBase32),
  });
}

/** A new 160-bit secret (RFC 4226's recommended length), base32. */
export function newTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

/** The time step a 6-digit code belongs to (within the window around `now`), or null when it matches none. */
export function matchingStep(secretBase32: string, code: string, now: Date): number | null {
  const totp = totpOf(secretBase32, 'check');
  const timestamp = now.getTime();
  const delta = totp.validate({ token: code, timestamp, window: WINDOW });
  if (delta === null) return null;
  return totp.counter({ timestamp }) + delta;
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // 32 symbols: no 0/O or 1/I to misread

/** A recovery code: 16 symbols of 5 bits (80 bits, like an activation code), as XXXX-XXXX-XXXX-XXXX. */
export function newRecoveryCode(): string {
  const symbols = Array.from(randomBytes(16), (byte) => CODE_ALPHABET[byte & 31] ?? 'A').join('');
  return symbols.match(/.{4}/g)?.join('-') ?? symbols;
}

/** SHA-256 is enough for a random 80-bit code (no dictionary to try); bound to the user. */
export function recoveryCodeHash(userId: string, code: string): string {
  const normalized = code.toUpperCase().replace(/[\s-]/g, '');
  return createHash('sha256').update(`netflow-recovery:${userId}:${normalized}`).digest('hex');
}

/** Is this what a user typed from the authenticator app (rather than a recovery code)? */
export const isTotpCode = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ''));

/**
 * Checks and spends a second-step code of a user with two-step sign-in on: a TOTP code of a step
 * later than the last one accepted (so a code works once), or an unused recovery code (marked
 * used). The caller holds the user's row lock. Returns how it matched, or null.
 */
export async function spendSecondStep(
  tx: Database,
  user: { id: string; mfaSecret: string | null; mfaLastStep: number | null },
  code: string,
  now: Date,
): Promise<'totp' | 'recovery code' | null> {
  if (user.mfaSecret === null) return null;
  if (isTotpCode(code)) {
    const secret = secretBox().open(user.mfaSecret, totpAad(user.id));
    const step = matchingStep(secret, code.replace(/\s/g, ''), now);
    if (step === null || (user.mfaLastStep !== null && step <= user.mfaLastStep)) return null;
    await tx.update(users).set({ mfaLastStep: step }).where(eq(users.id, user.id));
    return 'totp';
  }
  const [used] = await tx
    .update(mfaRecoveryCodes)
    .set({ usedAt: now })
    .where(
      and(
        eq(mfaRecoveryCodes.userId, user.id),
        eq(mfaRecoveryCodes.codeHash, recoveryCodeHash(user.id, code)),
        isNull(mfaRecoveryCodes.usedAt),
      ),
    )
    .returning({ id: mfaRecoveryCodes.id });
  return used ? 'recovery code' : null;
}
