/**
 * Schemas of two-step sign-in (TOTP, RFC 6238: 30-second steps, 6 digits, SHA-1, what
 * authenticator apps speak) and its single-use recovery codes.
 */
import { z } from 'zod';
import { passwordAttemptSchema } from './users';

/** The answer to a right password for an account with two-step sign-in, when no code was sent. */
export const MFA_REQUIRED_MESSAGE = 'MFA required';
/** The answer of every procedure a user whose role requires two-step sign-in may not use before enrolling. */
export const MFA_SETUP_REQUIRED_MESSAGE = 'MFA setup required';

export const RECOVERY_CODE_COUNT = 10;

/** A 6-digit code from the authenticator app (spaces ignored). */
export const totpCodeSchema = z
  .string()
  .transform((v) => v.replace(/\s/g, ''))
  .pipe(z.string().regex(/^\d{6}$/, { error: 'Enter the 6-digit code from your authenticator app' }));

/** At sign-in: the app's 6-digit code or one recovery code (`XXXXX-XXXXX`; case, spaces and dashes ignored). */
export const signInCodeSchema = z
  .string()
  .trim()
  .max(32, { error: 'Enter the 6-digit code or a recovery code' })
  .regex(/^(\d[\d ]{4,6}\d|[A-Za-z0-9][A-Za-z0-9 -]{8,30})$/, { error: 'Enter the 6-digit code or a recovery code' });

export const mfaSetupResult = z.object({
  /** Base32 secret, for typing into an app that cannot scan. */
  secret: z.string(),
  otpauthUrl: z.string(),
  /** The otpauth URL as a QR code, SVG markup made by the server. */
  qrSvg: z.string(),
});
export type MfaSetupResult = z.infer<typeof mfaSetupResult>;

export const mfaEnableInput = z.object({ code: totpCodeSchema });
export type MfaEnableInput = z.infer<typeof mfaEnableInput>;

export const recoveryCodesResult = z.object({ recoveryCodes: z.array(z.string()).length(RECOVERY_CODE_COUNT) });
export type RecoveryCodesResult = z.infer<typeof recoveryCodesResult>;

/** Turning two-step sign-in off, or replacing the recovery codes: the password and a current code. */
export const mfaConfirmInput = z.object({ password: passwordAttemptSchema, code: signInCodeSchema });
export type MfaConfirmInput = z.infer<typeof mfaConfirmInput>;

export const mfaResetInput = z.object({ id: z.uuid({ error: 'Must be a valid id' }) });
export type MfaResetInput = z.infer<typeof mfaResetInput>;
