/**
 * The audit module's face: the writer every module uses inside its transactions, and the chain's
 * key, checkpoints and verification for start-up, the CLI and backup checks.
 */
export {
  audit,
  auditActorOf,
  auditCheckpoint,
  formatCheckpoint,
  parseCheckpoint,
  recordAudit,
  sealLegacyRows,
  useAuditKey,
  verifyAuditChain,
  withoutSecrets,
  type AuditActor,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditOutcome,
  type ChainReport,
  type VerifyOptions,
} from './chain';
export { default as auditChain, AUDIT_CHECKPOINT_INTERVAL_MS, type AuditPluginOptions } from './plugin';
