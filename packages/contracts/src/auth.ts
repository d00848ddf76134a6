/**
 * Schemas of the auth module (DESIGN.md §3, §6): registration, login, the current session and
 * password changes. Passwords are 8–128 characters and never trimmed or truncated; the server also
 * refuses passwords found on a common-password list.
 */
import { z } from 'zod';
import { emailSchema, nameSchema, phoneSchema } from './common';
import { newPasswordSchema, passwordAttemptSchema, publicUserSchema } from './users';

/** `role` and `status` are not part of this schema: whatever a registrant sends for them is dropped. */
export const registerInput = z.object({
  name: nameSchema,
  email: emailSchema,
  phone: phoneSchema.optional(),
  password: newPasswordSchema,
});
export type RegisterInput = z.infer<typeof registerInput>;

export const REGISTER_ACCEPTED_MESSAGE =
  'Thank you. If these details can be used, an administrator will review the account; you can sign in once it is activated.';
/** The same answer whether or not the e-mail or phone already exists. */
export const registerResult = z.object({ message: z.string() });

/** `identifier` is an e-mail address (any case, surrounding spaces ignored) or a 10-digit phone. */
export const loginInput = z.object({
  identifier: z.string().trim().min(1, { error: 'Required' }).max(254),
  password: passwordAttemptSchema,
  /** Reserved for two-factor sign-in; ignored while no account has a second factor enrolled. */
  totp: z
    .string()
    .regex(/^\d{6,8}$/, { error: 'Enter the 6-digit code' })
    .optional(),
});
export type LoginInput = z.infer<typeof loginInput>;

export const INVALID_CREDENTIALS_MESSAGE = 'Invalid credentials';

export const sessionTokenSchema = z.object({ token: z.string(), expiresAt: z.string() });
export type SessionToken = z.infer<typeof sessionTokenSchema>;

export const loginResult = sessionTokenSchema.extend({ user: publicUserSchema });
export type LoginResult = z.infer<typeof loginResult>;

export const meResult = z.object({ user: publicUserSchema });
export type MeResult = z.infer<typeof meResult>;

export const verifyResult = z.object({ valid: z.literal(true), userId: z.uuid(), expiresAt: z.string() });
export type VerifyResult = z.infer<typeof verifyResult>;

export const changePasswordInput = z.object({
  currentPassword: passwordAttemptSchema,
  newPassword: newPasswordSchema,
});
export type ChangePasswordInput = z.infer<typeof changePasswordInput>;
/** tRPC answer of a password change: a fresh token for the caller (every other session ends). */
export const changePasswordResult = sessionTokenSchema;
