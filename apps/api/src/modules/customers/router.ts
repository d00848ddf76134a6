/** The customers module's procedures, with REST twins under /api/customers. */
import {
  customerCreateInput,
  csvExportLinkSchema,
  customerDetailSchema,
  customerFilterInput,
  customerListInput,
  customerPageSchema,
  customerSchema,
  customerUpdateInput,
  idInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { csvExportLink } from '../../lib/csv-export';
import { permissionProcedure } from '../../trpc/trpc';
import { customersExport } from './export-route';
import { createCustomer, getCustomer, listCustomers, updateCustomer } from './service';

const tags = ['customers'];

export const customersRouter = {
  list: permissionProcedure('customers.read')
    .meta({
      openapi: { method: 'GET', path: '/customers', tags, protect: true, summary: 'List customers (keyset pages, filters, search incl. account number)' },
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
    .meta({ openapi: { method: 'POST', path: '/customers', tags, protect: true, summary: 'Create a customer (gets the next account number)' }, successStatus: 201 })
    .input(customerCreateInput)
    .output(customerSchema)
    .mutation(({ ctx, input }) => createCustomer(ctx.db, ctx, input)),

  update: permissionProcedure('customers.update')
    .meta({ openapi: { method: 'PATCH', path: '/customers/{id}', tags, protect: true, summary: 'Edit a customer' } })
    .input(customerUpdateInput)
    .output(customerSchema)
    .mutation(({ ctx, input }) => updateCustomer(ctx.db, ctx, input)),

  /**
   * The CSV itself streams from GET /api/customers/export (documented in the OpenAPI document);
   * this checks the permission and filters and answers the download link for the web client.
   */
  export: permissionProcedure('customers.export')
    .input(customerFilterInput)
    .output(csvExportLinkSchema)
    .query(({ input }) => csvExportLink(customersExport, input)),
} satisfies TRPCRouterRecord;
