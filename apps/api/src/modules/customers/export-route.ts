/** GET /api/customers/export: every customer matching the list filters, as CSV. */
import { customerFilterInput, type Customer } from '@netflow/contracts';
import type { CsvExportSpec } from '../../lib/csv-export';
import { customerPages } from './service';

export const customersExport: CsvExportSpec<typeof customerFilterInput, Customer> = {
  path: '/customers/export',
  tag: 'customers',
  summary: 'Export customers as CSV (same filters as the list)',
  permission: 'customers.export',
  filters: customerFilterInput,
  filename: 'customers',
  auditAction: 'customer.export',
  entityType: 'customer',
  columns: [
    { header: 'Account number', value: (c) => c.accountNumber },
    { header: 'Name', value: (c) => c.name },
    { header: 'Phone', value: (c) => c.phone },
    { header: 'E-mail', value: (c) => c.email },
    { header: 'Address', value: (c) => c.address },
    { header: 'Location', value: (c) => c.location },
    { header: 'Status', value: (c) => c.status },
    { header: 'Balance (KES cents)', value: (c) => c.balanceCents },
    { header: 'Lead id', value: (c) => c.leadId },
    { header: 'Created at', value: (c) => c.createdAt },
    { header: 'Id', value: (c) => c.id },
  ],
  pages: (db, _actor, filters) => customerPages(db, filters),
};
