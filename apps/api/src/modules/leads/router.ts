/** The leads module's procedures: the sales pipeline, with REST twins under /api/leads. */
import {
  idInput,
  leadConvertInput,
  leadConvertResult,
  leadCreateInput,
  leadListInput,
  leadPageSchema,
  leadSchema,
  leadSetStatusInput,
  leadUpdateInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { convertLead, createLead, getLead, listLeads, setLeadStatus, updateLead } from './service';

const tags = ['leads'];

export const leadsRouter = {
  list: permissionProcedure('leads.read')
    .meta({ openapi: { method: 'GET', path: '/leads', tags, protect: true, summary: 'List leads (keyset pages, filters, search)' } })
    .input(leadListInput)
    .output(leadPageSchema)
    .query(({ ctx, input }) => listLeads(ctx.db, ctx, input)),

  get: permissionProcedure('leads.read')
    .meta({ openapi: { method: 'GET', path: '/leads/{id}', tags, protect: true, summary: 'A lead' } })
    .input(idInput)
    .output(leadSchema)
    .query(({ ctx, input }) => getLead(ctx.db, ctx, input.id)),

  create: permissionProcedure('leads.write')
    .meta({ openapi: { method: 'POST', path: '/leads', tags, protect: true, summary: 'Create a lead' }, successStatus: 201 })
    .input(leadCreateInput)
    .output(leadSchema)
    .mutation(({ ctx, input }) => createLead(ctx.db, ctx, input)),

  update: permissionProcedure('leads.write')
    .meta({ openapi: { method: 'PATCH', path: '/leads/{id}', tags, protect: true, summary: 'Edit a lead' } })
    .input(leadUpdateInput)
    .output(leadSchema)
    .mutation(({ ctx, input }) => updateLead(ctx.db, ctx, input)),

  setStatus: permissionProcedure('leads.write')
    .meta({
      openapi: {
        method: 'POST',
        path: '/leads/{id}/status',
        tags,
        protect: true,
        summary: 'Move a lead along the pipeline',
        description:
          'new → contacted → qualified → lost (with a reason); lost → new reopens. `won` only through convert. Illegal moves answer 409.',
      },
    })
    .input(leadSetStatusInput)
    .output(leadSchema)
    .mutation(({ ctx, input }) => setLeadStatus(ctx.db, ctx, input)),

  convert: permissionProcedure('leads.write')
    .meta({
      openapi: {
        method: 'POST',
        path: '/leads/{id}/convert',
        tags,
        protect: true,
        summary: 'Convert a qualified lead into a customer (and a pending subscription when planId is given)',
        description: 'One transaction; a lead converts once (a second conversion answers 409).',
      },
      successStatus: 201,
    })
    .input(leadConvertInput)
    .output(leadConvertResult)
    .mutation(({ ctx, input }) => convertLead(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
