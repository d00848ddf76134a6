/**
 * Procedure tiers, defined once: `publicProcedure`, `protectedProcedure` (a signed-in, active
 * user; `ctx.user` is non-null), and `permissionProcedure(p)` (the user's role holds `p` in the
 * contracts matrix; `ctx.scope` says how far). Anything else is denied by default.
 */
import { can, MFA_SETUP_REQUIRED_MESSAGE, NO_NUL_MESSAGE, scopeOf, type Permission, type Scope } from '@netflow/contracts';
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError, z } from 'zod';
import { mfaEnabledFor, mfaRequiredFor } from '../modules/auth';
import type { LimitName } from '../security/rate-limits';
import { ContextFailure, type Context } from './context';
import { domainErrorOf, toTRPCError } from './errors';
import { fieldError, isDomainError } from '../lib/errors';
import { countRateLimitRefusal } from '../lib/metrics';

export interface Meta extends OpenApiMeta {
  /** HTTP status of a successful REST answer (e.g. 202, 204); 200 when absent. */
  successStatus?: number;
  /** Set by `permissionProcedure`: what the procedure requires (the access tests read it). */
  permission?: Permission;
  /** Reachable by a user whose role requires two-step sign-in before they enrol (profile, enrolment). */
  allowBeforeMfa?: boolean;
}

export const GENERIC_INTERNAL_MESSAGE = 'Internal server error';

/**
 * What a caller may learn of an error, for tRPC, REST and the CSV routes alike: never a stack, SQL,
 * host name or driver message. Internal errors become a generic message with the request id;
 * validation errors list field errors without echoing the submitted values.
 */
export function publicErrorOf(error: TRPCError, requestId: string | undefined) {
  const internal = error.code === 'INTERNAL_SERVER_ERROR';
  const fieldErrors =
    error.code !== 'BAD_REQUEST'
      ? undefined
      : error.cause instanceof ZodError
        ? z.flattenError(error.cause).fieldErrors
        : domainErrorOf(error)?.fieldErrors;
  return {
    message: internal ? GENERIC_INTERNAL_MESSAGE : fieldErrors ? 'Invalid input' : error.message,
    ...(fieldErrors ? { fieldErrors } : {}),
    ...(internal ? { requestId: requestId ?? (error instanceof ContextFailure ? error.requestId : undefined) } : {}),
  };
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error, ctx }) {
      const { message, ...data } = publicErrorOf(error, ctx?.requestId);
      return {
        message,
        code: shape.code,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, ...data },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const middleware = t.middleware;

/**
 * Turns a domain error thrown by a service into its tRPC code (and so its HTTP status), and applies
 * the REST success status declared in a procedure's meta.
 */
const transport = t.middleware(async ({ ctx, meta, next, type }) => {
  const result = await next();
  // A write through this instance (a logout, a role change, a disabled account…) has committed:
  // this instance's user cache forgets everything before answering, so its own next request never
  // sees the old row; other instances evict on the database's notification (modules/auth/user-cache.ts).
  if (type === 'mutation') ctx.userCache?.clear();
  if (!result.ok && isDomainError(result.error.cause)) throw toTRPCError(result.error.cause);
  if (result.ok && meta?.successStatus) ctx.http.status = meta.successStatus;
  return result;
});

/** Where the first string (value or key) holding U+0000 sits in an input (`name`, `items.2.note`), or null. */
export function nulFieldOf(value: unknown, path = ''): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path || '(input)' : null;
  if (value === null || typeof value !== 'object') return null;
  for (const [key, item] of Object.entries(value)) {
    // A NUL in a key names the object holding it (the key itself is not echoed back).
    if (key.includes('\u0000')) return path || '(input)';
    const found = nulFieldOf(item, path ? `${path}.${key}` : key);
    if (found !== null) return found;
  }
  return null;
}

/**
 * PostgreSQL text cannot hold U+0000: a NUL in any string of any input is a 400 naming the field,
 * before the procedure's schema runs, so no module's schema can let one through to a 500. (The
 * shared text schemas in contracts refuse it too, with the same message.) Placed after each tier's
 * checks, so an anonymous caller still gets 401 and a forbidden one 403.
 */
const refuseNul = t.middleware(async ({ getRawInput, next }) => {
  const field = nulFieldOf(await getRawInput());
  if (field !== null) throw fieldError(field, NO_NUL_MESSAGE);
  return next();
});

const baseProcedure = t.procedure.use(transport);

export const publicProcedure = baseProcedure.use(refuseNul);

export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests';

/**
 * Refuses a call with 429 and Retry-After (REST and tRPC both send `ctx.http.headers`) when the
 * named limit is spent. Counted per call, so every call inside a tRPC batch counts.
 */
export async function enforceLimit(ctx: Context, name: LimitName, key: string, path: string): Promise<void> {
  const decision = await ctx.security.limiter.consume(name, key);
  if (decision.allowed) return;
  ctx.http.headers['retry-after'] = String(decision.retryAfterSeconds);
  countRateLimitRefusal(name);
  ctx.log.warn({ event: 'ratelimit.exceeded', limit: name, path, retryAfterSeconds: decision.retryAfterSeconds }, 'rate limit exceeded');
  throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: TOO_MANY_REQUESTS_MESSAGE });
}

const signedInProcedure = baseProcedure.use(async ({ ctx, meta, next, path }) => {
  if (!ctx.user) {
    ctx.log.info({ event: 'authn.required', path }, 'unauthenticated call refused');
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  }
  await enforceLimit(ctx, 'user', ctx.user.id, path);
  // MFA_REQUIRED_ROLES: until enrolled, such a user reaches only the procedures marked allowBeforeMfa.
  if (!meta?.allowBeforeMfa && mfaRequiredFor(ctx.config, ctx.user.role)) {
    if (!(ctx.user.mfaEnabled ?? (await mfaEnabledFor(ctx.db, ctx.user.id)))) {
      ctx.log.info({ event: 'authz.mfa_setup_required', path, userId: ctx.user.id }, 'two-step sign-in enrolment required');
      throw new TRPCError({ code: 'FORBIDDEN', message: MFA_SETUP_REQUIRED_MESSAGE });
    }
  }
  return next({ ctx: { user: ctx.user } });
});

export const protectedProcedure = signedInProcedure.use(refuseNul);

export function permissionProcedure(permission: Permission) {
  return signedInProcedure
    .meta({ permission })
    .use(({ ctx, next, path }) => {
      if (!can(ctx.user.role, permission)) {
        ctx.log.warn({ event: 'authz.denied', path, permission, userId: ctx.user.id, role: ctx.user.role }, 'authorization failure');
        throw new TRPCError({ code: 'FORBIDDEN', message: 'You do not have permission to do this' });
      }
      const scope: Scope = scopeOf(ctx.user.role, permission) ?? 'all';
      return next({ ctx: { scope } });
    })
    .use(refuseNul);
}
