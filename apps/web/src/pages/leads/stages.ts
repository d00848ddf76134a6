import type { LeadStatus } from '@netflow/contracts';

/** The pipeline stages as staff read them. */
export const STAGE_LABELS: Record<LeadStatus, string> = {
  new: 'New',
  contacted: 'Contacted',
  qualified: 'Qualified',
  won: 'Won',
  lost: 'Lost',
};

/** The forward move a card offers; qualified leads move on by conversion. */
export const NEXT_STAGE: Partial<Record<LeadStatus, LeadStatus>> = { new: 'contacted', contacted: 'qualified' };
