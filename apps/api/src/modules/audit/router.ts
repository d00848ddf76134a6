/** The audit trail, read-only, for admins and managers (the `audit.read` permission). Nothing here writes. */
import { auditPage, listAuditInput } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { permissionProcedure } from '../../trpc/trpc';
import { listAudit } from './service';

export const auditRouter = {
  list: permissionProcedure('audit.read')
    .meta({
      openapi: {
        method: 'GET',
        path: '/audit',
        tags: ['audit'],
        protect: true,
        summary: 'Audit entries, newest first (filters, cursor pages)',
      },
    })
    .input(listAuditInput)
    .output(auditPage)
    .query(({ ctx, input }) => listAudit(ctx.db, input)),
} satisfies TRPCRouterRecord;
