/**
 * The leads module's face: what other modules may use. `visibleLeads` is the record-level rule
 * (sales: their own plus unassigned leads) that timelines and the dashboard apply too.
 */
export { listLeads, visibleLeads, type LeadActor, type LeadReader } from './service';
export { leadsExport } from './export-route';
