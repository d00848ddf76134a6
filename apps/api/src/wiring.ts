/**
 * Connects the integrations to billing's domain events (`lib/events.ts`). Called by every process
 * entry (server, CLI, test harness) before any service runs; registering again is harmless.
 * Each integration module exports its listeners; this file is the only place that knows all of them.
 */
import { onEvent } from './lib/events';
import { noticeOnServiceChange, receiptOnPayment } from './modules/sms';

export function wireListeners(): void {
  // Integrations register here, e.g. onEvent('subscription.changed', 'provisioning', provisionOnChange).
  onEvent('payment.applied', 'sms-receipt', receiptOnPayment);
  onEvent('subscription.changed', 'sms-notice', noticeOnServiceChange);
}
