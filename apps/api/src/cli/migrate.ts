/** `pnpm db:migrate`: applies the committed migrations to the configured database and exits. */
import path from 'node:path';
import { createDatabase } from '@netflow/db';
import { loadConfig } from '../config';

const config = loadConfig(process.env);
const db = await createDatabase({
  url: config.databaseUrl,
  dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
});
await db.migrate();
await db.close();
process.stdout.write(`migrations applied (${db.kind})\n`);
