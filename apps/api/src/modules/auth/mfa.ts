/**
 * Two-step sign-in for staff: enrolment (a pending secret, confirmed by its first code), turning
 * it off and replacing the recovery codes (both need the password and a current code; failures
 * count towards the sign-in lockout like a wrong password), an admin's reset of another
 * account's enrolment, and the role policy (MFA_REQUIRED_ROLES). Sign-in itself checks the code
 * in service.ts through mfa-codes.ts.
 *
 * Secrets are sealed at rest with the secret box (aad `totp:<userId>`, `totp-pending:<userId>`;
 * `pnpm secrets:rotate` re-seals them) and never leave the server except once, at setup.
 */
import {
  RECOVERY_CODE_COUNT,
  type MfaConfirmInput,
  type MfaEnableInput,
  type MfaSetupResult,
  type RecoveryCodesResult,
  type Role,
} from '@netflow/contracts';
import { mfaRecoveryCodes, users, type Database } from '@netflow/db';
import { eq } from 'drizzle-orm';
import QRCode from 'qrcode';
import type { Config } from '../../config';
import type { StaffActor } from '../../lib/actor';
import { conflict, fieldError, forbidden, invalid, notFound } from '../../lib/errors';
import { secretBox } from '../../lib/secrets';
import { checkSignIn, recordFailure } from '../../security/lockout';
import { audit } from '../audit';
import {
  matchingStep,
  newRecoveryCode,
  newTotpSecret,
  pendingTotpAad,
  recoveryCodeHash,
  spendSecondStep,
  totpAad,
  totpOf,
} from './mfa-codes';
import { burnVerification, verifyPassword } from './passwords';
import { revocationInstant } from './service';

export const WRONG_PASSWORD_OR_CODE_MESSAGE = 'Wrong password or code';

/** Must this role use two-step sign-in (MFA_REQUIRED_ROLES)? */
export function mfaRequiredFor(config: Pick<Config, 'mfa'>, role: Role): boolean {
  return config.mfa.requiredRoles.includes(role);
}

/** Whether the user has two-step sign-in on (for the procedure tier when the context did not load it). */
export async function mfaEnabledFor(db: Database, userId: string): Promise<boolean> {
  const [row] = await db.select({ enabledAt: users.mfaEnabledAt }).from(users).where(eq(users.id, userId)).limit(1);
  return Boolean(row?.enabledAt);
}

async function lockedUser(tx: Database, userId: string) {
  const [row] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
  if (!row) throw notFound('User');
  return row;
}

/** Replaces the user's recovery codes with a fresh set; returns the codes (shown once). */
async function issueRecoveryCodes(tx: Database, userId: string): Promise<string[]> {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newRecoveryCode);
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
  await tx.insert(mfaRecoveryCodes).values(codes.map((code) => ({ userId, codeHash: recoveryCodeHash(userId, code) })));
  return codes;
}

/**
 * Starts enrolment: a new secret, kept sealed as pending (sign-in does not ask for it yet), and
 * what an authenticator app needs: the base32 secret, the otpauth:// URL and that URL as a QR
 * code in SVG. Starting again replaces the pending secret.
 */
export async function setupMfa(db: Database, actor: StaffActor): Promise<MfaSetupResult> {
  const secret = newTotpSecret();
  await db.transaction(async (tx) => {
    const row = await lockedUser(tx, actor.user.id);
    if (row.mfaSecret !== null) throw conflict('Two-step sign-in is already on; turn it off first to enrol a new device');
    await tx
      .update(users)
      .set({ mfaPendingSecret: secretBox().seal(secret, pendingTotpAad(row.id)) })
      .where(eq(users.id, row.id));
    await audit(tx, actor, { action: 'auth.mfa_setup', entityType: 'user', entityId: row.id });
  });
  const otpauthUrl = totpOf(secret, actor.user.email).toString();
  const qrSvg = await QRCode.toString(otpauthUrl, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  actor.log.info({ event: 'auth.mfa.setup', userId: actor.user.id }, 'two-step sign-in enrolment started');
  return { secret, otpauthUrl, qrSvg };
}

/**
 * Finishes enrolment with a code of the pending secret: two-step sign-in is on from now, and the
 * ten recovery codes are returned (the only time they are shown).
 */
export async function enableMfa(db: Database, actor: StaffActor, input: MfaEnableInput): Promise<RecoveryCodesResult> {
  const recoveryCodes = await db.transaction(async (tx) => {
    const row = await lockedUser(tx, actor.user.id);
    if (row.mfaSecret !== null) throw conflict('Two-step sign-in is already on');
    if (row.mfaPendingSecret === null) throw invalid('Start the setup first');
    const secret = secretBox().open(row.mfaPendingSecret, pendingTotpAad(row.id));
    const now = new Date();
    const step = matchingStep(secret, input.code, now);
    if (step === null) throw fieldError('code', 'That code does not match; check the time on your phone and try the next one');
    await tx
      .update(users)
      .set({ mfaSecret: secretBox().seal(secret, totpAad(row.id)), mfaPendingSecret: null, mfaEnabledAt: now, mfaLastStep: step })
      .where(eq(users.id, row.id));
    const codes = await issueRecoveryCodes(tx, row.id);
    await audit(tx, actor, {
      action: 'auth.mfa_enable',
      entityType: 'user',
      entityId: row.id,
      changes: { mfa: { from: 'off', to: 'on' }, recoveryCodesIssued: codes.length },
    });
    return codes;
  });
  actor.log.info({ event: 'auth.mfa.enable', userId: actor.user.id }, 'two-step sign-in turned on');
  return { recoveryCodes };
}

/**
 * Checks the password and a current code (or a recovery code) of the signed-in user under the
 * row lock and the sign-in lockout, then runs `then`. A wrong one of either counts as a failure
 * and answers the same 400, whichever was wrong.
 */
async function withPasswordAndCode<T>(
  db: Database,
  actor: StaffActor,
  input: MfaConfirmInput,
  deps: { config: Pick<Config, 'lockout'> },
  action: string,
  then: (tx: Database) => Promise<{ result: T; changes: Record<string, unknown> }>,
): Promise<T> {
  const policy = deps.config.lockout;
  const outcome = await db.transaction(async (tx) => {
    const row = await lockedUser(tx, actor.user.id);
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null) => {
      await audit(tx, actor, { action, entityType: 'user', entityId: row.id, outcome: 'failure', reason, changes });
      return { ok: false as const, reason };
    };
    if (row.mfaSecret === null) return { ok: false as const, reason: 'not enrolled', off: true };
    const gate = await checkSignIn(tx, row.id, actor.ip, policy, now);
    if (!gate.allowed) {
      await burnVerification(input.password);
      return fail(`account locked (${gate.reason})`, { network: gate.network });
    }
    const passwordRight = row.passwordHash !== null && (await verifyPassword(row.passwordHash, input.password));
    // The code is spent only with the right password, so a wrong password cannot burn a recovery code.
    const how = passwordRight ? await spendSecondStep(tx, row, input.code, now) : null;
    if (!how) {
      const result = await recordFailure(tx, gate, policy, now);
      return fail(passwordRight ? 'wrong second-step code' : 'wrong password', {
        network: gate.network,
        failedInARow: result.failures,
        lockedUntil: result.lockedUntil?.toISOString() ?? null,
      });
    }
    const { result, changes } = await then(tx);
    await audit(tx, actor, { action, entityType: 'user', entityId: row.id, changes: { ...changes, secondStep: how } });
    return { ok: true as const, result };
  });
  if (!outcome.ok) {
    actor.log.warn({ event: `${action}.failure`, reason: outcome.reason, userId: actor.user.id }, 'two-step sign-in change refused');
    if ('off' in outcome) throw conflict('Two-step sign-in is not on');
    throw invalid(WRONG_PASSWORD_OR_CODE_MESSAGE);
  }
  return outcome.result;
}

async function clearMfa(tx: Database, userId: string, extra: Partial<typeof users.$inferInsert> = {}) {
  await tx
    .update(users)
    .set({ mfaSecret: null, mfaPendingSecret: null, mfaEnabledAt: null, mfaLastStep: null, ...extra })
    .where(eq(users.id, userId));
  await tx.delete(mfaRecoveryCodes).where(eq(mfaRecoveryCodes.userId, userId));
}

/** Turns two-step sign-in off (password and a current code); the recovery codes go with it. */
export async function disableMfa(db: Database, actor: StaffActor, input: MfaConfirmInput, deps: { config: Pick<Config, 'lockout'> }) {
  await withPasswordAndCode(db, actor, input, deps, 'auth.mfa_disable', async (tx) => {
    await clearMfa(tx, actor.user.id);
    return { result: undefined, changes: { mfa: { from: 'on', to: 'off' } } };
  });
  actor.log.info({ event: 'auth.mfa.disable', userId: actor.user.id }, 'two-step sign-in turned off');
}

/** A fresh set of recovery codes (password and a current code); the old ones stop working. */
export async function regenerateRecoveryCodes(
  db: Database,
  actor: StaffActor,
  input: MfaConfirmInput,
  deps: { config: Pick<Config, 'lockout'> },
): Promise<RecoveryCodesResult> {
  const recoveryCodes = await withPasswordAndCode(db, actor, input, deps, 'auth.mfa_recovery_codes', async (tx) => {
    const codes = await issueRecoveryCodes(tx, actor.user.id);
    return { result: codes, changes: { recoveryCodesIssued: codes.length } };
  });
  actor.log.info({ event: 'auth.mfa.recovery_codes', userId: actor.user.id }, 'recovery codes replaced');
  return { recoveryCodes };
}

/**
 * An admin clears another account's two-step sign-in (a lost phone and lost recovery codes) and
 * ends its sessions; the person enrols again at next sign-in if their role requires it. Not for
 * one's own account: that takes the password and a code, on the profile.
 */
export async function resetMfa(db: Database, actor: StaffActor, id: string): Promise<void> {
  if (id === actor.user.id) throw forbidden('Turn off your own two-step sign-in on your profile');
  await db.transaction(async (tx) => {
    const row = await lockedUser(tx, id);
    await clearMfa(tx, row.id, { sessionsValidAfter: revocationInstant() });
    await audit(tx, actor, {
      action: 'user.mfa_reset',
      entityType: 'user',
      entityId: row.id,
      changes: { mfa: { from: row.mfaEnabledAt ? 'on' : 'off', to: 'off' }, sessionsEnded: true },
    });
  });
  actor.log.info({ event: 'user.mfa_reset', userId: id, by: actor.user.id }, 'two-step sign-in reset by an admin');
}
