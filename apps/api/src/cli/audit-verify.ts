/** `pnpm --filter @netflow/api audit:verify`: walks the audit chain and names the first broken row. */
import path from 'node:path';
import { createDatabase } from '@netflow/db';
import { loadConfig } from '../config';
import { verifyAuditChain } from '../modules/audit/service';

const config = loadConfig(process.env);
const db = await createDatabase({
  url: config.databaseUrl,
  dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
});
try {
  const report = await verifyAuditChain(db.db);
  if (report.ok) {
    process.stdout.write(`audit chain intact: ${report.rows} rows\n`);
  } else {
    process.stdout.write(`audit chain BROKEN at row ${report.brokenAt}: ${report.problem} (${report.rows} rows read)\n`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
