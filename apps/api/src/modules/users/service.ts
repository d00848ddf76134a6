/**
 * Staff administration: list and read accounts, create active staff, activate, disable, change
 * roles, reset passwords. Every change is audited in its own transaction. Two rules guard the
 * system from locking itself out: no one changes their own role or status, and the last active
 * admin can be neither demoted nor disabled (checked under a lock that serialises role and status
 * changes, so two concurrent demotions cannot both pass).
 */
import { randomBytes } from 'node:crypto';
import {
  canAssignOthers,
  rolesForWork,
  type AssignableStaff,
  type AssignableWork,
  type CreateUserInput,
  type ListUsersInput,
  type ResetPasswordInput,
  type StaffUser,
  type UpdateUserInput,
} from '@netflow/contracts';
import { users, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { isUniqueViolation } from '../../lib/pg-errors';
import { keyset, toPage, type Page } from '../../lib/pagination';
import { searchAny } from '../../lib/search';
import { audit } from '../audit';
import type { Context, CurrentUser } from '../../trpc/context';
import { fieldError, passwordProblem } from '../auth/password-policy';
import { hashPassword } from '../auth/passwords';
import { revocationInstant, toPublicUser } from '../auth/service';

type Actor = Pick<Context, 'db' | 'ip' | 'requestId' | 'log'> & { user: CurrentUser };
type UserRow = typeof users.$inferSelect;

export function toStaffUser(row: UserRow): StaffUser {
  return {
    ...toPublicUser(row),
    lockedUntil: row.lockedUntil && row.lockedUntil.getTime() > Date.now() ? row.lockedUntil.toISOString() : null,
    failedLoginCount: row.failedLoginCount,
  };
}

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'User not found' });
const duplicate = () => new TRPCError({ code: 'CONFLICT', message: 'A user with this e-mail or phone already exists' });

const SORT = 'name.asc';

export async function listUsers(db: Database, input: ListUsersInput): Promise<Page<StaffUser>> {
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

export async function getUser(db: Database, id: string): Promise<StaffUser> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw notFound();
  return toStaffUser(row);
}

export async function createUser(actor: Actor, input: CreateUserInput): Promise<StaffUser> {
  const problem = passwordProblem(input.password, [input.email, input.phone, input.name]);
  if (problem) throw fieldError('password', problem);
  const passwordHash = await hashPassword(input.password);
  try {
    return await actor.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(users)
        .values({ name: input.name, email: input.email, phone: input.phone ?? null, role: input.role, status: 'active', passwordHash })
        .returning();
      if (!row) throw new Error('user insert returned nothing');
      await audit(tx, actor, {
        action: 'user.create',
        entityType: 'user',
        entityId: row.id,
        changes: { name: row.name, email: row.email, phone: row.phone, role: row.role, status: row.status },
      });
      return toStaffUser(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
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

export async function updateUser(actor: Actor, input: UpdateUserInput): Promise<StaffUser> {
  try {
    return await actor.db.transaction(async (tx) => {
      if (input.role !== undefined || input.status !== undefined) {
        await tx.execute(sql`select pg_advisory_xact_lock(${ROLE_CHANGE_LOCK_KEY})`);
      }
      const [current] = await tx.select().from(users).where(eq(users.id, input.id)).for('update');
      if (!current) throw notFound();

      const roleChanges = input.role !== undefined && input.role !== current.role;
      const statusChanges = input.status !== undefined && input.status !== current.status;
      if (current.id === actor.user.id && (roleChanges || statusChanges)) {
        actor.log.warn({ event: 'authz.denied', reason: 'own role or status', userId: actor.user.id }, 'authorization failure');
        throw new TRPCError({ code: 'FORBIDDEN', message: 'You cannot change your own role or status' });
      }
      const losesAdmin =
        current.role === 'admin' && current.status === 'active' && ((roleChanges && input.role !== 'admin') || (statusChanges && input.status !== 'active'));
      if (losesAdmin && !(await anotherActiveAdmin(tx, current.id))) {
        throw new TRPCError({ code: 'CONFLICT', message: 'The last active admin can be neither disabled nor demoted' });
      }

      const changes: Record<string, { from: unknown; to: unknown }> = {};
      const set: Partial<typeof users.$inferInsert> = {};
      if (input.name !== undefined && input.name !== current.name) {
        changes.name = { from: current.name, to: input.name };
        set.name = input.name;
      }
      if (input.phone !== undefined && input.phone !== current.phone) {
        changes.phone = { from: current.phone, to: input.phone };
        set.phone = input.phone;
      }
      if (roleChanges) {
        changes.role = { from: current.role, to: input.role };
        set.role = input.role;
      }
      if (statusChanges) {
        changes.status = { from: current.status, to: input.status };
        set.status = input.status;
      }
      if (Object.keys(set).length === 0) return toStaffUser(current);
      // A new role or status starts from a fresh sign-in: tokens issued before stop working (and
      // re-enabling a disabled account does not bring its old tokens back).
      if (roleChanges || statusChanges) set.sessionsValidAfter = revocationInstant();

      const [row] = await tx.update(users).set(set).where(eq(users.id, current.id)).returning();
      if (!row) throw notFound();
      await audit(tx, actor, { action: 'user.update', entityType: 'user', entityId: row.id, changes });
      return toStaffUser(row);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw duplicate();
    throw error;
  }
}

/** A temporary password: 18 random bytes, base64url (24 characters, ~144 bits). */
function temporaryPassword(): string {
  return randomBytes(18).toString('base64url');
}

/**
 * Sets a new password (the admin's or a generated one), ends every session of that user and lifts
 * a sign-in lock. A generated password is returned once and never stored or logged in clear.
 */
export async function resetPassword(actor: Actor, input: ResetPasswordInput): Promise<{ temporaryPassword: string | null }> {
  const [target] = await actor.db.select().from(users).where(eq(users.id, input.id)).limit(1);
  if (!target) throw notFound();
  const chosen = input.password;
  if (chosen !== undefined) {
    const problem = passwordProblem(chosen, [target.email, target.phone, target.name]);
    if (problem) throw fieldError('password', problem);
  }
  const password = chosen ?? temporaryPassword();
  const passwordHash = await hashPassword(password);
  await actor.db.transaction(async (tx) => {
    const [row] = await tx
      .update(users)
      .set({ passwordHash, sessionsValidAfter: revocationInstant(), failedLoginCount: 0, lockedUntil: null })
      .where(eq(users.id, input.id))
      .returning({ id: users.id });
    if (!row) throw notFound();
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
export async function listAssignableStaff(db: Database, caller: CurrentUser, work: AssignableWork): Promise<AssignableStaff> {
  if (!canAssignOthers(caller.role, work)) {
    throw new TRPCError({ code: 'FORBIDDEN', message: `You may not assign ${work} to others` });
  }
  const items = await db
    .select({ id: users.id, name: users.name, role: users.role })
    .from(users)
    .where(and(eq(users.status, 'active'), inArray(users.role, rolesForWork(work))))
    .orderBy(asc(users.name), asc(users.id))
    .limit(500);
  return { items };
}
