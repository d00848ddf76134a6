/**
 * The SMS module's procedures: templates (read and preview: settings.read; edit: settings.manage,
 * admins), and a customer's SMS panel (opt-out and recent messages) under /api/sms.
 */
import {
  smsCustomerInput,
  smsCustomerSchema,
  smsOptOutInput,
  smsPreviewInput,
  smsPreviewSchema,
  smsTemplateListSchema,
  smsTemplateSchema,
  smsTemplateUpdateInput,
} from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { permissionProcedure } from '../../trpc/trpc';
import { getCustomerSms, setOptOut } from './messages';
import { listTemplates, previewTemplate, updateTemplate } from './templates';

const tags = ['sms'];

export const smsRouter = {
  templates: permissionProcedure('settings.read')
    .meta({
      openapi: { method: 'GET', path: '/sms/templates', tags, protect: true, summary: 'The automatic messages and their placeholders' },
    })
    .input(z.object({}))
    .output(smsTemplateListSchema)
    .query(({ ctx }) => listTemplates(ctx.db, ctx.config.sms)),

  updateTemplate: permissionProcedure('settings.manage')
    .meta({
      openapi: {
        method: 'PUT',
        path: '/sms/templates/{key}',
        tags,
        protect: true,
        summary: 'Edit an automatic message (known placeholders only)',
      },
    })
    .input(smsTemplateUpdateInput)
    .output(smsTemplateSchema)
    .mutation(({ ctx, input }) => updateTemplate(ctx.db, ctx, ctx.config.sms, input)),

  preview: permissionProcedure('settings.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/sms/templates/{key}/preview',
        tags,
        protect: true,
        summary: 'A template (saved, or `body` as typed) rendered with sample values or a customer’s, with its length and SMS parts',
      },
    })
    .input(smsPreviewInput)
    .output(smsPreviewSchema)
    .query(({ ctx, input }) => previewTemplate(ctx.db, ctx.config.sms, input)),

  customer: permissionProcedure('customers.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/sms/customers/{customerId}',
        tags,
        protect: true,
        summary: "A customer's SMS opt-out and recent messages (messages null without sms.read)",
      },
    })
    .input(smsCustomerInput)
    .output(smsCustomerSchema)
    .query(({ ctx, input }) => getCustomerSms(ctx.db, ctx, input.customerId)),

  setOptOut: permissionProcedure('sms.optout')
    .meta({
      openapi: {
        method: 'PUT',
        path: '/sms/customers/{customerId}/opt-out',
        tags,
        protect: true,
        summary: 'Opt a customer out of SMS (or back in): their messages are then recorded as skipped',
      },
    })
    .input(smsOptOutInput)
    .output(smsCustomerSchema)
    .mutation(({ ctx, input }) => setOptOut(ctx.db, ctx, input)),
} satisfies TRPCRouterRecord;
