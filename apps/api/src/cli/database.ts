/**
 * Shared by the command-line tools: the configured database, resolved the way `pnpm start` sees it.
 * pnpm runs package scripts inside apps/api, so a relative DATA_DIR is taken from the directory the
 * command was typed in (INIT_CWD): `pnpm db:seed --demo` at the root fills the root's `.data/`.
 */
import path from 'node:path';
import { createDatabase } from '@netflow/db';
import { loadConfig, type Config } from '../config';
import { wireListeners } from '../wiring';
import { useEncryptionKeys } from '../lib/secrets';
import { useAuditKey } from '../modules/audit';

export function loadCliConfig(): Config {
  const env = { ...process.env };
  if (env.INIT_CWD && !env.DATABASE_URL) env.DATA_DIR = path.resolve(env.INIT_CWD, env.DATA_DIR || '.data');
  const config = loadConfig(env);
  // Every command signs (and checks) audit rows with the configured key.
  useAuditKey(config.auditKey);
  useEncryptionKeys(config.encryption);
  wireListeners();
  return config;
}

/** Where the embedded engine keeps its files under DATA_DIR (as main.ts opens it). */
export function embeddedDataDir(config: Config): string {
  return path.join(config.dataDir, 'pglite');
}

/** A path typed on the command line, relative to where it was typed (pnpm moves into apps/api). */
export function cliPath(file: string): string {
  return path.resolve(process.env.INIT_CWD ?? process.cwd(), file);
}

export async function openConfiguredDatabase() {
  const config = loadCliConfig();
  const db = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : embeddedDataDir(config),
  });
  return { config, db };
}
