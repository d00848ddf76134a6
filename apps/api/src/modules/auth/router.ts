/**
 * The auth module's procedures and their REST twins. Sign-in, registration and activation are
 * public but limited per client address, counted per call (a tRPC batch counts every call).
 */
import {
  activateInput,
  activateResult,
  changePasswordInput,
  changePasswordResult,
  loginInput,
  loginResult,
  meResult,
  registerInput,
  registerResult,
  verifyResult,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { unauthenticated } from '../../lib/errors';
import { clientKey } from '../../security/rate-limits';
import type { Context } from '../../trpc/context';
import { enforceLimit, protectedProcedure, publicProcedure } from '../../trpc/trpc';
import { withPasswordPolicy } from './password-policy';
import { activate, changePassword, getPublicUser, login, logout, register, type AuthDeps } from './service';

/** Public, but each call spends one unit of the per-address auth limit before anything else. */
const authAttemptProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  await enforceLimit(ctx, 'auth', clientKey(ctx.ip), path);
  return next();
});

/** The services the auth functions need, taken from the request's context. */
const depsOf = (ctx: Context): AuthDeps => ({ config: ctx.config, tokens: ctx.tokens });

const activateSchema = withPasswordPolicy(activateInput, 'password', (input) => [input.email as string | undefined]);

export const authRouter = {
  register: authAttemptProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/register',
        tags: ['auth'],
        summary: 'Ask for a staff account (pending; an admin approves it and hands over an activation code)',
      },
      successStatus: 202,
    })
    .input(registerInput)
    .output(registerResult)
    .mutation(({ ctx, input }) => register(ctx.db, ctx, input)),

  activate: authAttemptProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/activate',
        tags: ['auth'],
        summary: 'Set the first password of an approved account with its single-use activation code',
      },
    })
    .input(activateSchema)
    .output(activateResult)
    .mutation(({ ctx, input }) => activate(ctx.db, ctx, input, depsOf(ctx))),

  login: authAttemptProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/login', tags: ['auth'], summary: 'Sign in with e-mail or phone and password' } })
    .input(loginInput)
    .output(loginResult)
    .mutation(({ ctx, input }) => login(ctx.db, ctx, input, depsOf(ctx))),

  me: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/me', tags: ['auth'], protect: true, summary: 'The signed-in user' } })
    .input(z.object({}))
    .output(meResult)
    .query(async ({ ctx }) => ({ user: await getPublicUser(ctx.db, ctx.user.id) })),

  verify: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/auth/verify', tags: ['auth'], protect: true, summary: 'Check a token' } })
    .input(z.object({}))
    .output(verifyResult)
    .query(({ ctx }) => {
      if (!ctx.tokenExpiresAt) throw unauthenticated();
      return { valid: true as const, userId: ctx.user.id, expiresAt: ctx.tokenExpiresAt.toISOString() };
    }),

  logout: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/logout',
        tags: ['auth'],
        protect: true,
        summary: 'Sign out everywhere (every token issued so far stops working)',
      },
      successStatus: 204,
    })
    .input(z.object({}))
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await logout(ctx.db, ctx);
    }),

  changePassword: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/password',
        tags: ['auth'],
        protect: true,
        summary: 'Change your password; every session ends (tRPC answers a fresh token, REST answers 204: sign in again)',
      },
      successStatus: 204,
    })
    .input(changePasswordInput)
    .output(changePasswordResult)
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx, input, depsOf(ctx))),
} satisfies TRPCRouterRecord;
