/**
 * Starts the real, built server (apps/api/dist/main.js) on a free port with a fresh embedded
 * database, exactly as `pnpm start` does, and reads the demo admin it prints on first start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/**
 * How long the first start may take to print the demo admin: creating the embedded database from
 * nothing and migrating took 9 s on this 2-core machine at load 6, and 33 s with the API suite and
 * other work beside it (load 14); the demo ISP then loads in about a second. Generous, because a
 * machine busier still only makes this slower, not wrong.
 */
const FIRST_START_TIMEOUT_MS = 180_000;

export interface RunningServer {
  origin: string;
  /** Milliseconds from spawn to the demo admin line and to /api/ready answering. */
  timings: { adminPrinted: number; ready: number };
  admin: { email: string; password: string };
  output: () => string;
  stop: () => Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export function builtArtifactsMissing(): string | null {
  const api = path.join(repoRoot, 'apps/api/dist/main.js');
  const web = path.join(repoRoot, 'apps/web/dist/index.html');
  if (!existsSync(api)) return `${api} is missing: build first (pnpm turbo run build --filter=@netflow/api --filter=@netflow/web)`;
  if (!existsSync(web)) return `${web} is missing: build first (pnpm turbo run build --filter=@netflow/api --filter=@netflow/web)`;
  return null;
}

export async function startServer(options: { dataDir?: string } = {}): Promise<RunningServer> {
  const port = await freePort();
  // A test may prepare the data folder first (e.g. seed the embedded database before the first start).
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'netflow-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn' };
  // Zero-config start: embedded database, generated secret, demo admin.
  for (const key of [
    'DATABASE_URL',
    'JWT_SECRET',
    'BOOTSTRAP_ADMIN_EMAIL',
    'BOOTSTRAP_ADMIN_PASSWORD',
    'NODE_ENV',
    'REDIS_URL',
    'WEB_DIST_DIR',
  ])
    delete env[key];
  const spawnedAt = Date.now();
  const child: ChildProcess = spawn(process.execPath, ['apps/api/dist/main.js'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));

  const admin = await new Promise<{ email: string; password: string }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not print the demo admin within ${FIRST_START_TIMEOUT_MS / 1000} s:\n${out}`)),
      FIRST_START_TIMEOUT_MS,
    );
    const check = () => {
      const m = /Demo admin created: (\S+)\s+password: (\S+)/.exec(out);
      if (m?.[1] && m[2]) {
        clearTimeout(timer);
        resolve({ email: m[1], password: m[2] });
      }
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) before it was ready:\n${out}`));
    });
  });

  const adminPrinted = Date.now() - spawnedAt;
  const origin = `http://127.0.0.1:${port}`;
  // Ready = the demo ISP is loaded (the server listens after seeding) and the database answers
  // through the HTTP stack.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(`${origin}/api/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server never became ready:\n${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  const timings = { adminPrinted, ready: Date.now() - spawnedAt };
  // In the test log, so a slow start shows up as a number before it becomes a timeout.
  console.log(
    `e2e server: demo admin printed after ${(adminPrinted / 1000).toFixed(1)} s, ready after ${(timings.ready / 1000).toFixed(1)} s`,
  );
  return {
    origin,
    timings,
    admin,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
