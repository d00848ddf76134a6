/**
 * The jobs module's face (JOBS-API.md): declare jobs and schedules, enqueue them on the cause's
 * transaction; the server runs them (plugin.ts); admins list and retry them (router).
 */
export { defineJob, defineSchedule, type AnyDefinition, type JobContext, type JobDefinition, type ScheduleDefinition } from './define';
export { enqueue, type EnqueueOptions } from './enqueue';
export { runJob, type QueuedJob, type RunnerDeps } from './runner';
export { createBoss, createQueues, startJobQueue, type JobQueue } from './queue';
export { ensureQueue } from './sql';
export { default as jobQueue, type JobsPluginOptions } from './plugin';
export { cancelJob, getJob, listJobs, listQueues, redactSecrets, retryJob } from './service';
