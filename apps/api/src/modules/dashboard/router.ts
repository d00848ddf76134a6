/** The dashboard module's procedure: the figures on the staff home page. */
import { dashboardSummarySchema } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { permissionProcedure } from '../../trpc/trpc';
import { dashboardSummary } from './service';

export const dashboardRouter = {
  summary: permissionProcedure('dashboard.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/dashboard',
        tags: ['dashboard'],
        protect: true,
        summary: 'Dashboard figures',
        description: 'Each figure is null when the caller may not read what it is computed from.',
      },
    })
    .input(z.object({}))
    .output(dashboardSummarySchema)
    .query(({ ctx }) => dashboardSummary(ctx.db, ctx)),
} satisfies TRPCRouterRecord;
