/**
 * Admins see failed jobs and run them again: GET /api/jobs?state=failed, POST /api/jobs/{id}/retry
 * (and their tRPC twins), admin only, retry audited; payload secrets never shown.
 */
import { ROLES, type Role } from '@netflow/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { auditRows } from '../../test/fixtures';
import { codeOf, createTestApp } from '../../test/harness';
import { jobRows, runQueuedJobs } from '../../test/jobs';
import type { CurrentUser } from '../../trpc/context';
import { defineJob, enqueue } from './index';

let t: Awaited<ReturnType<typeof createTestApp>>;
const staff = {} as Record<Role, CurrentUser>;
const MISSING = '00000000-0000-4000-8000-000000000000';

let failing = true;
const flakyJob = defineJob({
  name: 'test.flaky-router',
  schema: z.object({ routerId: z.string(), apiToken: z.string().optional() }),
  retryLimit: 1,
  retryDelaySeconds: 5,
  run: async (data) => {
    if (failing) throw new Error(`router ${data.routerId} refused the connection`);
  },
});
const extra = [flakyJob];

beforeAll(async () => {
  t = await createTestApp();
  for (const role of ROLES) staff[role] = await t.createUser({ role });
});
afterAll(async () => {
  await t.close();
});

async function failedJob(): Promise<string> {
  failing = true;
  const id = await enqueue(t.db.db, flakyJob, { routerId: 'r-1', apiToken: 'tok-should-not-show' });
  if (!id) throw new Error('not queued');
  await runQueuedJobs(t, { extra, includeRetries: true, names: [flakyJob.name] });
  return id;
}

const headersOf = async (role: Role) => ({ authorization: `Bearer ${await t.tokenFor(staff[role])}` });

describe('GET /api/jobs', () => {
  it('lists failed jobs by default with their error and attempts, secrets redacted; admin only', async () => {
    const id = await failedJob();
    const res = await t.app.inject({ method: 'GET', url: '/api/jobs?state=failed', headers: await headersOf('admin') });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ items: Array<Record<string, unknown>>; nextCursor: string | null }>();
    const job = body.items.find((j) => j.id === id);
    expect(job).toMatchObject({
      name: 'test.flaky-router',
      state: 'failed',
      error: 'router r-1 refused the connection',
      attempts: 2,
      maxAttempts: 2,
      data: { routerId: 'r-1', apiToken: '[redacted]' },
    });
    expect(res.body).not.toContain('tok-should-not-show');
    // Same answer without the filter (failed is the default), and through tRPC.
    const viaTrpc = await t.caller(staff.admin).jobs.list({});
    expect(viaTrpc.items.map((j) => j.id)).toContain(id);

    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const denied = await t.app.inject({ method: 'GET', url: '/api/jobs?state=failed', headers: await headersOf(role) });
      expect(denied.statusCode, role).toBe(403);
      expect(await codeOf(t.caller(staff[role]).jobs.list({}))).toBe('FORBIDDEN');
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs?state=failed' })).statusCode).toBe(401);
  });

  it('filters by state and name, pages without repeats, refuses a bad state or cursor', async () => {
    await failedJob();
    await failedJob();
    const admin = t.caller(staff.admin);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.jobs.list({ state: 'failed', name: 'test.flaky-router', limit: 1, cursor });
      seen.push(...page.items.map((j) => j.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const failedIds = (await jobRows(t, 'test.flaky-router')).filter((r) => r.state === 'failed').map((r) => r.id);
    expect(seen.sort()).toEqual(failedIds.sort());
    expect((await admin.jobs.list({ state: 'completed', name: 'test.flaky-router' })).items).toEqual([]);
    const headers = await headersOf('admin');
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs?state=exploded', headers })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/api/jobs?cursor=bogus', headers })).statusCode).toBe(400);
    const queues = await admin.jobs.queues({});
    expect(queues.find((q) => q.name === 'test.flaky-router')?.counts.failed).toBe(failedIds.length);
  });
});

describe('POST /api/jobs/{id}/retry', () => {
  it('puts a failed job back on its queue, audited; it runs again and can succeed', async () => {
    const id = await failedJob();
    const headers = await headersOf('admin');
    const res = await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/retry`, headers });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id, state: 'retry', maxAttempts: 3 });
    const audits = await auditRows(t.db.db, id, 'job.retry');
    expect(audits).toHaveLength(1);
    expect(audits[0]).toMatchObject({ actorId: staff.admin.id, entityType: 'job' });

    failing = false;
    expect(await runQueuedJobs(t, { extra, names: [flakyJob.name] })).toMatchObject({ completed: 1 });
    expect((await jobRows(t, flakyJob.name)).find((r) => r.id === id)?.state).toBe('completed');

    // Only a failed job: a completed one answers 409, nothing written.
    const again = await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/retry`, headers });
    expect(again.statusCode).toBe(409);
    expect(await auditRows(t.db.db, id, 'job.retry')).toHaveLength(1);
    expect((await t.app.inject({ method: 'POST', url: `/api/jobs/${MISSING}/retry`, headers })).statusCode).toBe(404);
  });

  it('is admin only (403 for every other role, 401 anonymous), nothing changed', async () => {
    const id = await failedJob();
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      const res = await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/retry`, headers: await headersOf(role) });
      expect(res.statusCode, role).toBe(403);
    }
    expect((await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/retry` })).statusCode).toBe(401);
    expect((await jobRows(t, flakyJob.name)).find((r) => r.id === id)?.state).toBe('failed');
    expect(await auditRows(t.db.db, id, 'job.retry')).toEqual([]);
  });
});

describe('cancel', () => {
  it('cancels a waiting job (audited); a finished one answers 409', async () => {
    const id = await enqueue(t.db.db, flakyJob, { routerId: 'r-2' }, { startAfterSeconds: 3600 });
    if (!id) throw new Error('not queued');
    const admin = t.caller(staff.admin);
    expect(await admin.jobs.cancel({ id })).toMatchObject({ state: 'cancelled' });
    expect(await auditRows(t.db.db, id, 'job.cancel')).toHaveLength(1);
    expect(await codeOf(admin.jobs.cancel({ id }))).toBe('CONFLICT');
  });
});
