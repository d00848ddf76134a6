/**
 * Sign-in, account requests and activation, and the signed-in user's own session and password.
 * Plain functions `(db, actor, input, deps)`: `deps` carries the configuration and the token
 * service, so a job or a CLI can call them as a procedure does. They throw only domain errors.
 *
 * Every failure of `login` answers the same 401 "Invalid credentials" and costs one argon2
 * verification, whatever the reason (unknown, wrong password, pending, disabled, locked); every
 * failure of `activate` answers the same 401 too. The reason goes to the log and the audit trail
 * only. Failures are counted per (account, client network) in Postgres under the account's row
 * lock (see security/lockout.ts), so parallel attempts cannot get more guesses than allowed.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  ACCOUNT_ACTIVATED_MESSAGE,
  ACTIVATION_FAILED_MESSAGE,
  INVALID_CREDENTIALS_MESSAGE,
  MFA_REQUIRED_MESSAGE,
  REGISTER_ACCEPTED_MESSAGE,
  type ActivateInput,
  type ChangePasswordInput,
  type LoginInput,
  type LoginResult,
  type PublicUser,
  type RegisterInput,
  type SessionToken,
} from '@netflow/contracts';
import { users, type Database } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import type { Config } from '../../config';
import type { Actor, StaffActor } from '../../lib/actor';
import { fieldError, unauthenticated } from '../../lib/errors';
import { countSignInFailure, countSignInSuccess, type SignInFailureReason } from '../../lib/metrics';
import { checkSignIn, forgetFailures, recordFailure, recordSuccess, type SignInGate } from '../../security/lockout';
import { auditActorOf, recordAudit, type AuditActor } from '../audit';
import { passwordProblem } from './password-policy';
import { spendSecondStep } from './mfa-codes';
import { burnVerification, hashPassword, needsRehash, verifyPassword } from './passwords';
import type { TokenService } from './tokens';

/** What the auth functions need besides the database and the actor. */
export interface AuthDeps {
  config: Pick<Config, 'jwt' | 'lockout'>;
  tokens: TokenService;
}

type UserRow = typeof users.$inferSelect;

export function toPublicUser(
  row: Pick<UserRow, 'id' | 'name' | 'email' | 'phone' | 'role' | 'status' | 'lastLoginAt' | 'createdAt'>,
): PublicUser {
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

/**
 * How the audit trail names an identifier that matches no account: `unknown:` and 16 hex digits of
 * an HMAC-SHA256 of the trimmed, lower-cased text. People type passwords into the identifier field;
 * the clear text must not sit in the trail for every manager to read. The key is derived from
 * JWT_SECRET (a secret that never lives in the database), so someone with the audit rows alone
 * cannot try candidate passwords against the label; the same text gives the same label, so
 * repeated attempts still correlate (until the secret is rotated).
 */
export function unknownIdentifierLabel(jwtSecret: string, raw: string): string {
  const key = createHmac('sha256', jwtSecret).update('netflow:audit:unknown-identifier:v1').digest();
  return `unknown:${createHmac('sha256', key).update(raw.trim().toLowerCase()).digest('hex').slice(0, 16)}`;
}

const invalidCredentials = () => unauthenticated(INVALID_CREDENTIALS_MESSAGE);

function requestActor(actor: Actor, label: string | null, actorId: string | null = null): AuditActor {
  return { actorId, actorLabel: label, ip: actor.ip, requestId: actor.requestId };
}

type LoginOutcome = { ok: true; user: UserRow } | { ok: false; reason: string; userId: string | null; mfaRequired?: true };

async function findUserId(db: Database, identifier: Identifier): Promise<string | null> {
  const condition = identifier.kind === 'email' ? sql`lower(${users.email}) = ${identifier.value}` : eq(users.phone, identifier.value);
  const [row] = await db.select({ id: users.id }).from(users).where(condition).limit(1);
  return row?.id ?? null;
}

/** The `changes` of a counted failure's audit row. */
function failureChanges(result: { failures: number; lockedUntil: Date | null }, gate: SignInGate) {
  return { network: gate.network, failedInARow: result.failures, lockedUntil: result.lockedUntil?.toISOString() ?? null };
}

/** The metrics label of a failed sign-in's (audited) reason. */
function signInFailureReason(reason: string): SignInFailureReason {
  if (reason === 'unknown account') return 'unknown_account';
  if (reason.startsWith('account locked')) return 'locked';
  if (reason.startsWith('wrong password')) return 'wrong_password';
  if (reason.startsWith('wrong second-step code')) return 'wrong_code';
  if (reason.endsWith('without a password')) return 'no_password';
  return 'inactive';
}

async function attemptLogin(
  db: Database,
  actor: Actor,
  raw: string,
  password: string,
  totp: string | undefined,
  deps: AuthDeps,
): Promise<LoginOutcome> {
  const identifier = parseIdentifier(raw);
  const userId = identifier ? await findUserId(db, identifier) : null;
  if (!identifier || !userId) {
    await burnVerification(password);
    await recordAudit(db, requestActor(actor, unknownIdentifierLabel(deps.config.jwt.secret, raw)), {
      action: 'auth.login',
      entityType: 'user',
      outcome: 'failure',
      reason: identifier ? 'unknown account' : 'identifier is neither an e-mail nor a 10-digit phone',
    });
    return { ok: false, reason: 'unknown account', userId: null };
  }
  const label = identifier.value;
  const policy = deps.config.lockout;

  return db.transaction(async (tx): Promise<LoginOutcome> => {
    // The row lock serialises attempts on one account: each sees the counts (and locks) left by the last.
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user) return { ok: false, reason: 'unknown account', userId: null };
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null) => {
      await recordAudit(tx, requestActor(actor, label), {
        action: 'auth.login',
        entityType: 'user',
        entityId: user.id,
        outcome: 'failure',
        reason,
        changes,
      });
      return { ok: false as const, reason, userId: user.id };
    };

    const gate = await checkSignIn(tx, user.id, actor.ip, policy, now);
    if (!gate.allowed) {
      await burnVerification(password);
      return fail(`account locked (${gate.reason})`, { network: gate.network });
    }
    if (user.passwordHash === null) {
      // A request, or approved and not yet activated: nothing to verify against. Counted like a
      // wrong password so it answers (and costs) the same.
      await burnVerification(password);
      const result = await recordFailure(tx, gate, policy, now);
      return fail(`account ${user.status} without a password`, failureChanges(result, gate));
    }
    if (!(await verifyPassword(user.passwordHash, password))) {
      const result = await recordFailure(tx, gate, policy, now);
      return fail(result.lockedUntil ? 'wrong password; network locked' : 'wrong password', failureChanges(result, gate));
    }
    if (user.status !== 'active') return fail(`account ${user.status}`);

    // Two-step sign-in: asked for only after a right password; a wrong or reused code counts like a wrong password.
    let secondStep: string | null = null;
    if (user.mfaSecret !== null) {
      if (totp === undefined) return { ...(await fail('second step required')), mfaRequired: true };
      secondStep = await spendSecondStep(tx, user, totp, now);
      if (secondStep === null) {
        const result = await recordFailure(tx, gate, policy, now);
        return fail(result.lockedUntil ? 'wrong second-step code; network locked' : 'wrong second-step code', failureChanges(result, gate));
      }
    }

    await recordSuccess(tx, user.id, gate.network, policy, now);
    const rehash = needsRehash(user.passwordHash) ? await hashPassword(password) : null;
    const [updated] = await tx
      .update(users)
      .set({ lastLoginAt: now, ...(rehash ? { passwordHash: rehash } : {}) })
      .where(eq(users.id, user.id))
      .returning();
    await recordAudit(tx, requestActor(actor, user.email, user.id), {
      action: 'auth.login',
      entityType: 'user',
      entityId: user.id,
      changes: rehash || secondStep ? { ...(rehash ? { credentialUpgraded: true } : {}), ...(secondStep ? { secondStep } : {}) } : null,
    });
    return { ok: true, user: updated ?? user };
  });
}

export async function login(db: Database, actor: Actor, input: LoginInput, deps: AuthDeps): Promise<LoginResult> {
  const outcome = await attemptLogin(db, actor, input.identifier, input.password, input.totp, deps);
  if (!outcome.ok) {
    actor.log.warn({ event: 'auth.login.failure', reason: outcome.reason, userId: outcome.userId }, 'sign-in failed');
    if (outcome.mfaRequired) {
      countSignInFailure('mfa_required');
      throw unauthenticated(MFA_REQUIRED_MESSAGE);
    }
    countSignInFailure(signInFailureReason(outcome.reason));
    throw invalidCredentials();
  }
  countSignInSuccess();
  const { token, expiresAt } = await deps.tokens.sign(outcome.user);
  actor.log.info({ event: 'auth.login.success', userId: outcome.user.id }, 'signed in');
  return { token, expiresAt: expiresAt.toISOString(), user: toPublicUser(outcome.user) };
}

/**
 * Records an account request: a pending account without a password, or silently nothing when the
 * e-mail or phone is taken. The answer is the same either way, and an existing account is never
 * touched. No password is taken here: the person sets one with the activation code an admin's
 * approval issues, so a stranger who asks in a colleague's name never holds a working password.
 */
export async function register(db: Database, actor: Actor, input: RegisterInput): Promise<{ message: string }> {
  await db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ name: input.name, email: input.email, phone: input.phone ?? null, passwordHash: null, status: 'pending' })
      .onConflictDoNothing()
      .returning({ id: users.id, role: users.role });
    await recordAudit(tx, requestActor(actor, input.email), {
      action: 'user.register',
      entityType: 'user',
      entityId: row?.id ?? null,
      outcome: row ? 'success' : 'failure',
      reason: row ? null : 'e-mail or phone already registered',
      changes: row ? { name: input.name, email: input.email, phone: input.phone ?? null, role: row.role, status: 'pending' } : null,
    });
  });
  actor.log.info({ event: 'auth.register' }, 'account request received');
  return { message: REGISTER_ACCEPTED_MESSAGE };
}

const CODE_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789'; // 32 symbols: no 0/O or 1/I to misread

/**
 * A new activation code: 16 random symbols of 5 bits (80 bits), grouped as XXXX-XXXX-XXXX-XXXX
 * so it can be read out over the phone.
 */
export function newActivationCode(): string {
  const symbols = Array.from(randomBytes(16), (byte) => CODE_ALPHABET[byte & 31] ?? 'A').join('');
  return symbols.match(/.{4}/g)?.join('-') ?? symbols;
}

/** Activation codes as typed: case and separators do not matter. */
export function normalizeActivationCode(code: string): string {
  return code.toUpperCase().replace(/[\s-]/g, '');
}

/** How an activation code is stored: SHA-256 is enough for a random 80-bit code (no dictionary to try). */
export function activationCodeHash(code: string): string {
  return createHash('sha256')
    .update(`netflow-activation:${normalizeActivationCode(code)}`)
    .digest('hex');
}

function sameHash(stored: string | null, candidate: string): boolean {
  if (!stored || stored.length !== candidate.length) return false;
  return timingSafeEqual(Buffer.from(stored), Buffer.from(candidate));
}

/**
 * Sets the first password of an approved account request with its activation code, and makes the
 * account active. The code works once, until it expires; every failure (unknown e-mail, no code,
 * wrong, used or expired code, locked) answers the same 401, and a wrong code counts towards the
 * lockout like a wrong password.
 */
export async function activate(db: Database, actor: Actor, input: ActivateInput, deps: AuthDeps): Promise<{ message: string }> {
  const policy = deps.config.lockout;
  const candidate = activationCodeHash(input.code);
  const userId = await findUserId(db, { kind: 'email', value: input.email });
  if (!userId) {
    await recordAudit(db, requestActor(actor, unknownIdentifierLabel(deps.config.jwt.secret, input.email)), {
      action: 'auth.activate',
      entityType: 'user',
      outcome: 'failure',
      reason: 'unknown account',
    });
    actor.log.warn({ event: 'auth.activate.failure', reason: 'unknown account' }, 'activation refused');
    throw unauthenticated(ACTIVATION_FAILED_MESSAGE);
  }

  const outcome = await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.id, userId)).for('update');
    if (!user) return { ok: false as const, reason: 'unknown account' };
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null) => {
      await recordAudit(tx, requestActor(actor, user.email), {
        action: 'auth.activate',
        entityType: 'user',
        entityId: user.id,
        outcome: 'failure',
        reason,
        changes,
      });
      return { ok: false as const, reason };
    };
    const gate = await checkSignIn(tx, user.id, actor.ip, policy, now);
    if (!gate.allowed) return fail(`account locked (${gate.reason})`, { network: gate.network });
    const usable = user.status === 'pending' && user.activationExpiresAt !== null && user.activationExpiresAt.getTime() > now.getTime();
    if (!usable || !sameHash(user.activationCodeHash, candidate)) {
      const result = await recordFailure(tx, gate, policy, now);
      const reason =
        user.status !== 'pending'
          ? `account ${user.status}`
          : !user.activationCodeHash
            ? 'no activation code issued'
            : !usable
              ? 'activation code expired'
              : 'wrong activation code';
      return fail(reason, failureChanges(result, gate));
    }
    // The code is right: a password the policy refuses is the holder's to fix; the code stays usable.
    const problem = passwordProblem(input.password, [user.email, user.phone, user.name]);
    if (problem) return { ok: false as const, reason: 'password refused', problem };

    await tx
      .update(users)
      .set({
        passwordHash: await hashPassword(input.password),
        status: 'active',
        activationCodeHash: null,
        activationExpiresAt: null,
        sessionsValidAfter: revocationInstant(now),
      })
      .where(eq(users.id, user.id));
    await forgetFailures(tx, user.id);
    await recordAudit(tx, requestActor(actor, user.email, user.id), {
      action: 'auth.activate',
      entityType: 'user',
      entityId: user.id,
      changes: { status: { from: 'pending', to: 'active' }, credential: 'set by the account holder' },
    });
    return { ok: true as const, userId: user.id };
  });

  if (!outcome.ok) {
    if ('problem' in outcome && outcome.problem) throw fieldError('password', outcome.problem);
    actor.log.warn({ event: 'auth.activate.failure', reason: outcome.reason, userId }, 'activation refused');
    throw unauthenticated(ACTIVATION_FAILED_MESSAGE);
  }
  actor.log.info({ event: 'auth.activate', userId: outcome.userId }, 'account activated');
  return { message: ACCOUNT_ACTIVATED_MESSAGE };
}

export async function getPublicUser(db: Database, id: string): Promise<{ user: PublicUser; mfaEnabled: boolean }> {
  // Only what the answer shows: the password hash and sealed secrets never leave the database here.
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      phone: users.phone,
      role: users.role,
      status: users.status,
      lastLoginAt: users.lastLoginAt,
      createdAt: users.createdAt,
      mfaEnabledAt: users.mfaEnabledAt,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  if (!row) throw unauthenticated();
  return { user: toPublicUser(row), mfaEnabled: row.mfaEnabledAt !== null };
}

/** Ends every session of the user: tokens issued before now stop working on their next request. */
export async function logout(db: Database, actor: StaffActor): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(users).set({ sessionsValidAfter: revocationInstant() }).where(eq(users.id, actor.user.id));
    await recordAudit(tx, auditActorOf(actor), { action: 'auth.logout', entityType: 'user', entityId: actor.user.id });
  });
  actor.log.info({ event: 'auth.logout', userId: actor.user.id }, 'signed out');
}

/**
 * Changes the caller's own password after checking the current one (a wrong one counts towards
 * the lockout like a failed sign-in, and a locked network answers like a wrong one), ends every
 * session, and returns a fresh token for the caller.
 */
export async function changePassword(db: Database, actor: StaffActor, input: ChangePasswordInput, deps: AuthDeps): Promise<SessionToken> {
  const user = actor.user;
  if (input.newPassword === input.currentPassword) throw fieldError('newPassword', 'Choose a password different from the current one');
  const problem = passwordProblem(input.newPassword, [user.email, user.name]);
  if (problem) throw fieldError('newPassword', problem);
  const policy = deps.config.lockout;

  const outcome = await db.transaction(async (tx) => {
    const [row] = await tx.select().from(users).where(eq(users.id, user.id)).for('update');
    if (!row) return { ok: false as const, reason: 'account missing' };
    const now = new Date();
    const fail = async (reason: string, changes: Record<string, unknown> | null = null) => {
      await recordAudit(tx, auditActorOf(actor), {
        action: 'auth.password_change',
        entityType: 'user',
        entityId: user.id,
        outcome: 'failure',
        reason,
        changes,
      });
      return { ok: false as const, reason };
    };
    const gate = await checkSignIn(tx, user.id, actor.ip, policy, now);
    if (!gate.allowed) {
      await burnVerification(input.currentPassword);
      return fail(`account locked (${gate.reason})`, { network: gate.network });
    }
    if (row.passwordHash === null || !(await verifyPassword(row.passwordHash, input.currentPassword))) {
      const result = await recordFailure(tx, gate, policy, now);
      return fail('wrong current password', failureChanges(result, gate));
    }
    const validAfter = revocationInstant(now);
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(input.newPassword), sessionsValidAfter: validAfter })
      .where(eq(users.id, user.id));
    await forgetFailures(tx, user.id);
    await recordAudit(tx, auditActorOf(actor), {
      action: 'auth.password_change',
      entityType: 'user',
      entityId: user.id,
      changes: { credential: 'replaced', sessionsEnded: true },
    });
    return { ok: true as const, validAfter };
  });

  if (!outcome.ok) {
    actor.log.warn({ event: 'auth.password_change.failure', reason: outcome.reason, userId: user.id }, 'password change refused');
    throw fieldError('currentPassword', 'Current password is incorrect');
  }
  actor.log.info({ event: 'auth.password_change', userId: user.id }, 'password changed; other sessions ended');
  const { token, expiresAt } = await deps.tokens.sign(user, outcome.validAfter);
  return { token, expiresAt: expiresAt.toISOString() };
}
