/** The payments module's face: what other modules (and future webhooks and jobs) may call. */
export { assignPayment, getPayment, listPayments, normaliseAccountNumber, recordPayment, reversePayment } from './service';
