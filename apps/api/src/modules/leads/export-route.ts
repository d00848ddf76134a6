/** GET /api/leads/export: every lead the caller may see that matches the list filters, as CSV. */
import { leadFilterInput, type Lead } from '@netflow/contracts';
import type { CsvExportSpec } from '../../lib/csv-export';
import { leadPages } from './service';

export const leadsExport: CsvExportSpec<typeof leadFilterInput, Lead> = {
  path: '/leads/export',
  tag: 'leads',
  summary: 'Export leads as CSV (same filters as the list)',
  permission: 'leads.export',
  filters: leadFilterInput,
  filename: 'leads',
  auditAction: 'lead.export',
  entityType: 'lead',
  columns: [
    { header: 'Name', value: (l) => l.name },
    { header: 'Phone', value: (l) => l.phone },
    { header: 'E-mail', value: (l) => l.email },
    { header: 'Address', value: (l) => l.address },
    { header: 'Location', value: (l) => l.location },
    { header: 'Source', value: (l) => l.source },
    { header: 'Plan', value: (l) => l.planName },
    { header: 'Assignee', value: (l) => l.assigneeName },
    { header: 'Status', value: (l) => l.status },
    { header: 'Lost reason', value: (l) => l.lostReason },
    { header: 'Notes', value: (l) => l.notes },
    { header: 'Converted at', value: (l) => l.convertedAt },
    { header: 'Customer id', value: (l) => l.customerId },
    { header: 'Created at', value: (l) => l.createdAt },
    { header: 'Id', value: (l) => l.id },
  ],
  pages: (db, actor, filters) => leadPages(db, actor, filters),
};
