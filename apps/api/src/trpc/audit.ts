/** Audit helpers bound to a request context, so services write `audit(tx, ctx, {...})`. */
import type { Database } from '@netflow/db';
import { recordAudit, type AuditActor, type AuditEntry } from '../modules/audit/service';
import type { Context } from './context';

export function actorOf(ctx: Pick<Context, 'user' | 'ip' | 'requestId'>): AuditActor {
  return {
    actorId: ctx.user?.id ?? null,
    actorLabel: ctx.user?.email ?? null,
    ip: ctx.ip,
    requestId: ctx.requestId,
  };
}

export function audit(db: Database, ctx: Pick<Context, 'user' | 'ip' | 'requestId'>, entry: AuditEntry) {
  return recordAudit(db, actorOf(ctx), entry);
}
