/**
 * The job queue in a running server: starts pg-boss, the workers and the schedules when the server
 * is ready (JOBS=on; off by default under NODE_ENV=test), stops them on close before the database
 * closes: jobs in flight get up to `stopTimeoutMs` to finish, the others go back to the queue.
 */
import type { DatabaseHandle } from '@netflow/db';
import type { FastifyInstance } from 'fastify';
import type { AnyDefinition } from './define';
import { startJobQueue, type JobQueue } from './queue';

export interface JobsPluginOptions {
  db: Pick<DatabaseHandle, 'kind' | 'db' | 'url'>;
  jobs: readonly AnyDefinition[];
  schedules: readonly AnyDefinition[];
  /** Defaults to config.jobs.enabled. */
  enabled?: boolean;
  stopTimeoutMs?: number;
}

export default async function jobsPlugin(app: FastifyInstance, opts: JobsPluginOptions) {
  const { config } = app.services;
  if (!(opts.enabled ?? config.jobs.enabled)) return;
  let queue: JobQueue | undefined;
  app.addHook('onReady', async () => {
    queue = await startJobQueue({
      handle: opts.db,
      config,
      log: app.log.child({ component: 'jobs' }),
      jobs: opts.jobs,
      schedules: opts.schedules,
    });
  });
  app.addHook('onClose', async () => {
    await queue?.stop(opts.stopTimeoutMs);
  });
}
