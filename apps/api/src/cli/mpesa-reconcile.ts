/**
 * `pnpm mpesa:reconcile --from 2026-11-01 --to 2026-11-30 --file statement.csv [--json]`: compares
 * the M-Pesa org portal's CSV statement with the CRM's M-Pesa payments (see
 * modules/mpesa/reconcile.ts) and lists receipts without a payment, payments whose amount or
 * account differ, and CRM payments absent from the statement. Exit 0: all agree; 1: differences;
 * 2: bad arguments or an unreadable statement.
 */
import { readFileSync } from 'node:fs';
import { formatReport, parseStatement, reconcile, StatementError } from '../modules/mpesa';
import { cliPath, openConfiguredDatabase } from './database';

const USAGE = 'usage: mpesa:reconcile --from YYYY-MM-DD --to YYYY-MM-DD --file statement.csv [--json]';

function options(args: string[]) {
  const out: { from?: string; to?: string; file?: string; json: boolean } = { json: false };
  for (let i = 0; i < args.length; i += 1) {
    const [name, inline] = (args[i] ?? '').split(/=(.*)/s, 2);
    if (name === '--json') {
      out.json = true;
      continue;
    }
    const value = inline ?? args[(i += 1)];
    if (name === '--from') out.from = value;
    else if (name === '--to') out.to = value;
    else if (name === '--file') out.file = value;
    else throw new StatementError(`unknown argument ${name ?? ''}`);
  }
  if (!out.from || !out.to || !out.file) throw new StatementError('--from, --to and --file are required');
  return { from: out.from, to: out.to, file: out.file, json: out.json };
}

let opts: ReturnType<typeof options>;
let rows: ReturnType<typeof parseStatement>;
try {
  opts = options(process.argv.slice(2));
  rows = parseStatement(readFileSync(cliPath(opts.file), 'utf8'));
} catch (error) {
  process.stderr.write(`mpesa:reconcile: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
}

const { db } = await openConfiguredDatabase();
try {
  const report = await reconcile(db.db, { from: opts.from, to: opts.to, rows });
  process.stdout.write(opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report).join('\n')}\n`);
  process.exitCode = report.differences.length > 0 ? 1 : 0;
} catch (error) {
  process.stderr.write(`mpesa:reconcile: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 2;
} finally {
  await db.close();
}
