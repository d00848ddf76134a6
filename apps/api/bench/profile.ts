/**
 * `pnpm --filter @netflow/api bench:profile [path]`: a CPU profile of the built API while
 * autocannon drives one authenticated path (default /api/auth/me), then the functions with the
 * most self time, grouped by package. Where the time goes, not guesses. Needs PostgreSQL
 * (BENCH_DATABASE_URL, default the local server); the .cpuprofile is kept for Chrome DevTools.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';

const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const target = process.argv[2] ?? '/api/auth/me';
const seconds = Number(process.env.BENCH_SECONDS ?? 10);

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount: number;
}

const name = `netflow_prof_${randomBytes(4).toString('hex')}`;
const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
await admin.unsafe(`create database "${name}"`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const dir = mkdtempSync(path.join(tmpdir(), 'netflow-prof-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const email = 'profile@example.co.ke';
const password = 'Profile-Password-2026';
execFileSync('pnpm', ['run', 'build'], { cwd: apiRoot, stdio: 'ignore' });
const api = spawn(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, 'dist/main.js'], {
  cwd: apiRoot,
  env: {
    PATH: process.env.PATH ?? '',
    NODE_ENV: 'production',
    PORT: String(port),
    LOG_LEVEL: 'warn',
    DATABASE_URL: url.toString(),
    JWT_SECRET: randomBytes(48).toString('base64url'),
    AUDIT_KEY: randomBytes(48).toString('base64url'),
    APP_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
    // The bench/test accounts have no second factor; production's default (admin) would refuse them.
    MFA_REQUIRED_ROLES: '',
    SMS_PROVIDER: 'log',
    BOOTSTRAP_ADMIN_EMAIL: email,
    BOOTSTRAP_ADMIN_PASSWORD: password,
    RATE_LIMIT_GLOBAL_PER_MINUTE: '100000000',
    RATE_LIMIT_USER_PER_MINUTE: '100000000',
  },
  stdio: 'inherit',
});
const origin = `http://127.0.0.1:${port}`;
for (let i = 0; ; i += 1) {
  if (
    await fetch(`${origin}/api/health`)
      .then((r) => r.ok)
      .catch(() => false)
  )
    break;
  if (i > 600) throw new Error('API did not start');
  await new Promise((r) => setTimeout(r, 200));
}
const login = await fetch(`${origin}/api/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ identifier: email, password }),
});
const { token } = (await login.json()) as { token: string };
const result = await autocannon({
  url: `${origin}${target}`,
  connections: 32,
  duration: seconds,
  headers: { authorization: `Bearer ${token}` },
});
console.log(
  `${target}: ${result.requests.average} req/s, p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`,
);
await new Promise<void>((resolve) => {
  api.once('exit', () => resolve());
  api.kill('SIGTERM');
});
await admin.unsafe(`drop database if exists "${name}" with (force)`);
await admin.end();

const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const profile = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { nodes: Node[] };
const total = profile.nodes.reduce((n, x) => n + x.hitCount, 0);
const where = (u: string) => {
  // …/node_modules/.pnpm/<id>/node_modules/<name or @scope/name>/…
  const after = u.split('/node_modules/').at(-1);
  if (u.includes('/node_modules/') && after) {
    const parts = after.split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? 'other');
  }
  if (u.includes('/dist/')) return 'netflow (dist)';
  if (u.startsWith('node:')) return u;
  return u ? 'other' : '(native/idle)';
};
const byPackage = new Map<string, number>();
const byFunction = new Map<string, number>();
for (const n of profile.nodes) {
  const pkg = where(n.callFrame.url);
  byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + n.hitCount);
  const fn = `${n.callFrame.functionName || '(anonymous)'} ${pkg}:${n.callFrame.lineNumber + 1}`;
  byFunction.set(fn, (byFunction.get(fn) ?? 0) + n.hitCount);
}
const pct = (h: number) => `${((100 * h) / total).toFixed(1)}%`.padStart(6);
console.log(`\nself time by package (${total} samples):`);
for (const [k, v] of [...byPackage].sort((a, b) => b[1] - a[1]).slice(0, 15)) console.log(`${pct(v)}  ${k}`);
console.log('\ntop functions by self time:');
for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, 30)) console.log(`${pct(v)}  ${k}`);
console.log(`\nprofile: ${path.join(dir, file)}`);
