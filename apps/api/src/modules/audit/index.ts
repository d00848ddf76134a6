/** The audit module's face: what other modules may use (the writer; the chain checks for the CLI). */
export {
  audit,
  auditActorOf,
  recordAudit,
  verifyAuditChain,
  withoutSecrets,
  type AuditActor,
  type AuditEntry,
  type AuditOutcome,
} from './service';
