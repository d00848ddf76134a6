/** The payments module's face: what other modules (and future webhooks and jobs) may call. */
export { paymentsExport } from './export-route';
export { assignPayment, getPayment, listPayments, movePayment, normaliseAccountNumber, recordPayment, reversePayment } from './service';
