/**
 * The running queue: one pg-boss instance per process on the app's database, a worker per
 * definition, the schedules. Embedded: pg-boss shares the app's single PGlite connection
 * (`fromPglite`), its statements simply wait while an app transaction runs. PostgreSQL: pg-boss
 * opens its own small pool on the same database.
 */
import type { DatabaseHandle } from '@netflow/db';
import type { FastifyBaseLogger } from 'fastify';
import { PgBoss, fromPglite, type PGliteLike } from 'pg-boss';
import type { Config } from '../../config';
import type { AnyDefinition } from './define';
import { runJob, type QueuedJob } from './runner';
import { BOSS_SCHEMA, queueOptions } from './sql';

export interface BossOptions {
  /** Maintenance (expiry of stuck jobs, retention) and the cron pass: on for the server only. */
  background: boolean;
  /** Pool size on PostgreSQL. */
  max?: number;
}

export function createBoss(handle: Pick<DatabaseHandle, 'kind' | 'db' | 'url'>, options: BossOptions): PgBoss {
  const common = {
    schema: BOSS_SCHEMA,
    // Our migrations install the schema; pg-boss still migrates it after a pg-boss upgrade.
    migrate: true,
    createSchema: false,
    supervise: options.background,
    schedule: options.background,
    registerInstance: options.background,
    persistWarnings: false,
    openTelemetry: { enabled: false },
  };
  if (handle.kind === 'embedded') {
    const client = (handle.db as unknown as { $client: PGliteLike }).$client;
    return new PgBoss({ ...common, db: fromPglite(client), backend: 'pglite' });
  }
  if (!handle.url) throw new Error('the job queue needs the PostgreSQL URL of the database handle');
  return new PgBoss({ ...common, connectionString: handle.url, max: options.max ?? 3, application_name: 'netflow-jobs' });
}

/** Creates the queues that do not exist yet, and brings the others' retry policy up to the code's. */
export async function createQueues(boss: PgBoss, defs: readonly AnyDefinition[]): Promise<void> {
  for (const def of defs) {
    const options = queueOptions(def);
    if (!(await boss.getQueue(def.name))) await boss.createQueue(def.name, options);
    else {
      const { policy: _policy, ...changeable } = options;
      await boss.updateQueue(def.name, changeable);
    }
  }
}

export interface JobQueueOptions {
  handle: Pick<DatabaseHandle, 'kind' | 'db' | 'url'>;
  config: Config;
  log: FastifyBaseLogger;
  jobs: readonly AnyDefinition[];
  schedules: readonly AnyDefinition[];
}

export interface JobQueue {
  boss: PgBoss;
  /** Stops fetching; jobs in flight finish (up to `timeoutMs`), the rest return to the queue. */
  stop(timeoutMs?: number): Promise<void>;
}

export async function startJobQueue(opts: JobQueueOptions): Promise<JobQueue> {
  const { handle, config, log } = opts;
  const boss = createBoss(handle, { background: true });
  // Without a listener an 'error' event would throw; pg-boss reports maintenance/poll errors here.
  boss.on('error', (error) => log.error({ err: error, event: 'jobs.error' }, 'job queue error'));
  await boss.start();
  const all = [...opts.jobs, ...opts.schedules];
  const names = new Set<string>();
  for (const def of all) {
    if (names.has(def.name)) throw new Error(`two job definitions are named ${def.name}`);
    names.add(def.name);
  }
  await createQueues(boss, all);
  // Schedules removed from the code stop ticking.
  for (const s of await boss.getSchedules()) {
    if (!opts.schedules.some((d) => d.name === s.name)) await boss.unschedule(s.name, s.key);
  }
  for (const def of opts.schedules) {
    if (def.kind !== 'schedule') continue;
    const cron = typeof def.cron === 'function' ? def.cron(config) : def.cron;
    await boss.schedule(def.name, cron, null, { tz: 'UTC' });
  }
  const deps = { db: handle.db, config, log };
  for (const def of all) {
    await boss.work<unknown>(
      def.name,
      { includeMetadata: true, batchSize: 1, pollingIntervalSeconds: config.jobs.pollSeconds },
      async ([job]) => {
        if (job) await runJob(def, job as unknown as QueuedJob, deps);
      },
    );
  }
  log.info({ event: 'jobs.started', queues: [...names], engine: handle.kind }, 'job queue started');
  return {
    boss,
    stop: async (timeoutMs = 30_000) => {
      await boss.stop({ graceful: true, timeout: timeoutMs, close: true });
    },
  };
}
