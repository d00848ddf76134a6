/**
 * `pnpm db:backup [--out FILE|FOLDER/] [--keep N]`: backs up the configured database (DATABASE_URL
 * through pg_dump, or the embedded one in DATA_DIR) into one file, mode 0600. `--keep N` (with a
 * folder) then deletes all but the newest N backups there — only after this one succeeded.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DataDirLockedError } from '@netflow/db';
import { ConfigError } from '../config';
import { BackupError, backupDatabase, pruneBackups, resolveBackupFile, type BackupTarget } from '../ops/backup';
import { cliPath, embeddedDataDir, loadCliConfig } from './database';

const USAGE = 'usage: pnpm db:backup [--out FILE | --out FOLDER/] [--keep N]';

async function main(): Promise<number> {
  let values: { out?: string; keep?: string };
  try {
    ({ values } = parseArgs({ options: { out: { type: 'string' }, keep: { type: 'string' } }, allowPositionals: false }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const keep = values.keep === undefined ? undefined : Number(values.keep);
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) {
    process.stderr.write(`--keep needs a whole number of at least 1\n${USAGE}\n`);
    return 2;
  }

  const config = loadCliConfig();
  const target: BackupTarget = config.databaseUrl
    ? { engine: 'postgres', url: config.databaseUrl }
    : { engine: 'embedded', dataDir: embeddedDataDir(config) };
  const file = resolveBackupFile(values.out, target.engine, cliPath('.'));
  const header = await backupDatabase(target, file, { env: process.env });
  process.stdout.write(`backup written (${header.engine}, ${header.migrations} migrations, ${header.payloadBytes} bytes): ${file}\n`);
  if (keep !== undefined) {
    for (const removed of pruneBackups(path.dirname(file), keep)) process.stdout.write(`removed old backup ${removed}\n`);
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof BackupError || error instanceof ConfigError || error instanceof DataDirLockedError;
    process.stderr.write(`netflow: backup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
