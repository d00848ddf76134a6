/** The activities module's procedures (filled in by its issue). */
import type { TRPCRouterRecord } from '@trpc/server';

export const activitiesRouter = {} satisfies TRPCRouterRecord;
