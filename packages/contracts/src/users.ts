/**
 * Schemas of the users module: staff accounts as the API shows them, and what an admin may send to
 * list, create, change and reset them. No schema here carries a hash, secret or token field.
 */
import { z } from 'zod';
import { emailSchema, idSchema, nameSchema, pageInput, pageOf, phoneSchema, searchSchema } from './common';
import { ROLES, roleSchema, scopeOf, type Permission, type Role } from './roles';

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

/**
 * A new password. `abort` on the length checks stops validation there, so an oversized value
 * never reaches the server's common-password lookup, let alone a hash.
 */
export const newPasswordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, { error: `Use at least ${PASSWORD_MIN_LENGTH} characters`, abort: true })
  .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters`, abort: true });

/** A password being checked (login, current password): any non-empty value up to the maximum. */
export const passwordAttemptSchema = z
  .string()
  .min(1, { error: 'Required', abort: true })
  .max(PASSWORD_MAX_LENGTH, { error: `Use at most ${PASSWORD_MAX_LENGTH} characters`, abort: true });

export const USER_STATUSES = ['pending', 'active', 'disabled'] as const;
export const userStatusSchema = z.enum(USER_STATUSES);
export type UserStatus = z.infer<typeof userStatusSchema>;

/** A staff member as the API shows it: never a hash, secret or token. */
export const publicUserSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  role: roleSchema,
  status: userStatusSchema,
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

/** What admins and managers see in the staff list: also whether sign-in is locked after failures. */
export const staffUserSchema = publicUserSchema.extend({
  /** Until when some sign-in is refused (a locked network or the hourly ceiling); null when none. */
  lockedUntil: z.string().nullable(),
  /** Failed sign-ins since the last success. */
  failedLoginCount: z.number().int(),
  /** An approved request waiting for its owner: when the activation code stops working. */
  activationExpiresAt: z.string().nullable(),
  /** Two-step sign-in is on (an admin may reset it). */
  mfaEnabled: z.boolean(),
});
export type StaffUser = z.infer<typeof staffUserSchema>;

export const listUsersInput = pageInput.extend({
  search: searchSchema,
  status: userStatusSchema.optional(),
  role: roleSchema.optional(),
});
export type ListUsersInput = z.infer<typeof listUsersInput>;
export const userPage = pageOf(staffUserSchema);

export const getUserInput = z.object({ id: idSchema });

/**
 * An admin creates an active staff member with a role and an initial password (8–128
 * characters; the server also refuses common passwords). When a pending account request holds the
 * e-mail or phone, the answer is a 409 naming it, unless `replacePendingRequest` discards it.
 */
export const createUserInput = z.object({
  name: nameSchema,
  email: emailSchema,
  phone: phoneSchema.optional(),
  role: roleSchema,
  password: newPasswordSchema,
  replacePendingRequest: z.boolean().optional(),
});
export type CreateUserInput = z.infer<typeof createUserInput>;

/** How a 409 caused by a pending account request starts (the web client offers to replace it). */
export const PENDING_REQUEST_CONFLICT_PREFIX = 'A pending account request';

/**
 * Approves a pending account request with a role. The answer carries a single-use activation
 * code, shown once, which the person uses to set their own password.
 */
export const approveUserInput = z.object({ id: idSchema, role: roleSchema });
export type ApproveUserInput = z.infer<typeof approveUserInput>;
export const approveUserResult = z.object({ user: staffUserSchema, activationCode: z.string(), expiresAt: z.string() });
export type ApproveUserResult = z.infer<typeof approveUserResult>;

/** Statuses an admin can set: activate a pending account, disable or re-enable one. */
export const settableUserStatusSchema = z.enum(['active', 'disabled']);

export const updateUserInput = z.object({
  id: idSchema,
  name: nameSchema.optional(),
  /** `null` removes the phone number. */
  phone: phoneSchema.nullable().optional(),
  role: roleSchema.optional(),
  status: settableUserStatusSchema.optional(),
});
export type UpdateUserInput = z.infer<typeof updateUserInput>;

/**
 * Sets a new password of another staff member, ends every session of that user and lifts a
 * sign-in lock. Without `password` the server generates a strong temporary one and returns it
 * once. Admins change their own password with the current one (auth.changePassword).
 */
export const resetPasswordInput = z.object({
  id: idSchema,
  password: newPasswordSchema.optional(),
});
export type ResetPasswordInput = z.infer<typeof resetPasswordInput>;
/** `temporaryPassword` is shown once (null when the admin chose the password). */
export const resetPasswordResult = z.object({ temporaryPassword: z.string().nullable() });

/**
 * Who a record can be assigned to. Leads go to staff who work leads, tickets to staff who work
 * tickets; only callers who may assign to others (scope `all`) can list them.
 */
export const ASSIGNABLE_WORK = {
  leads: 'leads.write',
  tickets: 'tickets.update',
} as const satisfies Record<string, Permission>;
export type AssignableWork = keyof typeof ASSIGNABLE_WORK;

export function canAssignOthers(role: Role, work: AssignableWork): boolean {
  return scopeOf(role, ASSIGNABLE_WORK[work]) === 'all';
}

/** Roles whose members can be given that work (own-scope sales take leads, assigned-scope technicians tickets). */
export function rolesForWork(work: AssignableWork): Role[] {
  return ROLES.filter((role) => scopeOf(role, ASSIGNABLE_WORK[work]) !== null);
}

export const assignableStaffInput = z.object({ work: z.enum(['leads', 'tickets']) });
export const assignableStaffSchema = z.object({
  items: z.array(z.object({ id: z.uuid(), name: z.string(), role: roleSchema })),
});
export type AssignableStaff = z.infer<typeof assignableStaffSchema>;
