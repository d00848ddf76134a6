/**
 * Staff administration: list and read accounts, create active staff, approve account requests,
 * disable, change roles, reset passwords. Plain functions `(db, actor, input)` that throw domain
 * errors; every change is audited in its own transaction.
 *
 * Two rules guard the system from locking itself out: no one changes their own role or status,
 * and the last active admin can be neither demoted nor disabled (checked under a lock that
 * serialises role and status changes, so two concurrent demotions cannot both pass).
 *
 * An account request never becomes active on an admin's click: approval gives it a role and a
 * single-use activation code (shown once), with which its owner sets their own password.
 */
import { randomBytes } from 'node:crypto';
import {
  canAssignOthers,
  PENDING_REQUEST_CONFLICT_PREFIX,
  rolesForWork,
  type ApproveUserInput,
  type ApproveUserResult,
  type AssignableStaff,
  type AssignableWork,
  type CreateUserInput,
  type ListUsersInput,
  type ResetPasswordInput,
  type StaffUser,
  type UpdateUserInput,
} from '@netflow/contracts';
import { users, type Database } from '@netflow/db';
import { and, asc, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Actor, StaffActor } from '../../lib/actor';
import { conflict, fieldError, forbidden, notFound } from '../../lib/errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { isUniqueViolation } from '../../lib/pg-errors';
import { searchAny } from '../../lib/search';
import { forgetFailures } from '../../security/lockout';
import { activationCodeHash, hashPassword, newActivationCode, passwordProblem, revocationInstant, toPublicUser } from '../auth';
import { patchRecord } from '../../lib/patch';
import { audit } from '../audit';

type UserRow = typeof users.$inferSelect;

/** What approving a request needs besides the database and the actor. */
export interface UsersDeps {
  config: Pick<Config, 'activation'>;
}

export function toStaffUser(row: UserRow, now = Date.now()): StaffUser {
  return {
    ...toPublicUser(row),
    lockedUntil: row.lockedUntil && row.lockedUntil.getTime() > now ? row.lockedUntil.toISOString() : null,
    failedLoginCount: row.failedLoginCount,
    activationExpiresAt: row.status === 'pending' && row.activationExpiresAt ? row.activationExpiresAt.toISOString() : null,
    mfaEnabled: row.mfaEnabledAt !== null,
  };
}

const userNotFound = () => notFound('User');
const DUPLICATE_MESSAGE = 'A user with this e-mail or phone already exists';

const SORT = 'name.asc';

export async function listUsers(db: Database, _actor: Actor, input: ListUsersInput): Promise<Page<StaffUser>> {
  const page = keyset({ name: SORT, column: users.name, type: 'text', id: users.id, direction: 'asc', cursor: input.cursor });
  const rows = await db
    .select({ user: users, id: users.id, cursorKey: page.cursorKey })
    .from(users)
    .where(
      and(
        searchAny(input.search, [users.name, users.email], [users.phone]),
        input.status ? eq(users.status, input.status) : undefined,
        input.role ? eq(users.role, input.role) : undefined,
        page.where,
      ),
    )
    .orderBy(...page.orderBy)
    .limit(input.limit + 1);
  return toPage(rows, input.limit, SORT, (row) => toStaffUser(row.user));
}

export async function getUser(db: Database, _actor: Actor, id: string): Promise<StaffUser> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw userNotFound();
  return toStaffUser(row);
}

/** The accounts that already hold this e-mail (any case) or phone, locked for the transaction. */
async function holdersOf(tx: Database, email: string, phone: string | undefined): Promise<UserRow[]> {
  const sameEmail = sql`lower(${users.email}) = ${email.toLowerCase()}`;
  return tx
    .select()
    .from(users)
    .where(phone ? or(sameEmail, eq(users.phone, phone)) : sameEmail)
    .for('update');
}

/**
 * Creates an active account with the admin's initial password. When the e-mail or phone belongs
 * to a pending account request, the answer is a 409 naming that request, unless the admin asked
 * to replace it: then the request is deleted (audited) and the new account takes its place.
 */
export async function createUser(db: Database, actor: StaffActor, input: CreateUserInput): Promise<StaffUser> {
  const problem = passwordProblem(input.password, [input.email, input.phone, input.name]);
  if (problem) throw fieldError('password', problem);
  const passwordHash = await hashPassword(input.password);
  try {
    return await db.transaction(async (tx) => {
      const holders = await holdersOf(tx, input.email, input.phone);
      if (holders.some((h) => h.status !== 'pending')) throw conflict(DUPLICATE_MESSAGE);
      if (holders.length > 0 && !input.replacePendingRequest) {
        const names = holders.map((h) => `${h.name} <${h.email}>, asked ${h.createdAt.toISOString().slice(0, 10)}`).join('; ');
        throw conflict(
          `${PENDING_REQUEST_CONFLICT_PREFIX} holds this e-mail or phone (${names}). Approve that request, or create the user with "replace the pending request" to discard it.`,
        );
      }
      for (const request of holders) {
        await tx.delete(users).where(and(eq(users.id, request.id), eq(users.status, 'pending')));
        await audit(tx, actor, {
          action: 'user.request_replaced',
          entityType: 'user',
          entityId: request.id,
          changes: {
            name: request.name,
            email: request.email,
            phone: request.phone,
            requestedAt: request.createdAt.toISOString(),
            replacedBy: input.email,
          },
        });
      }
      const [row] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, phone: input.phone ?? null, role: input.role, status: 'active', passwordHash })
        .returning();
      if (!row) throw new Error('user insert returned nothing');
      await audit(tx, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: row.id,
        changes: {
          name: row.name,
          email: row.email,
          phone: row.phone,
          role: row.role,
          status: row.status,
          ...(holders.length > 0 ? { replacedRequests: holders.map((h) => h.id) } : {}),
        },
      });
      return toStaffUser(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(DUPLICATE_MESSAGE);
    throw error;
  }
}

/**
 * Approves a pending account request with a role: discards any password it holds, and issues a
 * single-use activation code valid for `activation.ttlHours`. The code is returned once and stored
 * only as a hash; approving again issues a new code and voids the old one. The account stays
 * pending until its owner sets a password with the code.
 */
export async function approveRequest(
  db: Database,
  actor: StaffActor,
  input: ApproveUserInput,
  deps: UsersDeps,
): Promise<ApproveUserResult> {
  const code = newActivationCode();
  return db.transaction(async (tx) => {
    const [current] = await tx.select().from(users).where(eq(users.id, input.id)).for('update');
    if (!current) throw userNotFound();
    if (current.status !== 'pending') throw conflict('Only a pending account request can be approved');
    const now = new Date();
    const expiresAt = new Date(now.getTime() + deps.config.activation.ttlHours * 3_600_000);
    const [row] = await tx
      .update(users)
      .set({
        role: input.role,
        passwordHash: null,
        activationCodeHash: activationCodeHash(code),
        activationExpiresAt: expiresAt,
        sessionsValidAfter: revocationInstant(now),
      })
      .where(eq(users.id, current.id))
      .returning();
    if (!row) throw userNotFound();
    await audit(tx, actor, {
      action: 'user.approve',
      entityType: 'user',
      entityId: row.id,
      changes: {
        ...(current.role !== input.role ? { role: { from: current.role, to: input.role } } : { role: input.role }),
        activationCodeIssued: true,
        activationExpiresAt: expiresAt.toISOString(),
        ...(current.activationCodeHash ? { earlierCodeVoided: true } : {}),
      },
    });
    actor.log.info({ event: 'user.approve', userId: row.id }, 'account request approved; activation code issued');
    return { user: toStaffUser(row), activationCode: code, expiresAt: expiresAt.toISOString() };
  });
}

/**
 * Serialises every role or status change for the rest of the transaction, so the last-admin check
 * below cannot be raced (two admins demoting each other at once). An advisory lock rather than row
 * locks: it is taken first and always in the same order, so it cannot deadlock.
 */
const ROLE_CHANGE_LOCK_KEY = 7_301_990_442;

async function anotherActiveAdmin(tx: Database, userId: string): Promise<boolean> {
  const [other] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.role, 'admin'), eq(users.status, 'active'), ne(users.id, userId)))
    .limit(1);
  return other !== undefined;
}

const USER_UPDATE_FIELDS = ['name', 'phone', 'role', 'status'] as const;

export async function updateUser(db: Database, actor: StaffActor, input: UpdateUserInput): Promise<StaffUser> {
  try {
    return await db.transaction(async (tx) => {
      // Role and status changes are serialised, so two admins cannot demote each other at once.
      if (input.role !== undefined || input.status !== undefined) {
        await tx.execute(sql`select pg_advisory_xact_lock(${ROLE_CHANGE_LOCK_KEY})`);
      }
      const { row } = await patchRecord(tx, actor, {
        table: users,
        id: input.id,
        notFound: userNotFound,
        fields: USER_UPDATE_FIELDS,
        input,
        action: 'user.update',
        entityType: 'user',
        check: async (checkTx, current, changes) => {
          if (!changes.role && !changes.status) return;
          if (current.id === actor.user.id) {
            actor.log.warn({ event: 'authz.denied', reason: 'own role or status', userId: actor.user.id }, 'authorization failure');
            throw forbidden('You cannot change your own role or status');
          }
          if (changes.status && current.status === 'pending' && changes.status.to === 'active') {
            // Activating a request would let whoever sent it in, unverified: approval issues a code instead.
            throw conflict(
              'An account request is not activated directly: approve it, and its owner sets a password with the activation code',
            );
          }
          const losesAdmin =
            current.role === 'admin' &&
            current.status === 'active' &&
            ((changes.role && changes.role.to !== 'admin') || (changes.status && changes.status.to !== 'active'));
          if (losesAdmin && !(await anotherActiveAdmin(checkTx, current.id))) {
            throw conflict('The last active admin can be neither disabled nor demoted');
          }
          // A new role or status starts from a fresh sign-in: tokens issued before stop working (and
          // re-enabling a disabled account does not bring its old tokens back). A disabled request's
          // activation code dies with it.
          return {
            sessionsValidAfter: revocationInstant(),
            ...(changes.status ? { activationCodeHash: null, activationExpiresAt: null } : {}),
          };
        },
      });
      return toStaffUser(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(DUPLICATE_MESSAGE);
    throw error;
  }
}

/** A temporary password: 18 random bytes, base64url (24 characters, ~144 bits). */
function temporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}

export const OWN_RESET_MESSAGE = 'Change your own password under Profile: it asks for your current password';

/**
 * Sets a new password of another staff member (the admin's or a generated one), ends every
 * session of that user and lifts every sign-in lock. A generated password is returned once and
 * never stored or logged in clear. One's own password goes through the change-password flow,
 * which asks for the current one, so a stolen admin session cannot quietly take the account over.
 */
export async function resetPassword(
  db: Database,
  actor: StaffActor,
  input: ResetPasswordInput,
): Promise<{ temporaryPassword: string | null }> {
  if (input.id === actor.user.id) {
    actor.log.warn({ event: 'authz.denied', reason: 'own password reset', userId: actor.user.id }, 'authorization failure');
    throw forbidden(OWN_RESET_MESSAGE);
  }
  const [target] = await db.select().from(users).where(eq(users.id, input.id)).limit(1);
  if (!target) throw userNotFound();
  if (target.status === 'pending') {
    throw conflict('This account is a pending request: approve it, and its owner sets a password with the activation code');
  }
  const chosen = input.password;
  if (chosen !== undefined) {
    const problem = passwordProblem(chosen, [target.email, target.phone, target.name]);
    if (problem) throw fieldError('password', problem);
  }
  const password = chosen ?? temporaryPassword();
  const passwordHash = await hashPassword(password);
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, sessionsValidAfter: revocationInstant() })
      .where(and(eq(users.id, input.id), ne(users.status, 'pending')))
      .returning({ id: users.id });
    if (!row) throw userNotFound();
    await forgetFailures(tx, row.id);
    await audit(tx, actor, {
      action: 'user.password_reset',
      entityType: 'user',
      entityId: row.id,
      changes: { credential: chosen === undefined ? 'generated' : 'set by admin', sessionsEnded: true, unlocked: true },
    });
  });
  return { temporaryPassword: chosen === undefined ? password : null };
}

/**
 * The active staff a record can be assigned to, for callers who may assign to others (support
 * handing a ticket to a technician, a manager a lead to a salesperson) without reading the whole
 * staff directory: ids, names and roles only.
 */
export async function listAssignableStaff(db: Database, actor: StaffActor, work: AssignableWork): Promise<AssignableStaff> {
  if (!canAssignOthers(actor.user.role, work)) throw forbidden(`You may not assign ${work} to others`);
  const items = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.status, 'active'), inArray(users.role, rolesForWork(work))))
    .orderBy(asc(users.name), asc(users.id))
    .limit(500);
  return { items };
}
