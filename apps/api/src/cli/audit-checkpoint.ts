/**
 * `pnpm --filter @netflow/api audit:checkpoint`: prints the head of the audit chain as one line
 * (row id, row count, hash, time). Store it outside the database (a ticket, a password manager, a
 * log archive); `audit:verify --checkpoint "<line>"` later proves no row up to it was removed.
 * The chain is verified first, and the line names the head that walk ended on, so a checkpoint is
 * never taken of a broken chain.
 */
import { formatCheckpoint, verifyAuditChain } from '../modules/audit';
import { openConfiguredDatabase } from './database';

const { db } = await openConfiguredDatabase();
try {
  const report = await verifyAuditChain(db.db);
  if (!report.ok) {
    process.stderr.write(`audit chain BROKEN at row ${report.brokenAt}: ${report.problem}; no checkpoint taken\n`);
    process.exitCode = 1;
  } else {
    // The head the walk ended on: exactly the rows just verified, even while a server keeps appending.
    const head = report.head;
    if (head) process.stdout.write(`${formatCheckpoint(head)}\n`);
    else {
      process.stderr.write('the audit chain is empty; nothing to checkpoint yet\n');
      process.exitCode = 1;
    }
  }
} finally {
  await db.close();
}
