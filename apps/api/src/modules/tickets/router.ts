/** The tickets module's procedures (filled in by its issue). */
import type { TRPCRouterRecord } from '@trpc/server';

export const ticketsRouter = {} satisfies TRPCRouterRecord;
