/**
 * Staff administration (DESIGN.md §5: admins manage, managers read). REST twins under /api/users.
 */
import {
  assignableStaffInput,
  assignableStaffSchema,
  createUserInput,
  getUserInput,
  listUsersInput,
  resetPasswordInput,
  resetPasswordResult,
  staffUserSchema,
  updateUserInput,
  userPage,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure, protectedProcedure } from '../../trpc/trpc';
import { withPasswordPolicy } from '../auth/password-policy';
import { createUser, getUser, listAssignableStaff, listUsers, resetPassword, updateUser } from './service';

const createUserSchema = withPasswordPolicy(createUserInput, 'password', (input) => [
  input.email as string | undefined,
  input.phone as string | undefined,
  input.name as string | undefined,
]);

export const usersRouter = {
  list: permissionProcedure('users.read')
    .meta({ openapi: { method: 'GET', path: '/users', tags: ['users'], protect: true, summary: 'Staff accounts (search, status, role; cursor pages)' } })
    .input(listUsersInput)
    .output(userPage)
    .query(({ ctx, input }) => listUsers(ctx.db, input)),

  // Signed-in tier: the service checks that the caller may assign this kind of work to others.
  assignable: protectedProcedure
    .meta({
      openapi: { method: 'GET', path: '/staff/assignable', tags: ['users'], protect: true, summary: 'Active staff a lead or ticket can be assigned to' },
    })
    .input(assignableStaffInput)
    .output(assignableStaffSchema)
    .query(({ ctx, input }) => listAssignableStaff(ctx.db, ctx.user, input.work)),

  get: permissionProcedure('users.read')
    .meta({ openapi: { method: 'GET', path: '/users/{id}', tags: ['users'], protect: true, summary: 'One staff account' } })
    .input(getUserInput)
    .output(staffUserSchema)
    .query(({ ctx, input }) => getUser(ctx.db, input.id)),

  create: permissionProcedure('users.manage')
    .meta({
      openapi: { method: 'POST', path: '/users', tags: ['users'], protect: true, summary: 'Create an active staff account with a role and an initial password' },
      successStatus: 201,
    })
    .input(createUserSchema)
    .output(staffUserSchema)
    .mutation(({ ctx, input }) => createUser(ctx, input)),

  update: permissionProcedure('users.manage')
    .meta({
      openapi: { method: 'PATCH', path: '/users/{id}', tags: ['users'], protect: true, summary: 'Rename, change phone or role, activate, disable or re-enable' },
    })
    .input(updateUserInput)
    .output(staffUserSchema)
    .mutation(({ ctx, input }) => updateUser(ctx, input)),

  resetPassword: permissionProcedure('users.manage')
    .meta({
      openapi: {
        method: 'POST',
        path: '/users/{id}/reset-password',
        tags: ['users'],
        protect: true,
        summary: 'Set or generate a new password, end every session of the user and lift a sign-in lock',
      },
    })
    .input(resetPasswordInput)
    .output(resetPasswordResult)
    .mutation(({ ctx, input }) => resetPassword(ctx, input)),
} satisfies TRPCRouterRecord;
