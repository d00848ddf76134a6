/** The dashboard module's face: the figures, for any caller that is not a procedure (e.g. a report job). */
export { dashboardSummary, REVENUE_DAYS } from './service';
