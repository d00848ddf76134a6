/**
 * The files in deploy/ checked with the real tools, on temporary copies whose machine paths point
 * into a temp folder: systemd-analyze verify, nginx -t and a live nginx in front of a stand-in API,
 * nft -c, logrotate -d and a forced rotation. A tool that is not installed skips its part, saying so.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { BODY_LIMIT_BYTES } from '../server';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const deploy = (...parts: string[]) => path.join(repoRoot, 'deploy', ...parts);
const read = (...parts: string[]) => readFileSync(deploy(...parts), 'utf8');

/** The absolute path of an installed program, or null. */
function tool(name: string): string | null {
  for (const folder of ['/usr/sbin', '/usr/bin', '/sbin', '/bin', ...(process.env.PATH ?? '').split(path.delimiter)]) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
const missing = (name: string) =>
  `${name} is not installed here (Debian: apt-get install ${name === 'systemd-analyze' ? 'systemd' : name}): skipped`;

const systemdAnalyze = tool('systemd-analyze');
const nginx = tool('nginx');
const openssl = tool('openssl');
const nft = tool('nft');
const logrotate = tool('logrotate');

function runTool(file: string, args: string[], options: { cwd?: string } = {}) {
  return run(file, args, options).then(
    ({ stdout, stderr }) => ({ code: 0, output: `${stdout}${stderr}` }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      code: error.code ?? 1,
      output: `${error.stdout ?? ''}${error.stderr ?? ''}`,
    }),
  );
}

/** The production env example with its CHANGE-ME secrets filled in. */
function productionEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of read('netflow-crm.env.example').split('\n')) {
    const match = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (match?.[1]) env[match[1]] = (match[2] ?? '').replaceAll('CHANGE-ME', () => randomBytes(36).toString('base64url'));
  }
  return env;
}

describe('the production env example', () => {
  it('is a valid production configuration that matches the nginx site and the units', () => {
    const env = productionEnv();
    const config = loadConfig(env);
    expect(config.env).toBe('production');
    expect(config.trustProxy).toEqual(['127.0.0.1']);
    expect(config.host).toBe('127.0.0.1');
    expect(config.dataDir).toBe('/var/lib/netflow-crm');
    expect(config.demoData).toBe('off');

    const site = read('nginx', 'netflow-crm.conf');
    expect(site).toContain(`server 127.0.0.1:${config.port};`);
    expect(site).toContain(`client_max_body_size ${BODY_LIMIT_BYTES / 1024 / 1024}m;`);
    expect(read('nftables', 'netflow-crm.nft')).toContain(`tcp dport ${config.port} drop`);

    const unit = read('systemd', 'netflow-crm.service');
    expect(unit).toContain(`ReadWritePaths=${config.dataDir}`);
    expect(unit).toContain('EnvironmentFile=/etc/netflow-crm/env');
    // The units start what the build produces (build.mjs bundles src/main.ts and src/cli/*.ts).
    expect(unit).toContain('ExecStart=/usr/bin/node apps/api/dist/main.js');
    expect(read('systemd', 'netflow-crm-backup.service')).toContain(
      'ExecStart=/usr/bin/node apps/api/dist/cli/backup.js --out /var/backups/netflow-crm/ --keep',
    );
    expect(existsSync(path.join(repoRoot, 'apps/api/src/cli/backup.ts'))).toBe(true);
  });
});

describe(systemdAnalyze ? 'systemd units (systemd-analyze verify)' : `systemd units: ${missing('systemd-analyze')}`, () => {
  const units = ['netflow-crm.service', 'netflow-crm-backup.service', 'netflow-crm-backup.timer'];

  /** Copies the units into a temp folder, with the node binary of this machine, and verifies them. */
  async function verify(edit: (name: string, text: string) => string = (_n, t) => t) {
    const dir = mkdtempSync(path.join(tmpdir(), 'netflow-units-'));
    for (const name of units) {
      writeFileSync(path.join(dir, name), edit(name, read('systemd', name).replaceAll('/usr/bin/node ', `${process.execPath} `)));
    }
    const result = await runTool(
      systemdAnalyze ?? '',
      ['verify', '--man=no', '--recursive-errors=no', ...units.map((u) => path.join(dir, u))],
      { cwd: dir },
    );
    // Only what it says about our files counts; the host's own units are not ours to judge.
    const ours = result.output.split('\n').filter((line) => units.some((u) => line.includes(u)));
    return { ...result, ours };
  }

  it.skipIf(!systemdAnalyze)('verifies without a complaint about the units', async () => {
    const { code, ours, output } = await verify();
    expect(ours, output).toEqual([]);
    expect(code, output).toBe(0);
  });

  it.skipIf(!systemdAnalyze)('would catch a misspelt or wrong directive (the check is real)', async () => {
    const { ours } = await verify((name, text) =>
      name === 'netflow-crm.service'
        ? text.replace('ProtectHome=yes', 'ProtectHom=yes').replace('ProtectSystem=strict', 'ProtectSystem=strictest')
        : text,
    );
    expect(ours.join('\n')).toMatch(/Unknown key.*ProtectHom/);
    expect(ours.join('\n')).toMatch(/protect system value.*strictest/i);
  });

  it('carries the hardening the guide promises', () => {
    const unit = read('systemd', 'netflow-crm.service');
    for (const line of [
      'User=netflow-crm',
      'ProtectSystem=strict',
      'ProtectHome=yes',
      'PrivateTmp=yes',
      'NoNewPrivileges=yes',
      'CapabilityBoundingSet=\n',
      'SystemCallFilter=@system-service',
      'Restart=on-failure',
      'KillSignal=SIGTERM',
      'TimeoutStopSec=30s',
    ]) {
      expect(unit).toContain(line);
    }
    expect(read('systemd', 'netflow-crm-backup.timer')).toMatch(/OnCalendar=\*-\*-\* 02:30:00[\s\S]*Persistent=true/);
  });
});

describe(nginx && openssl ? 'nginx site' : `nginx site: ${missing(nginx ? 'openssl' : 'nginx')}`, () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'netflow-nginx-'));
  let upstream: Server | undefined;
  let server: ChildProcess | undefined;
  const seen: { url: string; headers: IncomingHttpHeaders }[] = [];
  let ports = { http: 0, https: 0, upstream: 0 };

  async function freePort(): Promise<number> {
    const probe = createNetServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    return port;
  }

  /** The site with this machine's paths; `live` also moves it onto free loopback ports. */
  function site(live: boolean): string {
    let text = read('nginx', 'netflow-crm.conf')
      .replaceAll('/etc/letsencrypt/live/crm.example.net', dir)
      .replaceAll('/var/log/nginx', dir)
      .replaceAll('/var/www/letsencrypt', path.join(dir, 'www'));
    if (live) {
      text = text
        .replace(/^\s*listen \[::\]:.*$/gm, '')
        .replace(/listen 80;/, `listen 127.0.0.1:${ports.http};`)
        .replace(/listen 443 ssl http2;/, `listen 127.0.0.1:${ports.https} ssl http2;`)
        .replace('server 127.0.0.1:9000;', `server 127.0.0.1:${ports.upstream};`);
    }
    return text;
  }

  /** A minimal nginx.conf around the site; the live one logs to stderr, where its start shows. */
  function writeConfig(name: string, siteText: string): string {
    writeFileSync(path.join(dir, `${name}.site.conf`), siteText);
    const temp = (k: string) => path.join(dir, `tmp-${k}`);
    const conf = path.join(dir, `${name}.nginx.conf`);
    writeFileSync(
      conf,
      `error_log ${name === 'live' ? 'stderr notice' : `${dir}/error.log`};\npid ${dir}/${name}.pid;\nevents {}\nhttp {\n  access_log ${dir}/default.access.log;\n` +
        ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${temp(k)};\n`).join('') +
        `  include ${dir}/${name}.site.conf;\n}\n`,
    );
    return conf;
  }

  beforeAll(async () => {
    if (!nginx || !openssl) return;
    // nginx's workers run as an unprivileged user when the tests run as root.
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'www'));
    await run(openssl, [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=crm.example.net',
      '-keyout',
      path.join(dir, 'privkey.pem'),
      '-out',
      path.join(dir, 'fullchain.pem'),
    ]);
  });

  afterAll(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGKILL');
      await new Promise((resolve) => server?.once('exit', resolve));
    }
    await new Promise((resolve) => (upstream ? upstream.close(resolve) : resolve(undefined)));
  });

  it.skipIf(!nginx || !openssl)('passes nginx -t, and nginx -t fails on a broken copy', async () => {
    const good = await runTool(nginx ?? '', ['-t', '-p', dir, '-c', writeConfig('check', site(false))]);
    expect(good.output).toContain('test is successful');
    expect(good.output).not.toMatch(/\[(emerg|alert|crit|error)\]/);
    expect(good.code).toBe(0);
    const broken = await runTool(nginx ?? '', [
      '-t',
      '-p',
      dir,
      '-c',
      writeConfig('broken', site(false).replace('client_max_body_size 1m;', 'client_max_body_size 1m')),
    ]);
    expect(broken.code).not.toBe(0);
  });

  it.skipIf(!nginx || !openssl)(
    'in front of a stand-in API: redirects, one HSTS header, its own client address, 413, 429, no token in the log',
    async () => {
      ports = { http: await freePort(), https: await freePort(), upstream: await freePort() };
      upstream = createServer((req, res) => {
        seen.push({ url: req.url ?? '', headers: req.headers });
        req.resume();
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'application/json', 'strict-transport-security': 'max-age=1', 'x-request-id': 'rid-1' });
          res.end('{"ok":true}');
        });
      });
      await new Promise<void>((resolve) => upstream?.listen(ports.upstream, '127.0.0.1', resolve));
      const conf = writeConfig('live', site(true));
      const started = spawn(nginx ?? '', ['-p', dir, '-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] });
      server = started;
      type Answer = { status: number; headers: IncomingHttpHeaders; body: string };
      const ask = (
        scheme: 'http' | 'https',
        urlPath: string,
        options: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
      ) =>
        new Promise<Answer>((resolve, reject) => {
          const send = scheme === 'https' ? httpsRequest : httpRequest;
          const req = send(
            {
              host: '127.0.0.1',
              port: scheme === 'https' ? ports.https : ports.http,
              path: urlPath,
              method: options.method ?? 'GET',
              headers: { host: 'crm.example.net', ...options.headers },
              ...(scheme === 'https' ? { rejectUnauthorized: false, servername: 'crm.example.net' } : {}),
              agent: false,
            },
            (res) => {
              let body = '';
              res.on('data', (c: Buffer) => (body += c.toString()));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
            },
          );
          req.on('error', reject);
          req.end(options.body);
        });

      let stderr = '';
      // The master logs "start worker process" once its sockets are bound.
      await new Promise<void>((resolve, reject) => {
        started.stderr?.on('data', (c: Buffer) => {
          stderr += c.toString();
          if (stderr.includes('start worker process')) resolve();
        });
        started.once('exit', () => reject(new Error(`nginx exited: ${stderr}`)));
      });

      const first = await ask('http', '/api/health?x=1');
      expect(first?.status).toBe(301);
      expect(first?.headers.location).toBe('https://crm.example.net/api/health?x=1');
      expect((await ask('http', '/.well-known/acme-challenge/missing')).status).toBe(404);

      const health = await ask('https', '/api/health', { headers: { 'x-forwarded-for': '6.6.6.6' } });
      expect(health.status).toBe(200);
      expect(health.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
      expect(health.headers.server).toBe('nginx');
      const proxied = seen.find((s) => s.url === '/api/health');
      expect(proxied?.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect(proxied?.headers['x-forwarded-proto']).toBe('https');
      expect(proxied?.headers.host).toBe('crm.example.net');

      const before = seen.length;
      const tooBig = await ask('https', '/api/leads', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.alloc(BODY_LIMIT_BYTES + 1, 0x20),
      });
      expect(tooBig.status).toBe(413);
      expect((await ask('https', '/metrics')).status).toBe(404);
      expect(seen.length).toBe(before);

      // Sign-in: one request plus a burst of 10 per address, then 429 — on REST and tRPC alike.
      const statuses: number[] = [];
      for (let i = 0; i < 13; i += 1)
        statuses.push((await ask('https', '/api/auth/login', { method: 'POST', body: Buffer.from('{}') })).status);
      expect(statuses.slice(0, 10)).toEqual(Array<number>(10).fill(200));
      expect(statuses.at(-1)).toBe(429);
      expect((await ask('https', '/trpc/users.list,auth.login?batch=1', { method: 'POST', body: Buffer.from('{}') })).status).toBe(429);
      expect((await ask('https', '/trpc/users.list?batch=1')).status).toBe(200);

      const hook = await ask('https', '/api/hooks/c2b/SECRET-hook-token-123/confirmation', { method: 'POST', body: Buffer.from('{}') });
      expect(hook.status).toBe(200);

      // Stop gracefully so every access-log line is written, then read it.
      started.kill('SIGQUIT');
      await new Promise((resolve) => started.once('exit', resolve));
      const log = readFileSync(path.join(dir, 'netflow-crm.access.log'), 'utf8');
      expect(log).toContain('"POST /api/hooks/c2b/[token]/confirmation" 200');
      expect(log).toContain('rid=rid-1');
      expect(log).not.toContain('SECRET-hook-token-123');
      expect(log).not.toContain('x=1');
    },
  );
});

describe(nft ? 'nftables rules (nft -c)' : `nftables rules: ${missing('nftables')}`, () => {
  it.skipIf(!nft)('parse, and open only 22, 80 and 443 to the network', async (ctx) => {
    const result = await runTool(nft ?? '', ['-c', '-f', deploy('nftables', 'netflow-crm.nft')]);
    if (/Operation not permitted/.test(result.output)) ctx.skip(); // needs CAP_NET_ADMIN even to check
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
    const rules = read('nftables', 'netflow-crm.nft');
    expect(rules).toContain('policy drop;');
    const opened = [...rules.matchAll(/^\s*tcp dport (.+) accept$/gm)].map((m) => m[1]);
    expect(opened).toEqual(['22', '{ 80, 443 }']);
  });
});

describe(logrotate ? 'log rotation (logrotate)' : `log rotation: ${missing('logrotate')}`, () => {
  it.skipIf(!logrotate)('parses, and a forced rotation keeps the log file in place, copied and emptied', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'netflow-logrotate-'));
    mkdirSync(path.join(dir, 'logs'));
    writeFileSync(path.join(dir, 'logs', 'app.log'), '{"msg":"hello"}\n');
    const { username } = userInfo();
    const group = (await run('id', ['-gn'])).stdout.trim();
    const config = path.join(dir, 'netflow-crm');
    writeFileSync(
      config,
      read('logrotate', 'netflow-crm')
        .replaceAll('/var/log/netflow-crm', path.join(dir, 'logs'))
        .replace('su netflow-crm adm', `su ${username} ${group}`),
    );

    const dry = await runTool(logrotate ?? '', ['-d', '-s', path.join(dir, 'state'), config]);
    expect(dry.output).not.toMatch(/^error:/m);
    expect(dry.output).toContain('Handling 1 logs');

    const forced = await runTool(logrotate ?? '', ['-f', '-s', path.join(dir, 'state'), config]);
    expect(forced.output).not.toMatch(/^error:/m);
    expect(readFileSync(path.join(dir, 'logs', 'app.log'), 'utf8')).toBe('');
    const rotated = readdirSync(path.join(dir, 'logs')).filter((f) => f.startsWith('app.log-'));
    expect(rotated).toHaveLength(1);
    expect(readFileSync(path.join(dir, 'logs', rotated[0] ?? ''), 'utf8')).toContain('hello');
  });
});
