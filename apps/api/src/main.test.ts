/**
 * The process entry as an operator sees it: zero-config start on an empty embedded database (demo
 * admin printed once), data kept across restarts, graceful SIGTERM (in-flight request finished,
 * exit 0), and refused starts with one clear line (production never creates a demo admin).
 *
 * Only the first test pays for creating a database from nothing (initdb inside embedded
 * PostgreSQL: seconds of CPU); the others start on a copy of an empty, migrated one, which is what
 * a second start sees.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@netflow/db';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';

const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const running: ChildProcessWithoutNullStreams[] = [];

interface Started {
  child: ChildProcessWithoutNullStreams;
  port: number;
  output: () => string;
  /** Resolves once the server has printed something matching `pattern`. */
  printed: (pattern: RegExp) => Promise<void>;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiRoot,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DEMO_DATA: 'off', ...env },
  });
  running.push(child);
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const onData = () => {
      const match = /Server listening at http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (match) {
        child.stdout.off('data', onData);
        const printed = (pattern: RegExp) =>
          new Promise<void>((done) => {
            const check = () => {
              if (!pattern.test(out)) return;
              child.stdout.off('data', check);
              done();
            };
            child.stdout.on('data', check);
            check();
          });
        resolve({ child, port: Number(match[1]), output: () => out, printed, exited });
      }
    };
    child.stdout.on('data', onData);
    void exited.then((code) => reject(new Error(`server exited (${code}) before listening:\n${out}`)));
  });
}

/** Runs main.ts to its exit (for starts that must be refused). */
async function runToExit(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: apiRoot,
    env: { PATH: process.env.PATH ?? '', PORT: '0', ...env },
  });
  running.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  // 'close' comes after the output streams end, so nothing printed is missed.
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, stdout, stderr };
}

/** Every DATA_DIR made here (about 30 MB each once a database is in it), removed at the end. */
const dataDirs: string[] = [];
function newDataDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'netflow-main-'));
  dataDirs.push(dir);
  return dir;
}

/** A DATA_DIR holding an empty, migrated embedded database (copied from one made once). */
let migratedDir = '';
function dataDirWithEmptyDatabase(): string {
  const dir = newDataDir();
  cpSync(path.join(migratedDir, 'pglite'), path.join(dir, 'pglite'), { recursive: true });
  return dir;
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

// The process is the same on both engines; it runs once, on the embedded one.
// Each test boots real processes (tsx, embedded PostgreSQL). Measured with both cores shared with
// other work: up to 44 s for one start on a migrated database; 110 s for the first test's two starts
// (one creates the database from nothing).
describe.skipIf(process.env.TEST_DATABASE_URL)('main.ts', { timeout: 180_000 }, () => {
  beforeAll(async () => {
    migratedDir = newDataDir();
    const templateFile = inject('pgliteTemplate');
    const db = await createDatabase({
      dataDir: path.join(migratedDir, 'pglite'),
      ...(templateFile ? { template: readFileSync(templateFile) } : {}),
    });
    if (!templateFile) await db.migrate();
    await db.close();
  });
  afterAll(() => {
    for (const dir of dataDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('creates a demo admin once on an empty embedded database and keeps data across restarts', async () => {
    const dataDir = newDataDir();
    const first = await start({ DATA_DIR: dataDir });
    expect(first.output()).toMatch(/Demo admin created: admin@netflow\.local\s+password: \S{12,}/);
    const health = await fetch(`http://127.0.0.1:${first.port}/api/health`);
    expect(health.status).toBe(200);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);

    const second = await start({ DATA_DIR: dataDir });
    expect(second.output()).not.toMatch(/Demo admin created/);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  }, 300_000);

  it('on SIGTERM lets an in-flight request finish before exiting', async () => {
    const server = await start({ DATA_DIR: dataDirWithEmptyDatabase() });
    const socket = net.connect(server.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (d: Buffer) => (response += d.toString()));
    const body = JSON.stringify({ probe: true });
    // Headers and half the body now; the request is in flight while the server is told to stop.
    socket.write(
      `POST /api/in-flight-probe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 5)}`,
    );
    await server.printed(/"url":"\/api\/in-flight-probe".*"msg":"incoming request"/);
    server.child.kill('SIGTERM');
    await server.printed(/"msg":"shutting down"/);
    expect(server.child.exitCode).toBeNull();
    socket.end(body.slice(5));
    expect(await server.exited).toBe(0);
    expect(response).toMatch(/^HTTP\/1\.1 404/);
    expect(response).toContain('"error":"Not found"');
  });

  it('refuses a common BOOTSTRAP_ADMIN_PASSWORD instead of creating that admin', async () => {
    const { code, stderr } = await runToExit({
      DATA_DIR: dataDirWithEmptyDatabase(),
      BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com',
      BOOTSTRAP_ADMIN_PASSWORD: 'password123',
      LOG_LEVEL: 'silent',
    });
    expect(code).not.toBe(0);
    expect(stderr.trim()).toMatch(/^netflow: failed to start: BOOTSTRAP_ADMIN_PASSWORD refused: .+$/);
  });

  it('refuses to start in production with a short JWT_SECRET, in one line', async () => {
    const { code, stderr } = await runToExit({ NODE_ENV: 'production', JWT_SECRET: 'short' });
    expect(code).not.toBe(0);
    expect(stderr.trim().split('\n')).toEqual([
      'netflow: configuration error: JWT_SECRET is shorter than 32 bytes; set a random value of at least 32 bytes (openssl rand -base64 48)',
    ]);
  });

  it('in production, an empty database without BOOTSTRAP_ADMIN_* refuses to start in one line: no demo admin, no demo data', async () => {
    const { code, stdout, stderr } = await runToExit({
      NODE_ENV: 'production',
      JWT_SECRET: 'k'.repeat(48),
      AUDIT_KEY: 'a'.repeat(48),
      APP_ENCRYPTION_KEY: 'e'.repeat(48),
      SMS_PROVIDER: 'log',
      DATA_DIR: dataDirWithEmptyDatabase(),
      DEMO_DATA: 'auto',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      'netflow: failed to start: empty database and no BOOTSTRAP_ADMIN_EMAIL/BOOTSTRAP_ADMIN_PASSWORD: set both to create the first admin (production never generates one)',
    ]);
    expect(stdout).not.toMatch(/Demo|password/i);
  });
});
