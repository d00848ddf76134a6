/**
 * The activities module's procedures: a lead's or a customer's timeline. `list`/`create` take
 * {leadId} or {customerId}; the REST twins address the parent in the path
 * (/api/leads/{id}/activities, /api/customers/{id}/activities). Access is decided per parent in
 * the service (leads.read/leads.write with the lead scope, customers.read).
 */
import {
  activityCreateForParentInput,
  activityCreateInput,
  activityListForParentInput,
  activityListInput,
  activityPageSchema,
  activitySchema,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { protectedProcedure } from '../../trpc/trpc';
import { createActivity, listActivities } from './service';

const tags = ['activities'];

export const activitiesRouter = {
  list: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/activities',
        tags,
        protect: true,
        summary: 'Timeline of a lead or a customer (leadId or customerId), newest first',
      },
    })
    .input(activityListInput)
    .output(activityPageSchema)
    .query(({ ctx, input }) => listActivities(ctx.db, ctx, input)),

  create: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/activities', tags, protect: true, summary: 'Add a note, call or visit to a lead or a customer' },
      successStatus: 201,
    })
    .input(activityCreateInput)
    .output(activitySchema)
    .mutation(({ ctx, input }) => createActivity(ctx.db, ctx, input)),

  listForLead: protectedProcedure
    .meta({ openapi: { method: 'GET', path: '/leads/{id}/activities', tags, protect: true, summary: "A lead's timeline, newest first" } })
    .input(activityListForParentInput)
    .output(activityPageSchema)
    .query(({ ctx, input: { id, ...page } }) => listActivities(ctx.db, ctx, { ...page, leadId: id })),

  createForLead: protectedProcedure
    .meta({
      openapi: { method: 'POST', path: '/leads/{id}/activities', tags, protect: true, summary: 'Add a note, call or visit to a lead' },
      successStatus: 201,
    })
    .input(activityCreateForParentInput)
    .output(activitySchema)
    .mutation(({ ctx, input: { id, ...body } }) => createActivity(ctx.db, ctx, { ...body, leadId: id })),

  listForCustomer: protectedProcedure
    .meta({
      openapi: { method: 'GET', path: '/customers/{id}/activities', tags, protect: true, summary: "A customer's timeline, newest first" },
    })
    .input(activityListForParentInput)
    .output(activityPageSchema)
    .query(({ ctx, input: { id, ...page } }) => listActivities(ctx.db, ctx, { ...page, customerId: id })),

  createForCustomer: protectedProcedure
    .meta({
      openapi: {
        method: 'POST',
        path: '/customers/{id}/activities',
        tags,
        protect: true,
        summary: 'Add a note, call or visit to a customer',
      },
      successStatus: 201,
    })
    .input(activityCreateForParentInput)
    .output(activitySchema)
    .mutation(({ ctx, input: { id, ...body } }) => createActivity(ctx.db, ctx, { ...body, customerId: id })),
} satisfies TRPCRouterRecord;
