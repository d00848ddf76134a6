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
  mfaConfirmInput,
  mfaEnableInput,
  mfaSetupResult,
  recoveryCodesResult,
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
import { disableMfa, enableMfa, mfaRequiredFor, regenerateRecoveryCodes, setupMfa } from './mfa';
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
    .meta({
      openapi: { method: 'GET', path: '/auth/me', tags: ['auth'], protect: true, summary: 'The signed-in user' },
      allowBeforeMfa: true,
    })
    .input(z.object({}))
    .output(meResult)
    .query(async ({ ctx }) => {
      const { user, mfaEnabled } = await getPublicUser(ctx.db, ctx.user.id);
      return { user, mfaEnabled, mfaRequired: mfaRequiredFor(ctx.config, user.role) };
    }),

  verify: protectedProcedure
    .meta({
      openapi: { method: 'GET', path: '/auth/verify', tags: ['auth'], protect: true, summary: 'Check a token' },
      allowBeforeMfa: true,
    })
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
      allowBeforeMfa: true,
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
      allowBeforeMfa: true,
    })
    .input(changePasswordInput)
    .output(changePasswordResult)
    .mutation(({ ctx, input }) => changePassword(ctx.db, ctx, input, depsOf(ctx))),

  // Two-step sign-in of the signed-in user (setup and enable stay reachable before a required enrolment).
  mfaSetup: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/mfa/setup',
        tags: ['auth'],
        protect: true,
        summary: 'Start two-step sign-in: a new secret (QR code as SVG), pending until confirmed with a code',
      },
      allowBeforeMfa: true,
    })
    .input(z.object({}))
    .output(mfaSetupResult)
    .mutation(({ ctx }) => setupMfa(ctx.db, ctx)),

  mfaEnable: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/mfa/enable',
        tags: ['auth'],
        protect: true,
        summary: 'Confirm the pending secret with a code: two-step sign-in is on; answers 10 single-use recovery codes (shown once)',
      },
      allowBeforeMfa: true,
    })
    .input(mfaEnableInput)
    .output(recoveryCodesResult)
    .mutation(({ ctx, input }) => enableMfa(ctx.db, ctx, input)),

  mfaDisable: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/mfa/disable',
        tags: ['auth'],
        protect: true,
        summary: 'Turn two-step sign-in off with the password and a current code (failures count towards the lockout)',
      },
      successStatus: 204,
    })
    .input(mfaConfirmInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await disableMfa(ctx.db, ctx, input, { config: ctx.config });
    }),

  mfaRecoveryCodes: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/auth/mfa/recovery-codes',
        tags: ['auth'],
        protect: true,
        summary: 'A fresh set of 10 recovery codes (the old ones stop working); needs the password and a current code',
      },
    })
    .input(mfaConfirmInput)
    .output(recoveryCodesResult)
    .mutation(({ ctx, input }) => regenerateRecoveryCodes(ctx.db, ctx, input, { config: ctx.config })),
} satisfies TRPCRouterRecord;
