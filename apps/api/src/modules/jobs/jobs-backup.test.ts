/**
 * A backup carries the queue: a restored database has pg-boss's schema and the jobs (a failed one
 * stays failed with its error, a waiting one still waits), and takes new jobs at once.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createDatabase, type DatabaseHandle } from '@netflow/db';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { backupDatabase, backupEmbedded, restoreDatabase, type BackupTarget } from '../../ops/backup';
import { createHarness, type Harness } from '../../test/harness';
import { jobRows, runQueuedJobs } from '../../test/jobs';
import { defineJob, enqueue } from './index';

const serverUrl = process.env.TEST_DATABASE_URL;
const tools = { env: process.env };
const work = mkdtempSync(path.join(tmpdir(), 'netflow-jobs-backup-'));
const scratch: string[] = [];

const job = defineJob({
  name: 'test.backup',
  schema: z.object({ n: z.number() }),
  retryLimit: 0,
  run: async (data) => {
    if (data.n === 1) throw new Error('gateway said no');
  },
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => {
  await h.close();
  if (serverUrl) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      for (const name of scratch) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  }
  rmSync(work, { recursive: true, force: true });
});

async function freshTarget(): Promise<BackupTarget> {
  if (!serverUrl) return { engine: 'embedded', dataDir: path.join(mkdtempSync(path.join(work, 'data-')), 'pglite') };
  const name = `netflow_jobs_restore_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  scratch.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { engine: 'postgres', url: url.toString() };
}

describe('backup and restore', () => {
  it('keep the queue: failed and waiting jobs come back as they were, and new jobs are accepted', async () => {
    const failedId = await enqueue(h.db.db, job, { n: 1 });
    await runQueuedJobs(h, { extra: [job], names: [job.name] });
    const waitingId = await enqueue(h.db.db, job, { n: 2 }, { startAfterSeconds: 3600 });
    const before = await jobRows(h, job.name);
    expect(before.map((r) => [r.id, r.state])).toEqual([
      [failedId, 'failed'],
      [waitingId, 'created'],
    ]);

    const file = path.join(work, 'jobs.backup');
    if (h.db.url) await backupDatabase({ engine: 'postgres', url: h.db.url }, file, tools);
    else await backupEmbedded(h.db, file);
    const target = await freshTarget();
    await restoreDatabase(target, file, tools);

    const restored: DatabaseHandle =
      target.engine === 'postgres'
        ? await createDatabase({ url: target.url, maxConnections: 2 })
        : await createDatabase({ dataDir: target.dataDir });
    try {
      const r = { db: restored as typeof h.db, config: h.config };
      expect(await jobRows(r, job.name)).toEqual(before);
      expect(await enqueue(restored.db, job, { n: 3 })).toEqual(expect.any(String));
    } finally {
      await restored.close();
    }
  }, 180_000);
});
