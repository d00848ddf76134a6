/**
 * Sign-in, registration and the signed-in user's own session and password (DESIGN.md §3, §6).
 *
 * Every failure of `login` answers the same 401 "Invalid credentials" and costs one argon2
 * verification, whatever the reason (unknown, wrong password, pending, disabled, locked). The
 * reason goes to the log and the audit trail only. Failures are counted per account in Postgres
 * under a row lock, so parallel attempts (a tRPC batch) cannot get more guesses than the lockout
 * threshold allows.
 */
import {
  INVALID_CREDENTIALS_MESSAGE,
  REGISTER_ACCEPTED_MESSAGE,
  type ChangePasswordInput,
  type LoginInput,
  type LoginResult,
  type PublicUser,
  type RegisterInput,
  type SessionToken,
} from '@netflow/contracts';
import { users, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { eq, sql } from 'drizzle-orm';
import { isLocked, lockedUntilAfter } from '../../security/lockout';
import type { Context, CurrentUser } from '../../trpc/context';
import { auditActorOf, recordAudit, type AuditActor } from '../audit';
import { fieldError, passwordProblem } from './password-policy';
import { burnVerification, hashPassword, needsRehash, verifyPassword } from './passwords';

type AuthContext = Pick<Context, 'db' | 'config' | 'tokens' | 'ip' | 'requestId' | 'log' | 'user'>;
type UserRow = typeof users.$inferSelect;

export function toPublicUser(row: UserRow): PublicUser {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    phone: row.phone,
    role: row.role,
    status: row.status,
    lastLoginAt: row.lastLoginAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/**
 * The instant from which a user's existing tokens stop working. One millisecond ahead, so a token
 * signed in the same millisecond as the logout is refused too; a token issued at this instant
 * (the fresh one after a password change) is accepted.
 */
export function revocationInstant(now = new Date()): Date {
  return new Date(now.getTime() + 1);
}

export type Identifier = { kind: 'email'; value: string } | { kind: 'phone'; value: string };

/** An e-mail (trimmed, lower-cased) or a 10-digit phone (spaces and dashes ignored); null otherwise. */
export function parseIdentifier(raw: string): Identifier | null {
  const value = raw.trim();
  if (value.includes('@')) {
    const email = value.toLowerCase();
    return /^[^\s@]+@[^\s@]+$/.test(email) && email.length <= 254 ? { kind: 'email', value: email } : null;
  }
  const digits = value.replace(/[\s-]/g, '');
  return /^\d{10}$/.test(digits) ? { kind: 'phone', value: digits } : null;
}

const invalidCredentials = () => new TRPCError({ code: 'UNAUTHORIZED', message: INVALID_CREDENTIALS_MESSAGE });

function requestActor(ctx: AuthContext, label: string | null, actorId: string | null = null): AuditActor {
  return { actorId, actorLabel: label, ip: ctx.ip, requestId: ctx.requestId };
}

type LoginOutcome = { ok: true; user: UserRow } | { ok: false; reason: string; userId: string | null };

async function findUserId(db: Database, identifier: Identifier): Promise<string | null> {
  const condition = identifier.kind === 'email' ? sql`lower(${users.email}) = ${identifier.value}` : eq(users.phone, identifier.value);
  const [row] = await db.select({ id: users.id }).from(users).where(condition).limit(1);
  return row?.id ?? null;
}

async function attemptLogin(ctx: AuthContext, identifier: Identifier | null, password: string): Promise<LoginOutcome> {
  const label = identifier?.value ?? null;
  const userId = identifier ? await findUserId(ctx.db, identifier) : null;
  if (!userId) {
    await burnVerification(password);
    await recordAudit(ctx.db, requestActor(ctx, label), {
      action: 'auth.login',
      entityType: 'user',
      outcome: 'failure',
      reason: identifier ? 'unknown account' : 'identifier is neither an e-mail nor a 10-digit phone',
    });
    return { ok: false, reason: 'unknown account', userId: null };
  }

  return ctx.db.transaction(async (tx): Promise<LoginOutcome> => {
    // The row lock serialises attempts on one account: each sees the count (and lock) left by the last.
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user) return { ok: false, reason: 'unknown account', userId: null };
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null): Promise<LoginOutcome> => {
      await recordAudit(tx, requestActor(ctx, label), {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        outcome: 'failure',
        reason,
        changes,
      });
      return { ok: false, reason, userId: user.id };
    };

    if (isLocked(user.lockedUntil, now)) {
      await burnVerification(password);
      return fail('account locked');
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      const failures = user.failedLoginCount + 1;
      const lockedUntil = lockedUntilAfter(failures, ctx.config.lockout, now);
      await tx.update(users).set({ failedLoginCount: failures, lockedUntil }).where(eq(users.id, user.id));
      return fail(lockedUntil ? 'wrong password; account locked' : 'wrong password', {
        failedLoginCount: failures,
        lockedUntil: lockedUntil?.toISOString() ?? null,
      });
    }
    if (user.status !== 'active') return fail(`account ${user.status}`);

    const rehash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
    const [updated] = await tx
      .update(users)
      .set({ failedLoginCount: 0, lockedUntil: null, lastLoginAt: now, ...(rehash ? { passwordHash: rehash } : {}) })
      .where(eq(users.id, user.id))
      .returning();
    await recordAudit(tx, requestActor(ctx, user.email, user.id), {
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      changes: rehash ? { credentialUpgraded: true } : null,
    });
    return { ok: true, user: updated ?? user };
  });
}

export async function login(ctx: AuthContext, input: LoginInput): Promise<LoginResult> {
  const identifier = parseIdentifier(input.identifier);
  const outcome = await attemptLogin(ctx, identifier, input.password);
  if (!outcome.ok) {
    ctx.log.warn({ event: 'auth.login.failure', reason: outcome.reason, userId: outcome.userId }, 'sign-in failed');
    throw invalidCredentials();
  }
  const { token, expiresAt } = await ctx.tokens.sign(outcome.user);
  ctx.log.info({ event: 'auth.login.success', userId: outcome.user.id }, 'signed in');
  return { token, expiresAt: expiresAt.toISOString(), user: toPublicUser(outcome.user) };
}

/**
 * Creates a pending account, or silently nothing when the e-mail or phone is taken: the answer is
 * the same either way, and the password is hashed either way so timing does not tell. An existing
 * account is never touched (no overwriting someone's pending registration).
 */
export async function register(ctx: AuthContext, input: RegisterInput): Promise<{ message: string }> {
  const passwordHash = await hashPassword(input.password);
  await ctx.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ name: input.name, email: input.email, phone: input.phone ?? null, passwordHash, status: 'pending' })
      .onConflictDoNothing()
      .returning({ id: users.id, role: users.role });
    await recordAudit(tx, requestActor(ctx, input.email), {
      action: 'user.register',
      entityType: 'user',
      entityId: row?.id ?? null,
      outcome: row ? 'success' : 'failure',
      reason: row ? null : 'e-mail or phone already registered',
      changes: row ? { name: input.name, email: input.email, phone: input.phone ?? null, role: row.role, status: 'pending' } : null,
    });
  });
  ctx.log.info({ event: 'auth.register' }, 'registration received');
  return { message: REGISTER_ACCEPTED_MESSAGE };
}

export async function getPublicUser(db: Database, id: string): Promise<PublicUser> {
  const [row] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  if (!row) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  return toPublicUser(row);
}

/** Ends every session of the user: tokens issued before now stop working on their next request. */
export async function logout(ctx: AuthContext, user: CurrentUser): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await tx.update(users).set({ sessionsValidAfter: revocationInstant() }).where(eq(users.id, user.id));
    await recordAudit(tx, auditActorOf(ctx), { action: 'auth.logout', entityType: 'user', entityId: user.id });
  });
  ctx.log.info({ event: 'auth.logout', userId: user.id }, 'signed out');
}

/**
 * Changes the caller's own password after checking the current one (a wrong one counts towards
 * the lockout like a failed sign-in), ends every session, and returns a fresh token for the caller.
 */
export async function changePassword(ctx: AuthContext, user: CurrentUser, input: ChangePasswordInput): Promise<SessionToken> {
  const problem = passwordProblem(input.newPassword, [user.email, user.name]);
  if (problem) throw fieldError('newPassword', problem);

  const outcome = await ctx.db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, user.id)).for('update');
    if (!row) return { ok: false as const, reason: 'account missing' };
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null) => {
      await recordAudit(tx, auditActorOf(ctx), {
        action: 'auth.password_change',
        entityType: 'user',
        entityId: user.id,
        outcome: 'failure',
        reason,
        changes,
      });
      return { ok: false as const, reason };
    };
    if (isLocked(row.lockedUntil, now)) {
      await burnVerification(input.currentPassword);
      return fail('account locked');
    }
    if (!(await verifyPassword(row.passwordHash, input.currentPassword))) {
      const failures = row.failedLoginCount + 1;
      const lockedUntil = lockedUntilAfter(failures, ctx.config.lockout, now);
      await tx.update(users).set({ failedLoginCount: failures, lockedUntil }).where(eq(users.id, user.id));
      return fail('wrong current password', { failedLoginCount: failures, lockedUntil: lockedUntil?.toISOString() ?? null });
    }
    const validAfter = revocationInstant(now);
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), sessionsValidAfter: validAfter, failedLoginCount: 0, lockedUntil: null })
      .where(eq(users.id, user.id));
    await recordAudit(tx, auditActorOf(ctx), {
      action: 'auth.password_change',
      entityType: 'user',
      entityId: user.id,
      changes: { credential: 'replaced', sessionsEnded: true },
    });
    return { ok: true as const, validAfter };
  });

  if (!outcome.ok) {
    ctx.log.warn({ event: 'auth.password_change.failure', reason: outcome.reason, userId: user.id }, 'password change refused');
    throw fieldError('currentPassword', 'Current password is incorrect');
  }
  ctx.log.info({ event: 'auth.password_change', userId: user.id }, 'password changed; other sessions ended');
  const { token, expiresAt } = await ctx.tokens.sign(user, outcome.validAfter);
  return { token, expiresAt: expiresAt.toISOString() };
}
