/**
 * The SMS module's face: the listeners, job and schedule `wiring.ts` registers, the delivery-report
 * handler the hook plugin calls, and what tests and the stand-in need.
 */
export { receiptOnPayment, noticeOnServiceChange, queueReminders } from './listeners';
export { smsSendJob } from './jobs';
export { smsReminderSchedule } from './schedule';
export { recordDeliveryReport, DELIVERY_STATUSES, type DeliveryReport } from './messages';
export { sendMessage, RetryLater } from './send';
export { createSmsProvider, ProviderError, type SmsProvider } from './providers';
