/**
 * GET /api/payments/export: the payments matching the list filters (date range, method, status …)
 * as CSV for finance and managers, newest first, with a totals row. Times in East Africa Time and
 * amounts in KES, both stated in the headers.
 */
import { paymentFilterInput, type Payment } from '@netflow/contracts';
import type { Database } from '@netflow/db';
import type { CsvExportSpec } from '../../lib/csv-export';
import { formatEat, kesAmount } from '../../lib/eat';
import { paymentPages } from './service';

/** A payment line, or the closing totals line. */
export type PaymentExportRow = { payment: Payment } | { total: { count: number; amountCents: number; reversedCount: number } };

const field =
  <K extends keyof Payment>(key: K) =>
  (row: PaymentExportRow) =>
    'payment' in row ? row.payment[key] : null;

async function* withTotals(db: Database, filters: Parameters<typeof paymentPages>[1]): AsyncIterable<PaymentExportRow[]> {
  const total = { count: 0, amountCents: 0, reversedCount: 0 };
  for await (const page of paymentPages(db, filters)) {
    for (const p of page) {
      // Reversed money was given back: listed, but not counted as received.
      if (p.status === 'reversed') total.reversedCount += 1;
      else {
        total.count += 1;
        total.amountCents += p.amountCents;
      }
    }
    yield page.map((payment) => ({ payment }));
  }
  yield [{ total }];
}

export const paymentsExport: CsvExportSpec<typeof paymentFilterInput, PaymentExportRow> = {
  path: '/payments/export',
  tag: 'payments',
  summary: 'Export payments as CSV (same filters as the list), with a totals row; times in EAT, amounts in KES',
  permission: 'payments.export',
  filters: paymentFilterInput,
  filename: 'payments',
  auditAction: 'payment.export',
  entityType: 'payment',
  columns: [
    {
      header: 'Paid at (EAT, UTC+3)',
      value: (r) =>
        'payment' in r
          ? formatEat(r.payment.paidAt)
          : `Total: ${r.total.count} payment(s)${r.total.reversedCount ? `; ${r.total.reversedCount} reversed not counted` : ''}`,
    },
    { header: 'Reference', value: field('reference') },
    { header: 'Method', value: field('method') },
    { header: 'Status', value: field('status') },
    { header: 'Amount (KES)', value: (r) => kesAmount('payment' in r ? r.payment.amountCents : r.total.amountCents) },
    { header: 'Account typed', value: field('accountReference') },
    { header: 'Customer', value: field('customerName') },
    { header: 'Account number', value: field('accountNumber') },
    { header: 'Payer name', value: field('payerName') },
    { header: 'Payer phone', value: field('payerPhone') },
    { header: 'Reversed at (EAT, UTC+3)', value: (r) => ('payment' in r ? formatEat(r.payment.reversedAt) : null) },
    { header: 'Reversal reason', value: field('reversalReason') },
    { header: 'Id', value: field('id') },
  ],
  pages: (db, _actor, filters) => withTotals(db, filters),
};
