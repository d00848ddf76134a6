/** The jobs module's procedures (admin only): list jobs, the queues with counts, retry, cancel. */
import { jobIdInput, jobPageSchema, jobQueueSchema, jobSchema, listJobsInput } from '@netflow/contracts';
import type { TRPCRouterRecord } from '@trpc/server';
import { z } from 'zod';
import { permissionProcedure } from '../../trpc/trpc';
import { cancelJob, getJob, listJobs, listQueues, retryJob } from './service';

export const jobsRouter = {
  list: permissionProcedure('jobs.read')
    .meta({
      openapi: { method: 'GET', path: '/jobs', tags: ['jobs'], protect: true, summary: 'Background jobs by state (failed by default)' },
    })
    .input(listJobsInput)
    .output(jobPageSchema)
    .query(({ ctx, input }) => listJobs(ctx.db, input)),

  queues: permissionProcedure('jobs.read')
    .meta({ openapi: { method: 'GET', path: '/jobs/queues', tags: ['jobs'], protect: true, summary: 'Job queues with counts by state' } })
    .input(z.object({}))
    .output(z.array(jobQueueSchema))
    .query(({ ctx }) => listQueues(ctx.db)),

  get: permissionProcedure('jobs.read')
    .meta({ openapi: { method: 'GET', path: '/jobs/{id}', tags: ['jobs'], protect: true, summary: 'A background job' } })
    .input(jobIdInput)
    .output(jobSchema)
    .query(({ ctx, input }) => getJob(ctx.db, input.id)),

  retry: permissionProcedure('jobs.manage')
    .meta({ openapi: { method: 'POST', path: '/jobs/{id}/retry', tags: ['jobs'], protect: true, summary: 'Run a failed job again' } })
    .input(jobIdInput)
    .output(jobSchema)
    .mutation(({ ctx, input }) => retryJob(ctx.db, ctx, input.id)),

  cancel: permissionProcedure('jobs.manage')
    .meta({
      openapi: { method: 'POST', path: '/jobs/{id}/cancel', tags: ['jobs'], protect: true, summary: 'Cancel a job that has not run yet' },
    })
    .input(jobIdInput)
    .output(jobSchema)
    .mutation(({ ctx, input }) => cancelJob(ctx.db, ctx, input.id)),
} satisfies TRPCRouterRecord;
