/**
 * Schemas of the auth module: account requests, activation, sign-in, the current session and
 * password changes. Passwords are 8–128 characters and never trimmed or truncated; the server also
 * refuses common passwords, blank ones and common ones padded with spaces or invisible characters.
 */
import { z } from 'zod';
import { emailSchema, nameSchema, phoneSchema } from './common';
import { signInCodeSchema } from './mfa';
import { newPasswordSchema, passwordAttemptSchema, publicUserSchema } from './users';

/**
 * A request for a staff account. It carries no password: whoever sends a request is not verified,
 * so the password is set later by the person an admin hands an activation code to. `role`,
 * `status`, `password` or anything else sent is dropped.
 */
export const registerInput = z.object({
  name: nameSchema,
  email: emailSchema,
  phone: phoneSchema.optional(),
});
export type RegisterInput = z.infer<typeof registerInput>;

export const REGISTER_ACCEPTED_MESSAGE =
  'Thank you. If these details can be used, an administrator will review the request and give you an activation code to set your password.';
/** The same answer whether or not the e-mail or phone already exists. */
export const registerResult = z.object({ message: z.string() });

/** `identifier` is an e-mail address (any case, surrounding spaces ignored) or a 10-digit phone. */
export const loginInput = z.object({
  identifier: z.string().trim().min(1, { error: 'Required' }).max(254),
  password: passwordAttemptSchema,
  /** Two-step sign-in: the app's code or a recovery code; ignored for an account without it. */
  totp: signInCodeSchema.optional(),
});
export type LoginInput = z.infer<typeof loginInput>;

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid credentials';

export const sessionTokenSchema = z.object({ token: z.string(), expiresAt: z.string() });
export type SessionToken = z.infer<typeof sessionTokenSchema>;

export const loginResult = sessionTokenSchema.extend({ user: publicUserSchema });
export type LoginResult = z.infer<typeof loginResult>;

export const meResult = z.object({
  user: publicUserSchema,
  /** Two-step sign-in is on for this account. */
  mfaEnabled: z.boolean(),
  /** The user's role must use two-step sign-in (MFA_REQUIRED_ROLES). */
  mfaRequired: z.boolean(),
});
export type MeResult = z.infer<typeof meResult>;

export const verifyResult = z.object({ valid: z.literal(true), userId: z.uuid(), expiresAt: z.string() });
export type VerifyResult = z.infer<typeof verifyResult>;

/** An activation code as an admin reads it out: letters and digits, dashes and spaces ignored. */
export const activationCodeSchema = z.string().trim().min(1, { error: 'Required' }).max(64);

/** Sets the first password of an approved account with the code its approval issued (single use). */
export const activateInput = z.object({
  email: emailSchema,
  code: activationCodeSchema,
  password: newPasswordSchema,
});
export type ActivateInput = z.infer<typeof activateInput>;

/** The one answer to every failed activation (unknown e-mail, wrong, used or expired code, locked). */
export const ACTIVATION_FAILED_MESSAGE = 'Invalid or expired activation code';
export const ACCOUNT_ACTIVATED_MESSAGE = 'Your account is active. Sign in with your e-mail and the password you just set.';
export const activateResult = z.object({ message: z.string() });

export const changePasswordInput = z.object({
  currentPassword: passwordAttemptSchema,
  newPassword: newPasswordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
/** tRPC answer of a password change: a fresh token for the caller (every other session ends). */
export const changePasswordResult = sessionTokenSchema;
