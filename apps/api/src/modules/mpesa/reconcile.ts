/**
 * Reconciliation of M-Pesa payments against the statement Safaricom keeps: the M-Pesa org portal's
 * CSV export (Organisation portal → Org. Account Statement → Export, CSV). Its header row is
 *
 *   Receipt No.,Completion Time,Initiation Time,Details,Transaction Status,Paid In,Withdrawn,Balance,
 *   Balance Confirmed,Reason Type,Other Party Info,Linked Transaction ID,A/C No.
 *
 * preceded by a few lines about the account (holder, short code, period), which are skipped. Times
 * are Nairobi time ("2026-11-29 14:30:05"); amounts may carry thousands separators ("2,500.00").
 * Nothing paid may be silently lost: every completed receipt paid in must be a CRM payment with the
 * same amount and account, and every CRM M-Pesa payment of the period must be on the statement.
 */
import { parse } from 'csv-parse/sync';
import { payments, type Database } from '@netflow/db';
import { and, eq, gte, inArray, lt } from 'drizzle-orm';
import { normaliseAccountNumber } from '../payments';
import { kesToCents } from './time';

export interface StatementRow {
  receipt: string;
  completedAt: Date;
  status: string;
  paidInCents: number;
  withdrawnCents: number;
  account: string;
  otherParty: string;
  details: string;
}

export const STATEMENT_COLUMNS = {
  receipt: 'Receipt No.',
  completedAt: 'Completion Time',
  details: 'Details',
  status: 'Transaction Status',
  paidIn: 'Paid In',
  withdrawn: 'Withdrawn',
  otherParty: 'Other Party Info',
  account: 'A/C No.',
} as const;

export class StatementError extends Error {
  override name = 'StatementError';
}

const NAIROBI_OFFSET_MS = 3 * 3600 * 1000;

/** "2026-11-29 14:30:05" (or with a T, or dd/mm/yyyy hh:mm:ss) in Nairobi time → the instant. */
function parseStatementTime(text: string): Date | null {
  const [date = '', time = '', ...rest] = text.trim().split(/[ T]/);
  if (rest.length > 0) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const dmy = /^(\d{2})\/(\d{2})\/(\d{4})$/.exec(date);
  const ymd = iso ? [iso[1], iso[2], iso[3]] : dmy ? [dmy[3], dmy[2], dmy[1]] : null;
  const hms = time.split(':');
  if (!ymd || hms.length < 2 || hms.length > 3 || !hms.every((p) => /^\d{2}$/.test(p))) return null;
  const [y, mo, d, h, mi, s] = [...ymd, ...hms, '0'].map(Number) as [number, number, number, number, number, number];
  const at = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - NAIROBI_OFFSET_MS);
  return Number.isNaN(at.getTime()) ? null : at;
}

function money(text: string | undefined, line: number, column: string): number {
  const cleaned = (text ?? '').replace(/,/g, '').trim().replace(/^-/, '');
  if (cleaned === '') return 0;
  const cents = kesToCents(cleaned);
  if (cents === null) throw new StatementError(`line ${line}: "${column}" is not an amount (${text ?? ''})`);
  return cents;
}

/** Parses the statement CSV; throws StatementError naming the line of anything it cannot read. */
export function parseStatement(text: string): StatementRow[] {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const headerIndex = lines.findIndex((l) => l.replace(/^"/, '').startsWith(STATEMENT_COLUMNS.receipt));
  if (headerIndex < 0)
    throw new StatementError(`no header row starting with "${STATEMENT_COLUMNS.receipt}" (is this the org portal's CSV statement?)`);
  const records = parse<Record<string, string | undefined>>(lines.slice(headerIndex).join('\n'), {
    columns: (header: string[]) => header.map((h) => h.trim()),
    skip_empty_lines: true,
    relax_column_count: true,
    trim: true,
  });
  const header = Object.keys(records[0] ?? {});
  for (const column of [STATEMENT_COLUMNS.receipt, STATEMENT_COLUMNS.completedAt, STATEMENT_COLUMNS.status, STATEMENT_COLUMNS.paidIn]) {
    if (records.length > 0 && !header.includes(column)) throw new StatementError(`the statement has no "${column}" column`);
  }
  return records.map((r, i) => {
    const line = headerIndex + i + 2;
    const completedAt = parseStatementTime(r[STATEMENT_COLUMNS.completedAt] ?? '');
    if (!completedAt) throw new StatementError(`line ${line}: "${STATEMENT_COLUMNS.completedAt}" is not a date and time`);
    const receipt = (r[STATEMENT_COLUMNS.receipt] ?? '').toUpperCase();
    if (!receipt) throw new StatementError(`line ${line}: no receipt number`);
    return {
      receipt,
      completedAt,
      status: r[STATEMENT_COLUMNS.status] ?? '',
      paidInCents: money(r[STATEMENT_COLUMNS.paidIn], line, STATEMENT_COLUMNS.paidIn),
      withdrawnCents: money(r[STATEMENT_COLUMNS.withdrawn], line, STATEMENT_COLUMNS.withdrawn),
      account: r[STATEMENT_COLUMNS.account] ?? '',
      otherParty: r[STATEMENT_COLUMNS.otherParty] ?? '',
      details: r[STATEMENT_COLUMNS.details] ?? '',
    };
  });
}

export type Difference =
  | { kind: 'missing'; receipt: string; amountCents: number; account: string; completedAt: string; otherParty: string }
  | { kind: 'amount'; receipt: string; paymentId: string; statementCents: number; crmCents: number }
  | { kind: 'account'; receipt: string; paymentId: string; statementAccount: string; crmAccount: string | null }
  | { kind: 'not-in-statement'; reference: string; paymentId: string; amountCents: number; paidAt: string; status: string };

export interface ReconcileReport {
  from: string;
  to: string;
  statementReceipts: number;
  crmPayments: number;
  matched: number;
  differences: Difference[];
}

/** Nairobi calendar day `YYYY-MM-DD` → its first instant. */
export function nairobiDayStart(day: string): Date {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) throw new StatementError(`"${day}" is not a date (YYYY-MM-DD)`);
  const at = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) - NAIROBI_OFFSET_MS);
  // Date.UTC rolls 31 November over into December: refuse it.
  if (Number.isNaN(at.getTime()) || new Date(at.getTime() + NAIROBI_OFFSET_MS).toISOString().slice(0, 10) !== day) {
    throw new StatementError(`"${day}" is not a date (YYYY-MM-DD)`);
  }
  return at;
}

/**
 * Compares the statement's completed receipts paid in between `from` and `to` (Nairobi days,
 * inclusive) with the CRM's M-Pesa payments.
 */
export async function reconcile(db: Database, options: { from: string; to: string; rows: StatementRow[] }): Promise<ReconcileReport> {
  const start = nairobiDayStart(options.from);
  const end = new Date(nairobiDayStart(options.to).getTime() + 24 * 3600 * 1000);
  if (end <= start) throw new StatementError('--to is before --from');
  const inPeriod = (d: Date) => d >= start && d < end;
  const received = options.rows.filter((r) => inPeriod(r.completedAt) && r.paidInCents > 0 && /^completed$/i.test(r.status.trim()));
  const statementReceipts = new Set(options.rows.map((r) => r.receipt));

  const byReference = new Map<string, typeof payments.$inferSelect>();
  const refs = received.map((r) => r.receipt);
  for (let i = 0; i < refs.length; i += 500) {
    const chunk = refs.slice(i, i + 500);
    const rows = await db
      .select()
      .from(payments)
      .where(and(eq(payments.method, 'mpesa'), inArray(payments.reference, chunk)));
    for (const p of rows) byReference.set(p.reference, p);
  }

  const differences: Difference[] = [];
  let matched = 0;
  for (const r of received) {
    const p = byReference.get(r.receipt);
    if (!p) {
      differences.push({
        kind: 'missing',
        receipt: r.receipt,
        amountCents: r.paidInCents,
        account: r.account,
        completedAt: r.completedAt.toISOString(),
        otherParty: r.otherParty,
      });
      continue;
    }
    let same = true;
    if (p.amountCents !== r.paidInCents) {
      differences.push({ kind: 'amount', receipt: r.receipt, paymentId: p.id, statementCents: r.paidInCents, crmCents: p.amountCents });
      same = false;
    }
    if (r.account.trim() && normaliseAccountNumber(r.account) !== normaliseAccountNumber(p.accountReference ?? '')) {
      differences.push({
        kind: 'account',
        receipt: r.receipt,
        paymentId: p.id,
        statementAccount: r.account,
        crmAccount: p.accountReference,
      });
      same = false;
    }
    if (same) matched += 1;
  }

  const crm = await db
    .select()
    .from(payments)
    .where(and(eq(payments.method, 'mpesa'), gte(payments.paidAt, start), lt(payments.paidAt, end)));
  for (const p of crm) {
    if (!statementReceipts.has(p.reference)) {
      differences.push({
        kind: 'not-in-statement',
        reference: p.reference,
        paymentId: p.id,
        amountCents: p.amountCents,
        paidAt: p.paidAt.toISOString(),
        status: p.status,
      });
    }
  }
  return { from: options.from, to: options.to, statementReceipts: received.length, crmPayments: crm.length, matched, differences };
}

const kes = (cents: number) => `KES ${(cents / 100).toLocaleString('en-KE', { minimumFractionDigits: 2 })}`;

/** The report as lines for a terminal (one per difference, then a summary). */
export function formatReport(report: ReconcileReport): string[] {
  const lines = report.differences.map((d) => {
    switch (d.kind) {
      case 'missing':
        return `MISSING      ${d.receipt}  ${kes(d.amountCents)}  account "${d.account}"  ${d.completedAt}  ${d.otherParty}: paid, but no payment in the CRM`;
      case 'amount':
        return `AMOUNT       ${d.receipt}  statement ${kes(d.statementCents)}, CRM ${kes(d.crmCents)}  (payment ${d.paymentId})`;
      case 'account':
        return `ACCOUNT      ${d.receipt}  statement "${d.statementAccount}", CRM "${d.crmAccount ?? ''}"  (payment ${d.paymentId})`;
      case 'not-in-statement':
        return `NOT ON STATEMENT ${d.reference}  ${kes(d.amountCents)}  ${d.paidAt}  (${d.status} payment ${d.paymentId})`;
    }
  });
  lines.push(
    `${report.from}..${report.to}: ${report.statementReceipts} receipts paid in, ${report.crmPayments} CRM M-Pesa payments, ${report.matched} matched, ${report.differences.length} differences`,
  );
  return lines;
}
