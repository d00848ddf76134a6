/**
 * The auth module's procedures and their REST twins (DESIGN.md §3). Sign-in and registration are
 * public but limited per client address, counted per call (a tRPC batch counts every call).
 */
import {
  changePasswordInput,
  changePasswordResult,
  loginInput,
  loginResult,
  meResult,
  registerInput,
  registerResult,
  verifyResult,
} from '@netflow/contracts';
import { TRPCError, type TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { clientKey } from '../../security/rate-limits';
import { enforceLimit, protectedProcedure, publicProcedure } from '../../trpc/trpc';
import { withPasswordPolicy } from './password-policy';
import { changePassword, getPublicUser, login, logout, register } from './service';

/** Public, but each call spends one unit of the per-address auth limit before anything else. */
const authAttemptProcedure = publicProcedure.use(async ({ ctx, next, path }) => {
  await enforceLimit(ctx, 'auth', clientKey(ctx.ip), path);
  return next();
});

const registerSchema = withPasswordPolicy(registerInput, 'password', (input) => [
  input.email as string | undefined,
  input.phone as string | undefined,
  input.name as string | undefined,
]);

const changePasswordSchema = changePasswordInput.superRefine((input, zctx) => {
  if (input.newPassword === input.currentPassword) {
    zctx.addIssue({ code: 'custom', path: ['newPassword'], message: 'Choose a password different from the current one' });
  }
});

export const authRouter = {
  register: authAttemptProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/register', tags: ['auth'], summary: 'Ask for a staff account (pending until an admin activates it)' },
      successStatus: 202,
    })
    .input(registerSchema)
    .output(registerResult)
    .mutation(({ ctx, input }) => register(ctx, input)),

  login: authAttemptProcedure
    .meta({ openapi: { method: 'POST', path: '/auth/login', tags: ['auth'], summary: 'Sign in with e-mail or phone and password' } })
    .input(loginInput)
    .output(loginResult)
    .mutation(({ ctx, input }) => login(ctx, input)),

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
      if (!ctx.tokenExpiresAt) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Authentication required' });
      return { valid: true as const, userId: ctx.user.id, expiresAt: ctx.tokenExpiresAt.toISOString() };
    }),

  logout: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/auth/logout', tags: ['auth'], protect: true, summary: 'Sign out everywhere (every token issued so far stops working)' },
      successStatus: 204,
    })
    .input(z.object({}))
    .output(z.void())
    .mutation(async ({ ctx }) => {
      await logout(ctx, ctx.user);
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
    .input(changePasswordSchema)
    .output(changePasswordResult)
    .mutation(({ ctx, input }) => changePassword(ctx, ctx.user, input)),
} satisfies TRPCRouterRecord;
