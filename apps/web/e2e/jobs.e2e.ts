/**
 * The Jobs page end to end: an admin finds a failed job (why it failed, attempts), retries it, and
 * the server's own worker runs it to completion; other roles get no Jobs entry and a 403.
 *
 * Nothing in this branch fails on its own yet (SMS and router jobs come from other branches), so
 * the failed job is SEEDED: before the server's first start, the test enqueues a tick of the real
 * `subscriptions.expiry-sweep` queue in the embedded database through the jobs module and marks it
 * failed with an error message. Everything after that is real: the page, the REST retry, and the
 * server's worker running the real sweep.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createDatabase } from '../../../packages/db/src/index';
import { defineJob } from '../../api/src/modules/jobs/define';
import { enqueue } from '../../api/src/modules/jobs/enqueue';
import { drizzleExecutor } from '../../api/src/modules/jobs/sql';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { apiRequest, DESKTOP, hasChromium, launchChromium, seedSession, SHOTS } from './browser';

const SWEEP = 'subscriptions.expiry-sweep';
const ERROR = 'Seeded by the e2e test: the sweep could not reach the database';

interface Session {
  token: string;
  expiresAt: string;
  user: { id: string };
}

/** A failed tick of the expiry sweep in a fresh embedded database (the server migrates the rest). */
async function seedFailedSweep(dataDir: string): Promise<string> {
  const handle = await createDatabase({ dataDir: path.join(dataDir, 'pglite') });
  try {
    await handle.migrate();
    // The same queue and retry policy as the schedule (ticks are not retried on their own).
    const tick = defineJob({
      name: SWEEP,
      schema: z.null(),
      retryLimit: 0,
      retryDelaySeconds: 0,
      retryBackoff: false,
      run: async () => {},
    });
    const id = await enqueue(handle.db, tick, null);
    if (!id) throw new Error('seed: not queued');
    await drizzleExecutor(handle.db).executeSql(
      `update pgboss.job set state = 'failed', started_on = now(), completed_on = now(), output = $1::jsonb where id = $2::uuid`,
      [JSON.stringify({ message: ERROR }), id],
    );
    return id;
  } finally {
    await handle.close();
  }
}

describe.skipIf(!hasChromium)('Jobs page in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Session;
  let failedId: string;
  const errors: string[] = [];

  const api = <T>(method: string, url: string, token: string | null, body?: unknown) =>
    apiRequest<T>(server.origin, method, url, token, body);

  async function open(url: string, session: Session): Promise<Page> {
    const ctx = await browser.newContext(DESKTOP);
    await seedSession(ctx, { token: session.token, expiresAt: session.expiresAt });
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    p.on('pageerror', (e) => errors.push(e.message));
    await p.goto(`${server.origin}${url}`);
    return p;
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netflow-e2e-jobs-'));
    failedId = await seedFailedSweep(dataDir);
    server = await startServer({ dataDir });
    browser = await launchChromium();
    admin = (await api<Session>('POST', '/api/auth/login', null, { identifier: server.admin.email, password: server.admin.password })).body;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin sees the failed job with its error, retries it, and the worker completes it', async () => {
    const page = await open('/', admin);
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Jobs', exact: true }).click();
    await page.getByRole('heading', { name: 'Jobs' }).waitFor();
    // Failed jobs are the default tab.
    const row = page.getByRole('row').filter({ hasText: SWEEP });
    await row.getByText(ERROR).waitFor();
    await row.getByText('1 of 1').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'jobs-failed.png') });

    await row.getByRole('button', { name: `Retry job ${failedId}` }).click();
    await page.getByText('Job queued again').waitFor();

    // The server's worker (polling every 2 s) runs the real sweep.
    let state = '';
    for (let i = 0; i < 60 && state !== 'completed'; i += 1) {
      state = (await api<{ state: string }>('GET', `/api/jobs/${failedId}`, admin.token)).body.state;
      if (state !== 'completed') await new Promise((r) => setTimeout(r, 500));
    }
    expect(state).toBe('completed');
    await page.getByRole('tab', { name: /Done/ }).click();
    await page.getByRole('row').filter({ hasText: SWEEP }).first().waitFor();
    const audit = await api<{ items: Array<{ action: string; entityId: string }> }>('GET', '/api/audit?action=job.retry', admin.token);
    expect(audit.body.items.map((e) => e.entityId)).toContain(failedId);
    expect(errors).toEqual([]);
  });

  it('other roles have no Jobs entry, and the API refuses them', async () => {
    const email = `jobs.manager.${Date.now().toString(36)}@example.co.ke`;
    const password = `Kiboko-Sunrise-${Date.now().toString(36)}-42`;
    const created = await api('POST', '/api/users', admin.token, { name: 'Jobs Manager', email, role: 'manager', password });
    expect([200, 201]).toContain(created.status);
    const manager = (await api<Session>('POST', '/api/auth/login', null, { identifier: email, password })).body;
    const page = await open('/', manager);
    const nav = page.getByRole('navigation', { name: 'Main navigation' });
    await nav.getByRole('link', { name: 'Audit log', exact: true }).waitFor();
    expect(await nav.getByRole('link', { name: 'Jobs', exact: true }).count()).toBe(0);
    expect((await api('GET', '/api/jobs?state=failed', manager.token)).status).toBe(403);
    expect((await api('GET', '/api/jobs?state=failed', null)).status).toBe(401);
  });
});
