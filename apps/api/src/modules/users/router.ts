/**
 * Staff administration (admins manage, managers read). REST twins under /api/users.
 */
import {
  approveUserInput,
  approveUserResult,
  assignableStaffInput,
  assignableStaffSchema,
  createUserInput,
  getUserInput,
  listUsersInput,
  mfaResetInput,
  resetPasswordInput,
  resetPasswordResult,
  staffUserSchema,
  updateUserInput,
  userPage,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure, protectedProcedure } from '../../trpc/trpc';
import { z } from 'zod';
import { resetMfa, withPasswordPolicy } from '../auth';
import { approveRequest, createUser, getUser, listAssignableStaff, listUsers, resetPassword, updateUser } from './service';

const createUserSchema = withPasswordPolicy(createUserInput, 'password', (input) => [
  input.email as string | undefined,
  input.phone as string | undefined,
  input.name as string | undefined,
]);

export const usersRouter = {
  list: permissionProcedure('users.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/users',
        tags: ['users'],
        protect: true,
        summary: 'Staff accounts (search, status, role; cursor pages)',
      },
    })
    .input(listUsersInput)
    .output(userPage)
    .query(({ ctx, input }) => listUsers(ctx.db, ctx, input)),

  // Signed-in tier: the service checks that the caller may assign this kind of work to others.
  assignable: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/staff/assignable',
        tags: ['users'],
        protect: true,
        summary: 'Active staff a lead or ticket can be assigned to',
      },
    })
    .input(assignableStaffInput)
    .output(assignableStaffSchema)
    .query(({ ctx, input }) => listAssignableStaff(ctx.db, ctx, input.work)),

  get: permissionProcedure('users.read')
    .meta({ openapi: { method: 'GET', path: '/users/{id}', tags: ['users'], protect: true, summary: 'One staff account' } })
    .input(getUserInput)
    .output(staffUserSchema)
    .query(({ ctx, input }) => getUser(ctx.db, ctx, input.id)),

  create: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/users',
        tags: ['users'],
        protect: true,
        summary:
          'Create an active staff account with a role and an initial password (409 names a pending request for the same e-mail or phone)',
      },
      successStatus: 201,
    })
    .input(createUserSchema)
    .output(staffUserSchema)
    .mutation(({ ctx, input }) => createUser(ctx.db, ctx, input)),

  approve: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/users/{id}/approve',
        tags: ['users'],
        protect: true,
        summary: 'Approve a pending account request with a role; answers a single-use activation code, shown once',
      },
    })
    .input(approveUserInput)
    .output(approveUserResult)
    .mutation(({ ctx, input }) => approveRequest(ctx.db, ctx, input, { config: ctx.config })),

  update: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'PATCH',
        path: '/users/{id}',
        tags: ['users'],
        protect: true,
        summary: 'Rename, change phone or role, disable or re-enable',
      },
    })
    .input(updateUserInput)
    .output(staffUserSchema)
    .mutation(({ ctx, input }) => updateUser(ctx.db, ctx, input)),

  resetPassword: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/users/{id}/reset-password',
        tags: ['users'],
        protect: true,
        summary:
          "Set or generate another user's password, end every session of that user and lift sign-in locks (not your own: change it with your current password)",
      },
    })
    .input(resetPasswordInput)
    .output(resetPasswordResult)
    .mutation(({ ctx, input }) => resetPassword(ctx.db, ctx, input)),

  resetMfa: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/users/{id}/mfa/reset',
        tags: ['users'],
        protect: true,
        summary: "Clear another user's two-step sign-in (lost phone and recovery codes) and end every session of that user",
      },
      successStatus: 204,
    })
    .input(mfaResetInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await resetMfa(ctx.db, ctx, input.id);
    }),
} satisfies TRPCRouterRecord;
