/** Liveness as a typed procedure, so the web client shows the API's health end to end. */
import { healthSchema } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { publicProcedure } from '../../trpc/trpc';
import { healthStatus } from './service';

export const healthRouter = {
  check: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/health/status', tags: ['health'], summary: 'API status' } })
    .input(z.void())
    .output(healthSchema)
    .query(({ ctx }) => healthStatus(ctx.dbKind, ctx.config.apiDocs === 'public' || ctx.user !== null)),
} satisfies TRPCRouterRecord;
