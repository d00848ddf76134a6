/**
 * Shared by the command-line tools: the configured database, resolved the way `pnpm start` sees it.
 * pnpm runs package scripts inside apps/api, so a relative DATA_DIR is taken from the directory the
 * command was typed in (INIT_CWD): `pnpm db:seed --demo` at the root fills the root's `.data/`.
 */
import path from 'node:path';
import { createDatabase } from '@netflow/db';
import { loadConfig } from '../config';
import { useAuditKey } from '../modules/audit';

export async function openConfiguredDatabase() {
  const env = { ...process.env };
  if (env.INIT_CWD && !env.DATABASE_URL) env.DATA_DIR = path.resolve(env.INIT_CWD, env.DATA_DIR || '.data');
  const config = loadConfig(env);
  useAuditKey(config.auditKey);
  const db = await createDatabase({
    url: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
  });
  return { config, db };
}
