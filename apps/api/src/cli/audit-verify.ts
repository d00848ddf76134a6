/**
 * `pnpm --filter @netflow/api audit:verify [--checkpoint LINE]…`: walks the audit chain with the
 * configured AUDIT_KEY and names the first broken row (exit 1). Each checkpoint line (printed by
 * `audit:checkpoint` or logged by the server, stored outside the database) must still match the
 * chain: fewer rows or a different hash at its row means rows were deleted or replaced.
 */
import { isDomainError } from '../lib/errors';
import { parseCheckpoint, verifyAuditChain, type AuditCheckpoint } from '../modules/audit';
import { openConfiguredDatabase } from './database';

function checkpointsFromArgs(args: string[]): AuditCheckpoint[] {
  const lines: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === '--checkpoint') lines.push(args[(i += 1)] ?? '');
    else if (arg.startsWith('--checkpoint=')) lines.push(arg.slice('--checkpoint='.length));
    else throw new Error(`unknown argument ${arg}; usage: audit:verify [--checkpoint "<line from audit:checkpoint>"]`);
  }
  return lines.map(parseCheckpoint);
}

let checkpoints: AuditCheckpoint[];
try {
  checkpoints = checkpointsFromArgs(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`audit:verify: ${isDomainError(error) || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
}

const { db } = await openConfiguredDatabase();
try {
  const report = await verifyAuditChain(db.db, { checkpoints });
  if (report.ok) {
    const legacy = report.legacyRows > 0 ? `, ${report.legacyRows} of them unkeyed from before AUDIT_KEY` : '';
    const against = checkpoints.length > 0 ? `; matches ${checkpoints.length} checkpoint${checkpoints.length > 1 ? 's' : ''}` : '';
    process.stdout.write(`audit chain intact: ${report.rows} rows${legacy}${against}\n`);
  } else {
    process.stdout.write(`audit chain BROKEN at row ${report.brokenAt}: ${report.problem} (${report.rows} rows read)\n`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
