/**
 * Backups of either engine in one file format, and their restore (`pnpm db:backup`, `pnpm db:restore`).
 *
 * A backup file is two text lines and the engine's own dump:
 *   NETFLOW-CRM-BACKUP 1
 *   {"engine":"postgres","format":"pg_dump-custom","payloadSha256":"…",…}
 *   <payload>
 * PostgreSQL server: the payload is a `pg_dump --format=custom` archive (`tail -n +3 FILE` gives it
 * back for pg_restore). Embedded: PGlite's own dump of its data folder (`dumpDataDir`), gzipped.
 * The header names the engine, so a backup is only restored by the engine that made it, and carries
 * the payload's SHA-256, so a truncated or altered file is refused before the target is touched.
 *
 * Restore never merges: the target must hold no tables (or no embedded database) unless `force`,
 * which replaces everything in it. On the server the whole restore is one transaction (the target is
 * unchanged when anything fails); on the embedded engine the restored folder is built beside the
 * target and swapped in only once it opens.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import {
  accessSync,
  constants,
  createReadStream,
  createWriteStream,
  existsSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  closeSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  fsyncSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { gunzip, gzip } from 'node:zlib';
import { createDatabase, lockDataDir, queryRows, type Database, type DatabaseHandle } from '@netflow/db';
import { sql } from 'drizzle-orm';
import { z } from 'zod';

export const BACKUP_MAGIC = 'NETFLOW-CRM-BACKUP 1';
const HEADER_MAX_BYTES = 64 * 1024;

export type BackupEngine = 'postgres' | 'embedded';
export type BackupTarget = { engine: 'postgres'; url: string } | { engine: 'embedded'; dataDir: string };

const headerSchema = z.object({
  engine: z.enum(['postgres', 'embedded']),
  format: z.enum(['pg_dump-custom', 'pglite-datadir-tar-gzip']),
  createdAt: z.string(),
  serverVersion: z.string(),
  /** Migrations applied in the backed-up database (start-up applies any newer ones after a restore). */
  migrations: z.number().int().min(0),
  tool: z.string(),
  payloadBytes: z.number().int().min(0),
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type BackupHeader = z.infer<typeof headerSchema>;

/** A refusal or failure the operator can act on; the CLI prints its message as one line. */
export class BackupError extends Error {
  override name = 'BackupError';
}
/** The file or the target is not acceptable; nothing was changed. */
export class BackupRefused extends BackupError {
  override name = 'BackupRefused';
}

const ENGINE_NAME: Record<BackupEngine, string> = {
  postgres: 'the PostgreSQL server (DATABASE_URL)',
  embedded: 'the embedded database (DATA_DIR, no DATABASE_URL)',
};

// ---------------------------------------------------------------------------------------------
// Files

/** `netflow-<engine>-20260130T023000Z.backup`: sorts by time, and retention only touches these. */
const BACKUP_NAME = /^netflow-(postgres|embedded)-\d{8}T\d{6}Z\.backup$/;

export function defaultBackupName(engine: BackupEngine, now = new Date()): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return `netflow-${engine}-${stamp}.backup`;
}

/** `out` may be a file, an existing folder, or a path ending in "/" (a folder, created). */
export function resolveBackupFile(out: string | undefined, engine: BackupEngine, cwd: string, now = new Date()): string {
  if (!out) return path.join(cwd, defaultBackupName(engine, now));
  const resolved = path.resolve(cwd, out);
  const isFolder = out.endsWith('/') || (existsSync(resolved) && statSync(resolved).isDirectory());
  return isFolder ? path.join(resolved, defaultBackupName(engine, now)) : resolved;
}

/** Keeps the newest `keep` backups named like `defaultBackupName` in `folder`; returns those removed. */
export function pruneBackups(folder: string, keep: number): string[] {
  const backups = readdirSync(folder)
    .filter((name) => BACKUP_NAME.test(name))
    .map((name) => ({ file: path.join(folder, name), stamp: name.replace(/^netflow-\w+-/, '') }))
    .sort((a, b) => (a.stamp < b.stamp ? 1 : a.stamp > b.stamp ? -1 : 0));
  const removed = backups.slice(keep).map((b) => b.file);
  for (const file of removed) unlinkSync(file);
  return removed;
}

async function sha256Of(file: string, start = 0): Promise<{ hex: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(file, { start })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hex: hash.digest('hex'), bytes };
}

/**
 * Writes header + payload to `file` without ever overwriting: a partial file is completed and
 * synced first, then linked into place (refused when `file` exists), so a crash leaves no
 * half-written backup under the final name. Mode 0600: a backup holds every customer's data.
 */
async function writeBackupFile(file: string, header: BackupHeader, payload: { file: string } | { bytes: Uint8Array }): Promise<void> {
  if (existsSync(file)) throw new BackupRefused(`${file} already exists; choose another --out (backups are never overwritten)`);
  const partial = `${file}.partial-${process.pid}`;
  const fd = openSync(partial, 'wx', 0o600);
  try {
    const out = createWriteStream('', { fd, autoClose: false });
    out.write(`${BACKUP_MAGIC}\n${JSON.stringify(header)}\n`);
    if ('file' in payload) {
      await pipeline(createReadStream(payload.file), out, { end: false });
    } else {
      out.write(payload.bytes);
    }
    out.end();
    await once(out, 'finish');
    fsyncSync(fd);
    closeSync(fd);
    try {
      linkSync(partial, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new BackupRefused(`${file} already exists; choose another --out`);
      throw error;
    }
  } finally {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
    rmSync(partial, { force: true });
  }
}

export interface OpenedBackup {
  header: BackupHeader;
  /** Where the payload starts in the file. */
  payloadOffset: number;
}

/** Reads and checks a backup's header and payload checksum; refuses anything else with a reason. */
export async function openBackup(file: string): Promise<OpenedBackup> {
  if (!existsSync(file)) throw new BackupRefused(`${file} does not exist`);
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(HEADER_MAX_BYTES);
  let length: number;
  try {
    length = readSync(fd, head, 0, HEADER_MAX_BYTES, 0);
  } finally {
    closeSync(fd);
  }
  const start = head.subarray(0, length);
  if (start.subarray(0, 5).toString('latin1') === 'PGDMP') {
    throw new BackupRefused(
      `${file} is a bare pg_dump archive, not a NetFlow CRM backup; restore it with pg_restore, or make backups with pnpm db:backup`,
    );
  }
  const firstEnd = start.indexOf(0x0a);
  const secondEnd = firstEnd < 0 ? -1 : start.indexOf(0x0a, firstEnd + 1);
  if (firstEnd < 0 || start.subarray(0, firstEnd).toString('utf8') !== BACKUP_MAGIC || secondEnd < 0) {
    throw new BackupRefused(`${file} is not a NetFlow CRM backup (it does not start with "${BACKUP_MAGIC}")`);
  }
  let header: BackupHeader;
  try {
    header = headerSchema.parse(JSON.parse(start.subarray(firstEnd + 1, secondEnd).toString('utf8')));
  } catch {
    throw new BackupRefused(`${file} has a damaged header`);
  }
  const payloadOffset = secondEnd + 1;
  const { hex, bytes } = await sha256Of(file, payloadOffset);
  if (bytes !== header.payloadBytes || hex !== header.payloadSha256) {
    throw new BackupRefused(
      `${file} is damaged or incomplete (payload ${bytes} of ${header.payloadBytes} bytes, checksum ${hex === header.payloadSha256 ? 'matches' : 'differs'}); nothing was restored`,
    );
  }
  return { header, payloadOffset };
}

// ---------------------------------------------------------------------------------------------
// What a database holds

async function describe(db: Database): Promise<{ serverVersion: string; migrations: number }> {
  const [version] = await queryRows<{ v: string }>(db, sql`select current_setting('server_version') as v`);
  const [table] = await queryRows<{ t: string | null }>(db, sql`select to_regclass('drizzle.__drizzle_migrations')::text as t`);
  let migrations = 0;
  if (table?.t) {
    const [count] = await queryRows<{ n: number | string }>(db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    migrations = Number(count?.n ?? 0);
  }
  return { serverVersion: version?.v ?? 'unknown', migrations };
}

/** Tables, views and sequences outside the system schemas: "empty" means none. */
async function userRelations(db: Database): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select n.nspname || '.' || c.relname as name
          from pg_class c join pg_namespace n on n.oid = c.relnamespace
         where c.relkind in ('r', 'p', 'v', 'm', 'S', 'f')
           and n.nspname not in ('pg_catalog', 'information_schema')
           and n.nspname not like 'pg\\_%'
         order by 1`,
  );
  return rows.map((r) => r.name);
}

async function userSchemas(db: Database): Promise<string[]> {
  const rows = await queryRows<{ name: string }>(
    db,
    sql`select nspname as name from pg_namespace
         where nspname not in ('pg_catalog', 'information_schema') and nspname not like 'pg\\_%'
         order by 1`,
  );
  return rows.map((r) => r.name);
}

function nonEmptyRefusal(where: string, relations: string[]): BackupRefused {
  const sample = relations.filter((r) => !r.startsWith('drizzle.')).slice(0, 3);
  const named = sample.length > 0 ? ` (${sample.join(', ')}${relations.length > sample.length ? ', …' : ''})` : '';
  return new BackupRefused(
    `${where} is not empty: it holds ${relations.length} tables or sequences${named}; restore into an empty database, or pass --force to replace everything in it`,
  );
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL server: pg_dump / pg_restore | psql

/** The absolute path of a program on PATH, or a clear refusal. */
export function findProgram(name: string, pathVariable: string): string {
  for (const folder of pathVariable.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(folder, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new BackupError(
    `${name} was not found on PATH; install the PostgreSQL client tools of the server's major version or newer (Debian: apt-get install postgresql-client)`,
  );
}

/**
 * libpq's environment for a postgres:// URL, so the password reaches pg_dump/psql through the
 * child's environment and never appears on a command line (visible to every local user in `ps`).
 * Inherited PG* variables are dropped: the URL alone says where to connect.
 */
export function libpqEnvironment(url: string, base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  // `postgres://user@/db?host=/run/postgresql` (socket, no host name) is valid for libpq, not for URL.
  const parsed = new URL(url.replace(/@\//, '@localhost/'));
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(base).filter(([key]) => !key.startsWith('PG')));
  const socketHost = parsed.searchParams.get('host');
  const host = socketHost ?? parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host) env.PGHOST = host;
  if (parsed.port) env.PGPORT = parsed.port;
  if (parsed.username) env.PGUSER = decodeURIComponent(parsed.username);
  if (parsed.password) env.PGPASSWORD = decodeURIComponent(parsed.password);
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (database) env.PGDATABASE = database;
  const sslmode =
    parsed.searchParams.get('sslmode') ?? (['true', 'require'].includes(parsed.searchParams.get('ssl') ?? '') ? 'require' : null);
  if (sslmode) env.PGSSLMODE = sslmode;
  for (const [param, variable] of [
    ['sslrootcert', 'PGSSLROOTCERT'],
    ['sslcert', 'PGSSLCERT'],
    ['sslkey', 'PGSSLKEY'],
  ] as const) {
    const value = parsed.searchParams.get(param);
    if (value) env[variable] = value;
  }
  env.PGAPPNAME = 'netflow-backup';
  env.PGCONNECT_TIMEOUT = '10';
  return env;
}

/** The last meaningful line a tool printed on stderr (its error), for a one-line message. */
function lastLine(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.findLast((l) => /error|fatal|could not|failed/i.test(l)) ?? lines.at(-1) ?? 'no message';
}

function collect(stream: NodeJS.ReadableStream | null): () => string {
  let text = '';
  stream?.on('data', (chunk: Buffer) => {
    // Keep the tail only: errors come last and a chatty tool must not fill memory.
    text = (text + chunk.toString('utf8')).slice(-16_384);
  });
  return () => text;
}

function exitCode(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

async function withServer<T>(url: string, work: (db: Database) => Promise<T>): Promise<T> {
  const handle = await createDatabase({ url, maxConnections: 1 });
  try {
    return await work(handle.db);
  } finally {
    await handle.close();
  }
}

async function backupPostgres(url: string, file: string, processEnv: NodeJS.ProcessEnv): Promise<BackupHeader> {
  const pgDump = findProgram('pg_dump', processEnv.PATH ?? '');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const facts = await withServer(url, describe);
  const env = libpqEnvironment(url, processEnv);
  const version = await new Promise<string>((resolve) => {
    const child = spawn(pgDump, ['--version'], { env, stdio: ['ignore', 'pipe', 'ignore'] });
    const out = collect(child.stdout);
    child.on('close', () => resolve(out().trim() || 'pg_dump'));
    child.on('error', () => resolve('pg_dump'));
  });
  const workDir = mkdtempSync(path.join(path.dirname(file), '.netflow-backup-'));
  try {
    const dump = path.join(workDir, 'payload.dump');
    const child = spawn(pgDump, ['--format=custom', '--no-password', `--file=${dump}`], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    const stderr = collect(child.stderr);
    const code = await exitCode(child);
    if (code !== 0) throw new BackupError(`pg_dump failed: ${lastLine(stderr())}`);
    const { hex, bytes } = await sha256Of(dump);
    const header: BackupHeader = {
      engine: 'postgres',
      format: 'pg_dump-custom',
      createdAt: new Date().toISOString(),
      ...facts,
      tool: version,
      payloadBytes: bytes,
      payloadSha256: hex,
    };
    await writeBackupFile(file, header, { file: dump });
    return header;
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function restorePostgres(
  url: string,
  file: string,
  opened: OpenedBackup,
  force: boolean,
  processEnv: NodeJS.ProcessEnv,
): Promise<number> {
  const pgRestore = findProgram('pg_restore', processEnv.PATH ?? '');
  const psql = findProgram('psql', processEnv.PATH ?? '');
  const { relations, schemas } = await withServer(url, async (db) => ({
    relations: await userRelations(db),
    schemas: await userSchemas(db),
  }));
  const target = new URL(url).pathname.replace(/^\//, '') || 'the target database';
  if (relations.length > 0 && !force) throw nonEmptyRefusal(`database ${target}`, relations);

  // One transaction: with --force, emptying the target and loading the backup commit together, and
  // COMMIT is sent only once pg_restore has produced the whole script.
  const prelude = [
    'SET client_min_messages = warning;',
    "SET lock_timeout = '30s';",
    'BEGIN;',
    ...(force ? [...schemas.map((s) => `DROP SCHEMA IF EXISTS ${quoteIdent(s)} CASCADE;`), 'CREATE SCHEMA IF NOT EXISTS public;'] : []),
    '',
  ].join('\n');

  const env = libpqEnvironment(url, processEnv);
  // --no-owner/--no-privileges: the restored objects belong to the restoring role, whatever role made the backup.
  const restore = spawn(pgRestore, ['--format=custom', '--no-owner', '--no-privileges', '--file=-'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const apply = spawn(psql, ['--no-psqlrc', '--quiet', '--no-password', '--set=ON_ERROR_STOP=1', '--file=-'], {
    env,
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  const restoreErr = collect(restore.stderr);
  const applyErr = collect(apply.stderr);
  const restoreDone = exitCode(restore);
  const applyDone = exitCode(apply);
  // A dead psql must not leave pg_restore blocked on a full pipe (and vice versa).
  void applyDone.then(() => {
    if (restore.exitCode === null) restore.kill('SIGTERM');
  });
  apply.stdin.on('error', () => {});
  restore.stdin.on('error', () => {});

  apply.stdin.write(prelude);
  restore.stdout.pipe(apply.stdin, { end: false });
  const feed = pipeline(createReadStream(file, { start: opened.payloadOffset }), restore.stdin).catch(() => {});
  const restoreCode = await restoreDone;
  await feed;
  if (restoreCode === 0) apply.stdin.end('COMMIT;\n');
  else apply.stdin.end();
  const applyCode = await applyDone;

  if (restoreCode !== 0 && applyCode === 0)
    throw new BackupError(`pg_restore failed: ${lastLine(restoreErr())}; the target was not changed`);
  if (applyCode !== 0) throw new BackupError(`restore failed: ${lastLine(applyErr())}; the target was not changed`);
  return (await withServer(url, userRelations)).length;
}

// ---------------------------------------------------------------------------------------------
// Embedded (PGlite): its own data-folder dump

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

/** The PGlite release that wrote an embedded backup (its data folder format follows PGlite's build). */
function pgliteVersion(): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
    while (dir !== path.dirname(dir)) {
      const manifest = path.join(dir, 'package.json');
      if (existsSync(manifest)) {
        const { name, version } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string };
        if (name === '@electric-sql/pglite') return `${name} ${version ?? ''}`.trim();
      }
      dir = path.dirname(dir);
    }
  } catch {
    // unknown: the header says so
  }
  return '@electric-sql/pglite';
}

/** Backs up an open embedded database (the CLI opens it from DATA_DIR; tests pass their own). */
export async function backupEmbedded(handle: DatabaseHandle, file: string): Promise<BackupHeader> {
  if (handle.kind !== 'embedded') throw new BackupError('backupEmbedded needs an embedded database');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const facts = await describe(handle.db);
  const payload = new Uint8Array(await gzipAsync(await handle.dumpEmbedded()));
  const header: BackupHeader = {
    engine: 'embedded',
    format: 'pglite-datadir-tar-gzip',
    createdAt: new Date().toISOString(),
    ...facts,
    tool: pgliteVersion(),
    payloadBytes: payload.length,
    payloadSha256: createHash('sha256').update(payload).digest('hex'),
  };
  await writeBackupFile(file, header, { bytes: payload });
  return header;
}

function hasEmbeddedDatabase(dataDir: string): boolean {
  return existsSync(path.join(dataDir, 'PG_VERSION'));
}

async function restoreEmbedded(dataDir: string, file: string, opened: OpenedBackup, force: boolean): Promise<number> {
  const release = lockDataDir(dataDir);
  try {
    const occupied = existsSync(dataDir) && readdirSync(dataDir).length > 0;
    if (occupied && !force) {
      throw new BackupRefused(
        `${dataDir} already holds an embedded database; restore into an empty DATA_DIR, or pass --force to replace it`,
      );
    }
    const payload = (await readFile(file)).subarray(opened.payloadOffset);
    const tar = new Uint8Array(await gunzipAsync(payload));
    // Built beside the target and swapped in only once it opens: a failure leaves the target as it was.
    const staging = `${dataDir}.restoring-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    let tables: number;
    try {
      const restored = await createDatabase({ dataDir: staging, template: tar });
      try {
        tables = (await userRelations(restored.db)).length;
      } finally {
        await restored.close();
      }
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (error instanceof BackupError) throw error;
      throw new BackupError(
        `the embedded backup could not be opened (${error instanceof Error ? error.message : String(error)}); the target was not changed`,
      );
    }
    if (occupied) {
      const replaced = `${dataDir}.replaced-${process.pid}`;
      renameSync(dataDir, replaced);
      renameSync(staging, dataDir);
      rmSync(replaced, { recursive: true, force: true });
    } else {
      rmSync(dataDir, { recursive: true, force: true });
      renameSync(staging, dataDir);
    }
    return tables;
  } finally {
    release();
  }
}

// ---------------------------------------------------------------------------------------------
// Entry points

/** `env`: the process environment the PostgreSQL client tools run with (PATH; PG* variables are replaced). */
export interface ToolOptions {
  env: NodeJS.ProcessEnv;
}

export async function backupDatabase(target: BackupTarget, file: string, options: ToolOptions): Promise<BackupHeader> {
  if (target.engine === 'postgres') return backupPostgres(target.url, file, options.env);
  if (!hasEmbeddedDatabase(target.dataDir)) {
    throw new BackupError(`there is no embedded database in ${target.dataDir} (check DATA_DIR, or set DATABASE_URL for the server engine)`);
  }
  const handle = await createDatabase({ dataDir: target.dataDir });
  try {
    return await backupEmbedded(handle, file);
  } finally {
    await handle.close();
  }
}

export interface RestoreResult {
  header: BackupHeader;
  /** Tables, views and sequences in the target afterwards. */
  relations: number;
}

export async function restoreDatabase(
  target: BackupTarget,
  file: string,
  options: ToolOptions & { force?: boolean },
): Promise<RestoreResult> {
  const opened = await openBackup(file);
  if (opened.header.engine !== target.engine) {
    // Cross-engine restores are not supported: the two payloads are different physical formats.
    throw new BackupRefused(
      `${file} was made by ${ENGINE_NAME[opened.header.engine]}, but the configured database is ${ENGINE_NAME[target.engine]}; restore it with the same engine`,
    );
  }
  const force = options.force ?? false;
  const relations =
    target.engine === 'postgres'
      ? await restorePostgres(target.url, file, opened, force, options.env)
      : await restoreEmbedded(target.dataDir, file, opened, force);
  return { header: opened.header, relations };
}
