/**
 * The audit trail: append-only rows chained by SHA-256. `recordAudit` must run inside the
 * transaction of the change it describes, so the row exists exactly when the change does. Appends
 * are serialised by a transaction-scoped advisory lock, so concurrent writers cannot fork the chain.
 */
import { createHash } from 'node:crypto';
import { auditLog, type Database } from '@netflow/db';
import { asc, desc, gt, sql } from 'drizzle-orm';

export const GENESIS_HASH = '0'.repeat(64);
/** Arbitrary constant naming the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK_KEY = 7_301_990_441;

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Who did it and from where; built from the request context. */
export interface AuditActor {
  actorId: string | null;
  actorLabel: string | null;
  ip: string | null;
  requestId: string | null;
}

export interface AuditEntry {
  action: string;
  entityType: string;
  entityId?: string | null;
  outcome?: AuditOutcome;
  /** Internal detail, e.g. why a login failed. */
  reason?: string | null;
  changes?: Record<string, unknown> | null;
}

const SECRET_KEY = /pass(word)?|secret|token|hash|otp|totp/i;

/** Drops secrets from a changes object, however deeply nested. */
export function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value && typeof value === 'object' && !(value instanceof Date)) {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => !SECRET_KEY.test(key))
        .map(([key, v]) => [key, withoutSecrets(v)]),
    );
  }
  return value;
}

/** JSON with object keys sorted at every depth, so a row hashes the same after a jsonb round trip. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface HashedFields {
  at: Date;
  actorId: string | null;
  actorLabel: string | null;
  ip: string | null;
  requestId: string | null;
  action: string;
  entityType: string;
  entityId: string | null;
  outcome: AuditOutcome;
  reason: string | null;
  changes: Record<string, unknown> | null;
}

export function rowHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

export async function recordAudit(db: Database, actor: AuditActor, entry: AuditEntry): Promise<void> {
  // A savepoint when already in a transaction; the advisory lock then lasts until the outer commit.
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const [last] = await tx.select({ hash: auditLog.hash }).from(auditLog).orderBy(desc(auditLog.id)).limit(1);
    const fields: HashedFields = {
      at: new Date(),
      actorId: actor.actorId,
      actorLabel: actor.actorLabel,
      ip: actor.ip,
      requestId: actor.requestId,
      action: entry.action,
      entityType: entry.entityType,
      entityId: entry.entityId ?? null,
      outcome: entry.outcome ?? 'success',
      reason: entry.reason ?? null,
      changes: entry.changes ? (withoutSecrets(entry.changes) as Record<string, unknown>) : null,
    };
    const prevHash = last?.hash ?? GENESIS_HASH;
    await tx.insert(auditLog).values({ ...fields, prevHash, hash: rowHash(prevHash, fields) });
  });
}

export type ChainReport = { ok: true; rows: number } | { ok: false; rows: number; brokenAt: number; problem: string };

/** Walks the chain in id order, in pages, and names the first row that does not fit. */
export async function verifyAuditChain(db: Database, pageSize = 1000): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let rows = 0;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(pageSize);
    if (page.length === 0) return { ok: true, rows };
    for (const row of page) {
      rows += 1;
      if (row.prevHash !== prevHash) {
        return { ok: false, rows, brokenAt: row.id, problem: 'previous-hash link does not match the row before it' };
      }
      const expected = rowHash(prevHash, {
        at: row.at,
        actorId: row.actorId,
        actorLabel: row.actorLabel,
        ip: row.ip,
        requestId: row.requestId,
        action: row.action,
        entityType: row.entityType,
        entityId: row.entityId,
        outcome: row.outcome,
        reason: row.reason,
        changes: row.changes ?? null,
      });
      if (row.hash !== expected) {
        return { ok: false, rows, brokenAt: row.id, problem: 'content does not match its hash' };
      }
      prevHash = row.hash;
      lastId = row.id;
    }
  }
}
