/** The M-Pesa module's face: the webhooks plugin, the CLIs and the jobs use these. */
export {
  callbackUrls,
  confirmC2B,
  handleStkCallback,
  onStkStarted,
  queryStkPush,
  validateC2B,
  C2B_ACCEPTED,
  C2B_REJECTED,
} from './service';
export { closeMpesaClients, darajaClientFor } from './clients';
export { createDarajaClient, DarajaError, stkPassword, type DarajaClient, type DarajaSettings } from './daraja';
export { postgresTokenStore, redisTokenStore, tokenKey, type TokenStore } from './token-store';
export { darajaTimestamp, kesToCents, parseDarajaTime } from './time';
export { formatReport, parseStatement, reconcile, StatementError, type ReconcileReport } from './reconcile';
export { registerC2BUrls } from './register';
export { NEVER_CONFIRMED, STK_QUERY_DELAY_SECONDS, stkQueryJob, wireMpesa } from './jobs';
