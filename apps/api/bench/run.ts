/**
 * `pnpm bench`: the project's performance record. Against PostgreSQL (BENCH_DATABASE_URL, default
 * the local server) it seeds ISP scale into a fresh database, starts the built API and a bare
 * Fastify + postgres.js baseline in their own processes, drives them with autocannon on loopback,
 * and prints one table of ratios measured side by side in the same run (variants alternate round
 * by round, so background load hits them alike). Writes JSON with machine facts to
 * bench/results/ and the table to docs/PERFORMANCE.md with the commit measured.
 *
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench
 *   BENCH_SCALE=0.1 BENCH_SECONDS=3 pnpm bench     # a quick run (10,000 leads, 3 s rounds)
 *
 * The query-level benchmarks (trigram indexes, keyset pages, argon2) are `pnpm bench:queries`.
 */
import autocannon from 'autocannon';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { leadListInput } from '@netflow/contracts';
import { createDatabase } from '@netflow/db';
import * as schema from '@netflow/db';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { listLeads } from '../src/modules/leads';
import { BENCH_PASSWORD, seed } from './seed';

const here = path.dirname(fileURLToPath(import.meta.url));
const apiRoot = path.resolve(here, '..');
const repoRoot = path.resolve(apiRoot, '../..');
const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCALE = Number(process.env.BENCH_SCALE ?? 1);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 32;
const C2B_TOKEN = randomBytes(24).toString('hex');
const scale = { leads: Math.round(100_000 * SCALE), customers: Math.round(20_000 * SCALE), payments: Math.round(200_000 * SCALE) };

interface Measured {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? Number.NaN;

function waitForLine(child: ChildProcess, pattern: RegExp, what: string, timeoutMs = 120_000): Promise<RegExpExecArray> {
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: no ${pattern} within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const match = pattern.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}):\n${out}`)));
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function untilHealthy(url: string, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await fetch(url)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not healthy within ${timeoutMs} ms`);
}

async function cannon(name: string, opts: autocannon.Options): Promise<Measured> {
  const result = await autocannon({ connections: CONNECTIONS, duration: SECONDS, ...opts });
  return {
    name,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}

/** Runs each variant once per round, alternating, and keeps the median of each figure. */
async function sideBySide(variants: Array<{ name: string; opts: autocannon.Options }>): Promise<Measured[]> {
  const runs = new Map<string, Measured[]>(variants.map((v) => [v.name, []]));
  for (const v of variants) await cannon(v.name, { ...v.opts, duration: 1 }); // warm-up
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const v of round % 2 === 0 ? variants : [...variants].reverse()) runs.get(v.name)?.push(await cannon(v.name, v.opts));
  }
  return variants.map((v) => {
    const all = runs.get(v.name) ?? [];
    return {
      name: v.name,
      rps: median(all.map((m) => m.rps)),
      p50: median(all.map((m) => m.p50)),
      p99: median(all.map((m) => m.p99)),
      errors: all.reduce((n, m) => n + m.errors, 0),
      non2xx: all.reduce((n, m) => n + m.non2xx, 0),
    };
  });
}

/** Latency of one request at a time, `n` times: p50 and p95 in ms. */
async function latency(url: string, headers: Record<string, string>, n = 200): Promise<{ p50: number; p95: number }> {
  const times: number[] = [];
  for (let i = 0; i < n + 10; i += 1) {
    const started = performance.now();
    const res = await fetch(url, { headers });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`${url}: ${res.status}`);
    if (i >= 10) times.push(performance.now() - started);
  }
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) };
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) * 1024;
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: repoRoot }).toString().trim();
  } catch {
    return 'unknown';
  }
}

async function main() {
  const facts = {
    commit: git(['rev-parse', '--short', 'HEAD']),
    dirty: git(['status', '--porcelain']).length > 0,
    date: new Date().toISOString(),
    node: process.version,
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(' '),
    scale,
    seconds: SECONDS,
    rounds: ROUNDS,
    connections: CONNECTIONS,
  };
  console.log(
    `NetFlow CRM bench at ${facts.commit}${facts.dirty ? ' (uncommitted changes)' : ''}: ${JSON.stringify(scale)}, ${ROUNDS} rounds of ${SECONDS} s`,
  );

  const name = `netflow_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const dbUrl = url.toString();
  const children: ChildProcess[] = [];
  const stopAll = () => {
    for (const child of children) child.kill('SIGTERM');
  };
  process.on('exit', stopAll);
  try {
    const handle = await createDatabase({ url: dbUrl, maxConnections: 4 });
    await handle.migrate();
    const seedStarted = performance.now();
    const staff = await seed(handle.db, scale);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    console.log(`seeded in ${seedSeconds.toFixed(1)} s`);

    // The SQL leads.list sends, captured from Drizzle itself: the baseline runs exactly this.
    const captured: { query: string; params: unknown[] }[] = [];
    const client = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const logged = drizzle({
      client,
      schema,
      casing: 'snake_case',
      logger: { logQuery: (query, params) => captured.push({ query, params }) },
    });
    const listInput = leadListInput.parse({ status: 'new', limit: 50 });
    await listLeads(
      logged,
      { user: { id: staff.admin.id, name: 'Bench admin', email: staff.admin.email, role: 'admin' }, scope: 'all' },
      listInput,
    );
    const leadsSql = captured.at(-1)?.query;
    if (!leadsSql) throw new Error('could not capture the leads.list SQL');
    // Whether the planner uses the trigram index for each search fragment.
    const plans: Record<string, string> = {};
    for (const term of ['wekesa', '0712']) {
      captured.length = 0;
      await listLeads(
        logged,
        { user: { id: staff.admin.id, name: 'a', email: staff.admin.email, role: 'admin' }, scope: 'all' },
        leadListInput.parse({ search: term, limit: 50 }),
      );
      const last = captured.at(-1);
      if (!last) throw new Error('could not capture the search SQL');
      // The captured statement under EXPLAIN ANALYZE, with the parameters leads.list bound.
      const explained = await client.unsafe<{ 'QUERY PLAN': string }[]>(`explain analyze ${last.query}`, last.params as never[]);
      plans[term] = explained.map((r) => r['QUERY PLAN']).join('\n');
    }
    await client.end();
    await handle.close();

    execFileSync('pnpm', ['--filter', '@netflow/api', 'run', 'build'], { cwd: repoRoot, stdio: 'ignore' });
    const apiPort = await freePort();
    const api = spawn(process.execPath, [path.join(apiRoot, 'dist/main.js')], {
      cwd: apiRoot,
      env: {
        PATH: process.env.PATH ?? '',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(apiPort),
        // Production's level would log each request; the bench measures the work, not the log.
        LOG_LEVEL: 'warn',
        DATABASE_URL: dbUrl,
        JWT_SECRET: randomBytes(48).toString('base64url'),
        AUDIT_KEY: randomBytes(48).toString('base64url'),
        APP_ENCRYPTION_KEY: randomBytes(48).toString('base64url'),
        // The bench/test accounts have no second factor; production's default (admin) would refuse them.
        MFA_REQUIRED_ROLES: '',
        SMS_PROVIDER: 'log',
        RATE_LIMIT_GLOBAL_PER_MINUTE: '100000000',
        RATE_LIMIT_AUTH_PER_MINUTE: '100000000',
        RATE_LIMIT_USER_PER_MINUTE: '100000000',
        LOGIN_ACCOUNT_FAILURES_PER_HOUR: '10000',
        LOGIN_LOCKOUT_THRESHOLD: '100',
        DEMO_DATA: 'off',
        JOBS: 'off',
        // M-Pesa configured so its confirmation webhook exists (a confirmation never calls Daraja).
        MPESA_CONSUMER_KEY: 'bench-key',
        MPESA_CONSUMER_SECRET: 'bench-secret',
        MPESA_SHORTCODE: '600000',
        MPESA_PASSKEY: 'bench-passkey',
        MPESA_CALLBACK_TOKEN: C2B_TOKEN,
        MPESA_PUBLIC_URL: 'https://crm.bench.invalid',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(api);
    const exited = new Promise<never>((_, reject) => api.once('exit', (code) => reject(new Error(`the API exited (${code})`))));
    await Promise.race([untilHealthy(`http://127.0.0.1:${apiPort}/api/health`), exited]);
    const bare = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'bare-server.ts')], {
      cwd: apiRoot,
      env: { PATH: process.env.PATH ?? '', BENCH_DATABASE_URL: dbUrl, BENCH_LEADS_SQL: leadsSql },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(bare);
    const barePort = (await waitForLine(bare, /bare listening (\d+)/, 'bare server'))[1];
    const apiOrigin = `http://127.0.0.1:${apiPort}`;
    const bareOrigin = `http://127.0.0.1:${barePort}`;
    let peakRss = rssOf(api.pid ?? 0);
    const rssTimer = setInterval(() => (peakRss = Math.max(peakRss, rssOf(api.pid ?? 0))), 250);

    const login = await fetch(`${apiOrigin}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identifier: staff.admin.email, password: BENCH_PASSWORD }),
    });
    const { token } = (await login.json()) as { token: string };
    const bearer = { authorization: `Bearer ${token}` };
    const trpcInput = encodeURIComponent(JSON.stringify(listInput));

    console.log('a. leads.list (tRPC, REST) against the bare route …');
    const list = await sideBySide([
      { name: 'bare Fastify + postgres.js', opts: { url: `${bareOrigin}/leads?status=new&limit=50` } },
      { name: 'leads.list over tRPC', opts: { url: `${apiOrigin}/trpc/leads.list?input=${trpcInput}`, headers: bearer } },
      { name: 'leads.list over REST', opts: { url: `${apiOrigin}/api/leads?status=new&limit=50`, headers: bearer } },
    ]);
    console.log('b. auth.me against /api/health …');
    const auth = await sideBySide([
      { name: 'GET /api/health', opts: { url: `${apiOrigin}/api/health` } },
      { name: 'GET /api/auth/me (bearer)', opts: { url: `${apiOrigin}/api/auth/me`, headers: bearer } },
    ]);
    console.log('c. lead search …');
    const searchName = await latency(`${apiOrigin}/api/leads?search=wekesa&limit=50`, bearer);
    const searchPhone = await latency(`${apiOrigin}/api/leads?search=0712&limit=50`, bearer);

    console.log('e. C2B confirmations with duplicates …');
    // One in four bodies repeats an earlier TransID (Safaricom retries): answered Accepted, recorded once.
    let c2bSent = 0;
    const c2bUnique = new Set<string>();
    const c2b = await autocannon({
      url: `${apiOrigin}/api/hooks/c2b/${C2B_TOKEN}/confirmation`,
      connections: CONNECTIONS,
      duration: SECONDS,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req) => {
            c2bSent += 1;
            const n = c2bSent % 4 === 0 ? Math.max(1, c2bSent - 3) : c2bSent;
            const transId = `C2B${String(n).padStart(7, '0')}`;
            c2bUnique.add(transId);
            const account = `NF-${String(1 + (n % scale.customers)).padStart(6, '0')}`;
            const body = {
              TransactionType: 'Pay Bill',
              TransID: transId,
              TransTime: '20261130101500',
              TransAmount: '2500.00',
              BusinessShortCode: '600000',
              BillRefNumber: account,
              InvoiceNumber: '',
              OrgAccountBalance: '0.00',
              ThirdPartyTransID: '',
              MSISDN: '2547 ***** 126',
              FirstName: 'Bench',
              MiddleName: '',
              LastName: 'Payer',
            };
            return { ...req, body: JSON.stringify(body) };
          },
        },
      ],
    });
    // Let the confirmations still in flight when autocannon stopped finish before counting.
    await new Promise((r) => setTimeout(r, 2000));
    const checkDb = postgres(dbUrl, { max: 1, onnotice: () => {} });
    const [{ recorded } = { recorded: -1 }] = await checkDb<
      { recorded: number }[]
    >`select count(*)::int as recorded from payments where reference like 'C2B%'`;
    await checkDb.end();
    // Requests still in flight when autocannon stopped may have sent a TransID it counted but the
    // server never finished; the check is "never more than one payment per TransID".
    const c2bDuplicatesRecorded = Math.max(0, recorded - c2bUnique.size);

    console.log('d. sign-in flood with a health probe …');
    const probeTimes: number[] = [];
    let flooding = true;
    const probe = (async () => {
      while (flooding) {
        const started = performance.now();
        const res = await fetch(`${apiOrigin}/api/health`);
        await res.arrayBuffer();
        probeTimes.push(performance.now() - started);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    let n = 0;
    const flood = await autocannon({
      url: `${apiOrigin}/api/auth/login`,
      connections: 100,
      duration: Math.max(SECONDS, 5),
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [
        {
          setupRequest: (req) => {
            n += 1;
            // Half right passwords (the sales account), half wrong for unknown identifiers (no lockout builds up).
            const body =
              n % 2 === 0
                ? { identifier: staff.sales.email, password: BENCH_PASSWORD }
                : { identifier: `ghost-${n}@example.co.ke`, password: 'wrong-password' };
            return { ...req, body: JSON.stringify(body) };
          },
        },
      ],
    });
    flooding = false;
    await probe;
    clearInterval(rssTimer);
    peakRss = Math.max(peakRss, rssOf(api.pid ?? 0));

    let firstPaint = 'not measured (run `pnpm --filter @netflow/web build` first)';
    try {
      const out = execFileSync('node', ['apps/web/scripts/bundle-size.mjs'], { cwd: repoRoot }).toString();
      const figures = [...out.matchAll(/^(.+?): ([\d.]+) KB gzip/gm)].map((m) => `${m[1]} ${m[2]} KB`);
      if (figures.length) firstPaint = figures.join('; ');
    } catch {
      /* keep the note */
    }

    const [bareRow, health] = [list[0], auth[0]];
    if (!bareRow || !health) throw new Error('no baseline measured');
    const rows: string[][] = [];
    const fmt = (x: number, d = 0) => (Number.isFinite(x) ? x.toFixed(d) : '—');
    for (const m of list)
      rows.push([
        `a. ${m.name}`,
        fmt(m.rps),
        fmt(m.p50),
        fmt(m.p99),
        m === bareRow ? '1.00' : fmt(m.rps / bareRow.rps, 2),
        m === bareRow ? '' : '≥ 0.85',
        `${m.non2xx + m.errors}`,
      ]);
    for (const m of auth)
      rows.push([
        `b. ${m.name}`,
        fmt(m.rps),
        fmt(m.p50),
        fmt(m.p99),
        m === health ? '1.00' : fmt(m.rps / health.rps, 2),
        m === health ? '' : '≥ 0.50',
        `${m.non2xx + m.errors}`,
      ]);
    rows.push([
      `c. lead search "wekesa" (name), ${scale.leads} leads`,
      '',
      fmt(searchName.p50, 1),
      `p95 ${fmt(searchName.p95, 1)}`,
      '',
      'p95 ≤ 25 ms',
      '0',
    ]);
    rows.push([
      `c. lead search "0712" (phone), ${scale.leads} leads`,
      '',
      fmt(searchPhone.p50, 1),
      `p95 ${fmt(searchPhone.p95, 1)}`,
      '',
      'p95 ≤ 25 ms',
      '0',
    ]);
    rows.push([
      'd. sign-in flood (100 connections)',
      fmt(flood.requests.average, 1),
      fmt(flood.latency.p50),
      fmt(flood.latency.p99),
      '',
      '',
      `${flood.errors + flood.timeouts}`,
    ]);
    rows.push([
      'd. /api/health probe during the flood',
      '',
      fmt(quantile(probeTimes, 0.5), 1),
      fmt(quantile(probeTimes, 0.99), 1),
      '',
      'p99 ≤ 50 ms',
      '0',
    ]);
    rows.push([
      'e. C2B confirmations, 1 in 4 a duplicate',
      fmt(c2b.requests.average),
      fmt(c2b.latency.p50),
      fmt(c2b.latency.p99),
      '',
      '',
      `${c2b.non2xx + c2b.errors} errors; ${recorded} payments for ${c2bUnique.size} TransIDs, ${c2bDuplicatesRecorded} recorded twice`,
    ]);
    rows.push(['f. API peak RSS under load', '', '', '', '', '≤ 250 MB', `${fmt(peakRss / 2 ** 20)} MB`]);
    rows.push(['f. web first-paint JavaScript (gzip)', '', '', '', '', '≤ 200 KB', firstPaint]);
    const header = ['measure', 'req/s', 'p50 ms', 'p99 ms', 'ratio', 'target', 'errors / value'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
    const table = [line(header), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...rows.map(line)].join('\n');
    console.log(`\n${table}\n`);
    for (const [term, plan] of Object.entries(plans)) console.log(`plan for "${term}":\n${plan}\n`);

    const results = {
      facts,
      seedSeconds,
      list,
      auth,
      search: { name: searchName, phone: searchPhone, plans },
      flood: {
        rps: flood.requests.average,
        p50: flood.latency.p50,
        p99: flood.latency.p99,
        errors: flood.errors,
        probeP50: quantile(probeTimes, 0.5),
        probeP99: quantile(probeTimes, 0.99),
      },
      peakRssBytes: peakRss,
      firstPaint,
      table,
    };
    const outDir = path.join(repoRoot, 'bench/results');
    mkdirSync(outDir, { recursive: true });
    const file = path.join(outDir, `${facts.date.slice(0, 19).replace(/[:T]/g, '-')}-${facts.commit}.json`);
    writeFileSync(file, JSON.stringify(results, null, 2) + '\n');
    const doc = path.join(repoRoot, 'docs/PERFORMANCE.md');
    const previous = (() => {
      try {
        return readFileSync(doc, 'utf8');
      } catch {
        return '';
      }
    })();
    const marker = '<!-- bench:latest -->';
    const section = `${marker}\n## Latest run: commit \`${facts.commit}\`${facts.dirty ? ' (with uncommitted changes)' : ''}, ${facts.date}\n\nNode ${facts.node}, ${facts.cpus}, ${facts.memoryGiB} GiB, load average at start ${facts.loadAverage}; ${scale.leads} leads, ${scale.customers} customers, ${scale.payments} payments; ${ROUNDS} alternating rounds of ${SECONDS} s, ${CONNECTIONS} connections (the flood 100). Raw figures: \`bench/results/${path.basename(file)}\`.\n\n${table}\n${marker}`;
    const updated = previous.includes(marker)
      ? previous.replace(new RegExp(`${marker}[\\s\\S]*${marker}`), section)
      : `${previous || '# Performance\n'}\n${section}\n`;
    writeFileSync(doc, updated);
    // The repository's own formatting, so `pnpm format:check` stays green with the record committed.
    execFileSync('pnpm', ['exec', 'prettier', '--write', doc, file], { cwd: repoRoot, stdio: 'ignore' });
    console.log(`wrote ${path.relative(repoRoot, file)} and docs/PERFORMANCE.md`);
  } finally {
    stopAll();
    await admin.unsafe(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await admin.end();
  }
}

await main();
process.exit(0);
