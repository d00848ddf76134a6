/**
 * (b) SIGTERM during load, on the real process entry (src/main.ts) as systemd stops it: requests
 * already in flight complete, new ones are refused (503 or a refused connection, never a 500),
 * the process exits 0 within its grace period, and nothing acknowledged is lost nor anything
 * unacknowledged half written.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase, leads } from '@netflow/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, load, sleep, type Answer } from './stack';
import { missingTools, startPrivatePostgres, type PrivatePostgres } from './services';

const skip = missingTools();
const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** main.ts's own bound (SHUTDOWN_TIMEOUT_MS) after which it gives up and exits 1. */
const GRACE_MS = 15_000;
let pg: PrivatePostgres;

beforeAll(async () => {
  if (skip) return;
  pg = await startPrivatePostgres();
});
afterAll(async () => {
  await pg?.destroy();
});

describe.skipIf(skip)('graceful stop under load', () => {
  it('finishes what is in flight, refuses what is new, exits 0 in time, loses nothing', async () => {
    const email = 'stop-admin@resilience.test';
    const password = 'Resilience-Stop-Test-42';
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: apiRoot,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: '0',
        LOG_LEVEL: 'info',
        DATABASE_URL: pg.url,
        JWT_SECRET: 'j'.repeat(48),
        AUDIT_KEY: 'a'.repeat(48),
        APP_ENCRYPTION_KEY: 'e'.repeat(48),
        // The bench/test accounts have no second factor; production's default (admin) would refuse them.
        MFA_REQUIRED_ROLES: '',
        SMS_PROVIDER: 'log',
        BOOTSTRAP_ADMIN_EMAIL: email,
        BOOTSTRAP_ADMIN_PASSWORD: password,
        RATE_LIMIT_GLOBAL_PER_MINUTE: '100000',
        RATE_LIMIT_AUTH_PER_MINUTE: '100000',
        RATE_LIMIT_USER_PER_MINUTE: '100000',
        LOGIN_ACCOUNT_FAILURES_PER_HOUR: '10000',
        LOGIN_LOCKOUT_THRESHOLD: '100',
      },
    });
    let out = '';
    // When the server says it began shutting down: requests that start after that must be refused.
    let shutdownSeenAt = Number.POSITIVE_INFINITY;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (shutdownSeenAt === Number.POSITIVE_INFINITY && out.includes('shutting down')) shutdownSeenAt = Date.now();
    });
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const origin = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no listening line within 120 s:\n${out}`)), 120_000);
      const check = () => {
        const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (!match?.[1]) return;
        clearTimeout(timer);
        resolve(match[1]);
      };
      child.stdout.on('data', check);
      void exited.then(() => reject(new Error(`exited before listening:\n${out}`)));
    });

    const login = await call(origin, 'login', '/api/auth/login', { method: 'POST', body: { identifier: email, password } });
    expect(login.status).toBe(200);
    const { token } = JSON.parse(login.body) as { token: string };

    let sigtermAt = Number.POSITIVE_INFINITY;
    // Lead creations (acknowledged or not: checked against the rows) and failed sign-ins (argon2 at
    // production cost: each is in flight for tens of milliseconds, so some are when SIGTERM lands).
    const next = (i: number): Promise<Answer> =>
      i % 3 === 2
        ? call(origin, 'login', '/api/auth/login', { method: 'POST', body: { identifier: email, password: 'wrong-password-1' } })
        : call(origin, 'lead', '/api/leads', {
            method: 'POST',
            token,
            body: { name: `Stop lead ${i}`, phone: `0746${String(i).padStart(6, '0')}` },
          });
    const running = load({ concurrency: 8, next, until: exited });

    await sleep(2000);
    sigtermAt = Date.now();
    child.kill('SIGTERM');
    const code = await exited;
    const exitMs = Date.now() - sigtermAt;
    const answers = await running;

    expect(code).toBe(0);
    expect(exitMs).toBeLessThan(GRACE_MS);
    expect(out).toMatch(/shutting down/);

    const before = answers.filter((a) => a.startedAt < sigtermAt);
    // Between the signal and the server acting on it, a request may still be served or be refused.
    const afterwards = answers.filter((a) => a.startedAt > shutdownSeenAt);
    expect(before.length).toBeGreaterThan(10);
    // In flight when the signal came: answered in full (a request already sent is never cut off).
    for (const a of before) expect([201, 401, 503], `${a.label} ${a.status} ${a.error ?? ''} ${a.body}`).toContain(a.status);
    // Never a server error, whenever it started.
    expect(answers.filter((a) => a.status >= 500 && a.status !== 503).map((a) => `${a.label} ${a.status} ${a.body}`)).toEqual([]);
    // Once the server is shutting down: refused, never served, never a server error.
    for (const a of afterwards) {
      expect(
        a.status === 503 || (a.status === 0 && /ECONNREFUSED|ECONNRESET|UND_ERR_SOCKET|SocketError/.test(a.error ?? '')),
        `${a.status} ${a.error ?? ''}`,
      ).toBe(true);
    }

    // Nothing lost, nothing extra: the rows are exactly the acknowledged creations.
    const acknowledged = answers
      .filter((a) => a.label === 'lead' && a.status === 201)
      .map((a) => (JSON.parse(a.body) as { id: string }).id);
    const db = await createDatabase({ url: pg.url, maxConnections: 1 });
    try {
      const rows = await db.db
        .select({ id: leads.id })
        .from(leads)
        .where(sql`${leads.name} like 'Stop lead %'`);
      expect(rows.map((r) => r.id).sort()).toEqual(acknowledged.sort());
    } finally {
      await db.close();
    }
    const refused = afterwards.length;
    console.info(
      `graceful stop: ${before.length} requests before SIGTERM (all answered), ${refused} refused after it, exit 0 after ${exitMs} ms`,
    );
  });
});
