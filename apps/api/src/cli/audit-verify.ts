/** `pnpm --filter @netflow/api audit:verify`: walks the audit chain and names the first broken row. */
import { verifyAuditChain } from '../modules/audit';
import { openConfiguredDatabase } from './database';

const { db } = await openConfiguredDatabase();
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
