/**
 * `pnpm db:restore FILE [--force]`: restores a backup made by `pnpm db:backup` into the configured
 * database. Refuses a target that already holds tables (or an embedded database) unless `--force`,
 * which replaces everything in it. Stop the server first.
 */
import { parseArgs } from 'node:util';
import { DataDirLockedError } from '@netflow/db';
import { ConfigError } from '../config';
import { BackupError, BackupRefused, restoreDatabase, type BackupTarget } from '../ops/backup';
import { cliPath, embeddedDataDir, loadCliConfig } from './database';

const USAGE = 'usage: pnpm db:restore FILE [--force]';

async function main(): Promise<number> {
  let values: { force?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ options: { force: { type: 'boolean' } }, allowPositionals: true }));
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  const [input, ...extra] = positionals;
  if (!input || extra.length > 0) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }

  const config = loadCliConfig();
  const target: BackupTarget = config.databaseUrl
    ? { engine: 'postgres', url: config.databaseUrl }
    : { engine: 'embedded', dataDir: embeddedDataDir(config) };
  const file = cliPath(input);
  const { header, relations } = await restoreDatabase(target, file, { force: values.force ?? false, env: process.env });
  process.stdout.write(
    `restored ${file} (${header.engine} backup of ${header.createdAt}, ${header.migrations} migrations): ${relations} tables and sequences now in the database\n` +
      'next: start the server (it applies any newer migrations) and run `pnpm --filter @netflow/api audit:verify`\n',
  );
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const known = error instanceof BackupError || error instanceof ConfigError || error instanceof DataDirLockedError;
    const verb = error instanceof BackupRefused ? 'refused' : 'failed';
    process.stderr.write(`netflow: restore ${verb}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!known && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
    process.exitCode = 1;
  },
);
