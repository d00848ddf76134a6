/**
 * Procedure tiers, defined once: `publicProcedure`, `protectedProcedure` (a signed-in, active
 * user; `ctx.user` is non-null), and `permissionProcedure(p)` (the user's role holds `p` in the
 * contracts matrix; `ctx.scope` says how far). Anything else is denied by default.
 */
import { can, scopeOf, type Permission, type Scope } from '@netflow/contracts';
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { ZodError, z } from 'zod';
import type { LimitName } from '../security/rate-limits';
import { ContextFailure, type Context } from './context';
import { domainErrorOf, toTRPCError } from './errors';
import { isDomainError } from '../lib/errors';

export interface Meta extends OpenApiMeta {
  /** HTTP status of a successful REST answer (e.g. 202, 204); 200 when absent. */
  successStatus?: number;
  /** Set by `permissionProcedure`: what the procedure requires (the access tests read it). */
  permission?: Permission;
}

export const GENERIC_INTERNAL_MESSAGE = 'Internal server error';

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    /**
     * One error shape for tRPC and REST: never a stack, SQL, host name or driver message. Internal
     * errors become a generic message with the request id; validation errors list field errors
     * without echoing the submitted values.
     */
    errorFormatter({ shape, error, ctx }) {
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      const fieldErrors =
        error.code !== 'BAD_REQUEST'
          ? undefined
          : error.cause instanceof ZodError
            ? z.flattenError(error.cause).fieldErrors
            : domainErrorOf(error)?.fieldErrors;
      return {
        message: internal ? GENERIC_INTERNAL_MESSAGE : fieldErrors ? 'Invalid input' : shape.message,
        code: shape.code,
        data: {
          code: shape.data.code,
          httpStatus: shape.data.httpStatus,
          path: shape.data.path,
          ...(fieldErrors ? { fieldErrors } : {}),
          ...(internal ? { requestId: ctx?.requestId ?? (error instanceof ContextFailure ? error.requestId : undefined) } : {}),
        },
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
const transport = t.middleware(async ({ ctx, meta, next }) => {
  const result = await next();
  if (!result.ok && isDomainError(result.error.cause)) throw toTRPCError(result.error.cause);
  if (result.ok && meta?.successStatus) ctx.http.status = meta.successStatus;
  return result;
});

export const publicProcedure = t.procedure.use(transport);

export const TOO_MANY_REQUESTS_MESSAGE = 'Too many requests';

/**
 * Refuses a call with 429 and Retry-After (REST and tRPC both send `ctx.http.headers`) when the
 * named limit is spent. Counted per call, so every call inside a tRPC batch counts.
 */
export async function enforceLimit(ctx: Context, name: LimitName, key: string, path: string): Promise<void> {
  const decision = await ctx.security.limiter.consume(name, key);
  if (decision.allowed) return;
  ctx.http.headers['retry-after'] = String(decision.retryAfterSeconds);
  ctx.log.warn({ event: 'ratelimit.exceeded', limit: name, path, retryAfterSeconds: decision.retryAfterSeconds }, 'rate limit exceeded');
  throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: TOO_MANY_REQUESTS_MESSAGE });
}

export const protectedProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  if (!ctx.user) {
    ctx.log.info({ event: 'authn.required', path }, 'unauthenticated call refused');
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
  }
  await enforceLimit(ctx, 'user', ctx.user.id, path);
  return next({ ctx: { user: ctx.user } });
});

export function permissionProcedure(permission: Permission) {
  return protectedProcedure.meta({ permission }).use(({ ctx, next, path }) => {
    if (!can(ctx.user.role, permission)) {
      ctx.log.warn(
        { event: 'authz.denied', path, permission, userId: ctx.user.id, role: ctx.user.role },
        'authorization failure',
      );
      throw new TRPCError({ code: 'FORBIDDEN', message: 'You do not have permission to do this' });
    }
    const scope: Scope = scopeOf(ctx.user.role, permission) ?? 'all';
    return next({ ctx: { scope } });
  });
}
