/** The customers module's procedures, with REST twins under /api/customers. */
import {
  customerCreateInput,
  customerDetailSchema,
  customerListInput,
  customerPageSchema,
  customerSchema,
  customerUpdateInput,
  idInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { createCustomer, getCustomer, listCustomers, updateCustomer } from './service';

const tags = ['customers'];

export const customersRouter = {
  list: permissionProcedure('customers.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/customers',
        tags,
        protect: true,
        summary: 'List customers (keyset pages, filters, search incl. account number)',
      },
    })
    .input(customerListInput)
    .output(customerPageSchema)
    .query(({ ctx, input }) => listCustomers(ctx.db, input)),

  get: permissionProcedure('customers.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/customers/{id}',
        tags,
        protect: true,
        summary: 'A customer with subscriptions, recent payments and open tickets',
        description: 'Sections the caller may not read (e.g. payments without payments.read) are null.',
      },
    })
    .input(idInput)
    .output(customerDetailSchema)
    .query(({ ctx, input }) => getCustomer(ctx.db, ctx, input.id)),

  create: permissionProcedure('customers.create')
    .meta({
      openapi: { method: 'POST', path: '/customers', tags, protect: true, summary: 'Create a customer (gets the next account number)' },
      successStatus: 201,
    })
    .input(customerCreateInput)
    .output(customerSchema)
    .mutation(({ ctx, input }) => createCustomer(ctx.db, ctx, input)),

  update: permissionProcedure('customers.update')
    .meta({ openapi: { method: 'PATCH', path: '/customers/{id}', tags, protect: true, summary: 'Edit a customer' } })
    .input(customerUpdateInput)
    .output(customerSchema)
    .mutation(({ ctx, input }) => updateCustomer(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
