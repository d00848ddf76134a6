/**
 * A per-instance chore inside a running server (e.g. logging audit checkpoints): run `task` once
 * when the server is ready and then every `intervalMs`, never overlapping itself on this instance,
 * and wait for a run in flight on close. Every instance runs its own timer, so the task must be
 * safe to run from several instances at once. Work that must run once across instances (the
 * expiry sweep, reminders) is a schedule of the job queue instead (`modules/jobs`, `SCHEDULES`).
 */
import type { FastifyInstance } from 'fastify';

export interface PeriodicTask {
  /** Says what failed in the log line of a failed run. */
  name: string;
  intervalMs: number;
  run: () => Promise<void>;
}

export function runPeriodically(app: FastifyInstance, task: PeriodicTask): void {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  const runOnce = () => {
    running ??= task
      .run()
      .catch((error: unknown) => app.log.error({ err: error, task: task.name }, `${task.name} failed`))
      .finally(() => {
        running = null;
      });
    return running;
  };

  app.addHook('onReady', async () => {
    void runOnce();
    timer = setInterval(() => void runOnce(), task.intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    if (timer) clearInterval(timer);
    await running;
  });
}
