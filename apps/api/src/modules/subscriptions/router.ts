/** The subscriptions module's procedures (filled in by its issue). */
import type { TRPCRouterRecord } from '@trpc/server';

export const subscriptionsRouter = {} satisfies TRPCRouterRecord;
