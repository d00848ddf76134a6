/**
 * Backup and restore on the engine under test: the embedded one by default, the PostgreSQL server
 * when TEST_DATABASE_URL is set (restores then go into scratch databases created and dropped here).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { auditLog, createDatabase, customers, payments, type DatabaseHandle } from '@netflow/db';
import { asc } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordAudit, verifyAuditChain } from '../modules/audit';
import { createHarness, TEST_SECRET, type Harness } from '../test/harness';
import {
  BACKUP_MAGIC,
  backupDatabase,
  backupEmbedded,
  BackupRefused,
  libpqEnvironment,
  openBackup,
  pruneBackups,
  resolveBackupFile,
  restoreDatabase,
  type BackupTarget,
} from './backup';

const serverUrl = process.env.TEST_DATABASE_URL;
const tools = { env: process.env };
const engine = serverUrl ? 'postgres' : 'embedded';
const scratchDatabases: string[] = [];
const work = mkdtempSync(path.join(tmpdir(), 'netflow-backup-test-'));

/** An empty restore target of the engine under test: a new server database, or a new DATA_DIR. */
async function freshTarget(): Promise<{ target: BackupTarget; env: Record<string, string> }> {
  if (!serverUrl) {
    const dataDir = mkdtempSync(path.join(work, 'data-'));
    return { target: { engine: 'embedded', dataDir: path.join(dataDir, 'pglite') }, env: { DATABASE_URL: '', DATA_DIR: dataDir } };
  }
  const name = `netflow_restore_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  scratchDatabases.push(name);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { target: { engine: 'postgres', url: url.toString() }, env: { DATABASE_URL: url.toString() } };
}

function open(target: BackupTarget): Promise<DatabaseHandle> {
  return target.engine === 'postgres'
    ? createDatabase({ url: target.url, maxConnections: 2 })
    : createDatabase({ dataDir: target.dataDir });
}

/** What the restored database must hold: every customer and payment, and the whole audit trail. */
async function contentsOf(handle: DatabaseHandle) {
  return {
    customers: await handle.db
      .select({ id: customers.id, accountNumber: customers.accountNumber, balanceCents: customers.balanceCents })
      .from(customers)
      .orderBy(asc(customers.accountNumber)),
    payments: await handle.db
      .select({ reference: payments.reference, amountCents: payments.amountCents, status: payments.status })
      .from(payments)
      .orderBy(asc(payments.reference)),
    audit: await handle.db.select({ id: auditLog.id, hash: auditLog.hash }).from(auditLog).orderBy(asc(auditLog.id)),
  };
}

let t: Harness;
let backupFile: string;
let original: Awaited<ReturnType<typeof contentsOf>>;
/** The target the restore test filled; the CLI test reuses it (restoring is the slow part). */
let restoredTarget: { target: BackupTarget; env: Record<string, string> } | undefined;

beforeAll(async () => {
  t = await createHarness();
  const admin = await t.createUser({ role: 'admin' });
  const caller = t.caller(admin);
  const amina = await caller.customers.create({ name: 'Amina Njoroge', phone: '0711222333' });
  const baraka = await caller.customers.create({ name: 'Baraka Mwangi', phone: '0711222444' });
  await caller.payments.record({ customerId: amina.id, method: 'mpesa', reference: 'SKL4QX7Z2B', amountCents: 250_000 });
  await caller.payments.record({ accountNumber: baraka.accountNumber, method: 'cash', reference: 'CASH-0001', amountCents: 100_000 });
  original = await contentsOf(t.db);
  expect(original.customers).toHaveLength(2);
  expect(original.payments).toHaveLength(2);
  expect(original.audit.length).toBeGreaterThanOrEqual(4);

  backupFile = path.join(work, `netflow-${engine}.backup`);
  const header = t.db.url
    ? await backupDatabase({ engine: 'postgres', url: t.db.url }, backupFile, tools)
    : await backupEmbedded(t.db, backupFile);
  expect(header).toMatchObject({ engine, migrations: expect.any(Number) as number });
}, 120_000);

afterAll(async () => {
  await t.close();
  if (serverUrl && scratchDatabases.length > 0) {
    const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
    try {
      for (const name of scratchDatabases) await admin.unsafe(`drop database if exists "${name}" with (force)`);
    } finally {
      await admin.end();
    }
  }
});

describe(`backup and restore (${engine})`, { timeout: 180_000 }, () => {
  it('writes one private file that names its engine', async () => {
    expect(
      readFileSync(backupFile)
        .subarray(0, BACKUP_MAGIC.length + 1)
        .toString(),
    ).toBe(`${BACKUP_MAGIC}\n`);
    const { header } = await openBackup(backupFile);
    expect(header.engine).toBe(engine);
    expect(header.format).toBe(serverUrl ? 'pg_dump-custom' : 'pglite-datadir-tar-gzip');
    expect(statSync(backupFile).mode & 0o777).toBe(0o600);
    // Never overwritten.
    await expect(
      serverUrl ? backupDatabase({ engine: 'postgres', url: t.db.url ?? '' }, backupFile, tools) : backupEmbedded(t.db, backupFile),
    ).rejects.toThrow('already exists');
  });

  it('restores into a fresh database with every row and an intact audit chain; a non-empty target needs --force', async () => {
    const fresh = await freshTarget();
    const { target } = fresh;
    const result = await restoreDatabase(target, backupFile, tools);
    expect(result.header.engine).toBe(engine);
    expect(result.relations).toBeGreaterThan(5);

    let restored = await open(target);
    try {
      expect(await contentsOf(restored)).toEqual(original);
      expect(await verifyAuditChain(restored.db)).toMatchObject({ ok: true, rows: original.audit.length });
      // Something written after the restore, which a forced restore must take away again.
      await restored.db.insert(customers).values({ accountNumber: 'NF-999999', name: 'Written later', phone: '0799000111' });
    } finally {
      await restored.close();
    }

    await expect(restoreDatabase(target, backupFile, tools)).rejects.toThrow(BackupRefused);
    await expect(restoreDatabase(target, backupFile, tools)).rejects.toThrow(/is not empty|already holds an embedded database/);
    restored = await open(target);
    try {
      expect((await contentsOf(restored)).customers).toHaveLength(3); // refused: nothing changed
    } finally {
      await restored.close();
    }

    await restoreDatabase(target, backupFile, { ...tools, force: true });
    restored = await open(target);
    try {
      expect(await contentsOf(restored)).toEqual(original);
      expect(await verifyAuditChain(restored.db)).toMatchObject({ ok: true, rows: original.audit.length });
      // New audited writes continue the restored chain.
      await recordAudit(
        restored.db,
        { actorId: null, actorLabel: 'restore-test', ip: null, requestId: null },
        { action: 'test.after-restore', entityType: 'test' },
      );
      expect(await verifyAuditChain(restored.db)).toMatchObject({ ok: true, rows: original.audit.length + 1 });
    } finally {
      await restored.close();
    }
    restoredTarget = fresh;
  });

  it("refuses a damaged file, another engine's backup and a file that is not a backup, changing nothing", async () => {
    const { target } = await freshTarget();
    const bytes = readFileSync(backupFile);

    const truncated = path.join(work, 'truncated.backup');
    writeFileSync(truncated, bytes.subarray(0, bytes.length - 10));
    await expect(restoreDatabase(target, truncated, tools)).rejects.toThrow(/damaged or incomplete .*nothing was restored/);

    const lineEnd = bytes.indexOf(0x0a, BACKUP_MAGIC.length + 1);
    const header = JSON.parse(bytes.subarray(BACKUP_MAGIC.length + 1, lineEnd).toString()) as Record<string, unknown>;
    const other =
      engine === 'postgres' ? { engine: 'embedded', format: 'pglite-datadir-tar-gzip' } : { engine: 'postgres', format: 'pg_dump-custom' };
    const foreign = path.join(work, 'foreign.backup');
    writeFileSync(
      foreign,
      Buffer.concat([Buffer.from(`${BACKUP_MAGIC}\n${JSON.stringify({ ...header, ...other })}`), bytes.subarray(lineEnd)]),
    );
    await expect(restoreDatabase(target, foreign, tools)).rejects.toThrow(
      /was made by .* but the configured database is .*restore it with the same engine/,
    );

    const notBackup = path.join(work, 'notes.txt');
    writeFileSync(notBackup, 'hello\n');
    await expect(restoreDatabase(target, notBackup, tools)).rejects.toThrow('is not a NetFlow CRM backup');

    if (target.engine === 'embedded') {
      expect(existsSync(target.dataDir)).toBe(false);
    } else {
      const handle = await open(target);
      try {
        expect(await handle.db.$count(customers).catch(() => 'no table')).toBe('no table');
      } finally {
        await handle.close();
      }
    }
  });

  it('pnpm db:backup / db:restore: a file, a one-line refusal without --force, exit codes', async () => {
    const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const run = promisify(execFile);
    let filled = restoredTarget;
    if (!filled) {
      filled = await freshTarget();
      await restoreDatabase(filled.target, backupFile, tools);
    }
    const dbEnv = filled.env;
    const env = { ...process.env, ...dbEnv, NODE_ENV: 'test', JWT_SECRET: TEST_SECRET, INIT_CWD: work };

    const made = await run(process.execPath, ['--import', 'tsx', 'src/cli/backup.ts', '--out', 'cli/'], { cwd: apiRoot, env });
    const file = /: (\S+\.backup)$/m.exec(made.stdout)?.[1] ?? '';
    expect(file.startsWith(path.join(work, 'cli', `netflow-${engine}-`))).toBe(true);
    expect((await openBackup(file)).header.engine).toBe(engine);

    const refused = await run(process.execPath, ['--import', 'tsx', 'src/cli/restore.ts', file], { cwd: apiRoot, env }).then(
      () => null,
      (error: { code: number; stderr: string }) => error,
    );
    expect(refused?.code).toBe(1);
    expect(refused?.stderr.trim().split('\n')).toHaveLength(1);
    expect(refused?.stderr).toMatch(/^netflow: restore refused: .*(is not empty|already holds).*--force/);
  });
});

describe('server engine plumbing (no server needed)', () => {
  it('passes the password to the PostgreSQL tools in their environment only, and drops inherited PG* variables', () => {
    const env = libpqEnvironment('postgres://crm%40isp:s3cr%3At@db.internal:5433/netflow?sslmode=verify-full&sslrootcert=/etc/ssl/ca.pem', {
      PATH: '/usr/bin',
      PGPASSWORD: 'inherited',
      PGHOST: 'elsewhere',
    });
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      PGHOST: 'db.internal',
      PGPORT: '5433',
      PGUSER: 'crm@isp',
      PGPASSWORD: 's3cr:t',
      PGDATABASE: 'netflow',
      PGSSLMODE: 'verify-full',
      PGSSLROOTCERT: '/etc/ssl/ca.pem',
    });
    expect(libpqEnvironment('postgres://postgres@/netflow?host=/var/run/postgresql', {})).toMatchObject({
      PGHOST: '/var/run/postgresql',
      PGUSER: 'postgres',
    });
    expect(libpqEnvironment('postgres://postgres@127.0.0.1/netflow', { PGPASSWORD: 'inherited' }).PGPASSWORD).toBeUndefined();
  });

  it('says which program is missing and how to install it', async () => {
    await expect(
      backupDatabase({ engine: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }, path.join(work, 'x.backup'), {
        env: { PATH: work },
      }),
    ).rejects.toThrow('pg_dump was not found on PATH; install the PostgreSQL client tools');
    await expect(
      restoreDatabase({ engine: 'postgres', url: 'postgres://postgres@127.0.0.1:1/none' }, backupFile, { env: { PATH: '' } }),
    ).rejects.toThrow(serverUrl ? 'pg_restore was not found on PATH' : 'was made by the embedded database');
  });

  it('keeps the newest N backups of a folder and touches no other file', () => {
    const folder = mkdtempSync(path.join(work, 'keep-'));
    const names = [
      'netflow-postgres-20260101T020000Z.backup',
      'netflow-postgres-20260103T020000Z.backup',
      'netflow-embedded-20260102T020000Z.backup',
      'notes.backup',
    ];
    for (const name of names) writeFileSync(path.join(folder, name), '');
    expect(pruneBackups(folder, 2).map((f) => path.basename(f))).toEqual(['netflow-postgres-20260101T020000Z.backup']);
    expect(existsSync(path.join(folder, 'notes.backup'))).toBe(true);
    expect(resolveBackupFile('nightly/', 'postgres', '/srv', new Date('2026-01-30T02:30:00.123Z'))).toBe(
      '/srv/nightly/netflow-postgres-20260130T023000Z.backup',
    );
    expect(resolveBackupFile('a.backup', 'embedded', '/srv')).toBe('/srv/a.backup');
  });
});
