/**
 * The audit trail: append-only rows chained by SHA-256. `recordAudit` must run inside the
 * transaction of the change it describes, so the row exists exactly when the change does. Appends
 * are serialised by a transaction-scoped advisory lock, so concurrent writers cannot fork the chain.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry as AuditEntryView, ListAuditInput } from '@netflow/contracts';
import { auditLog, type Database } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import type { Actor } from '../../lib/actor';
import { escapeLike } from '../../lib/search';
import { and, asc, desc, eq, gt, gte, like, lt, sql } from 'drizzle-orm';

export const GENESIS_HASH = '0'.repeat(64);
/** Arbitrary constant naming the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK_KEY = 7_301_990_441;

export type AuditOutcome = 'success' | 'failure' | 'denied';

/** Who did it and from where, as stored on the row (see `auditActorOf`). */
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

/** The audit columns of an actor: a staff member by id and e-mail, the system by its label. */
export function auditActorOf(actor: Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>): AuditActor {
  return {
    actorId: actor.user?.id ?? null,
    actorLabel: actor.user?.email ?? actor.label ?? null,
    ip: actor.ip,
    requestId: actor.requestId,
  };
}

/** Appends the audit row of a change made by `actor`; call it inside the change's transaction. */
export function audit(db: Database, actor: Pick<Actor, 'user' | 'label' | 'ip' | 'requestId'>, entry: AuditEntry) {
  return recordAudit(db, auditActorOf(actor), entry);
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

type AuditRow = typeof auditLog.$inferSelect;

/** The fields of a stored row that its hash covers. */
function hashedFieldsOf(row: AuditRow): HashedFields {
  const { at, actorId, actorLabel, ip, requestId, action, entityType, entityId, outcome, reason } = row;
  return { at, actorId, actorLabel, ip, requestId, action, entityType, entityId, outcome, reason, changes: row.changes ?? null };
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
      const expected = rowHash(prevHash, hashedFieldsOf(row));
      if (row.hash !== expected) {
        return { ok: false, rows, brokenAt: row.id, problem: 'content does not match its hash' };
      }
      prevHash = row.hash;
      lastId = row.id;
    }
  }
}


function toEntry(row: AuditRow): AuditEntryView {
  return { id: row.id, ...hashedFieldsOf(row), at: row.at.toISOString() };
}

/** The cursor of the audit list: the last row's id (ids only grow), base64url so it stays opaque. */
function encodeAuditCursor(id: number): string {
  return Buffer.from(`audit:${id}`).toString('base64url');
}
function decodeAuditCursor(cursor: string): number {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw new TRPCError({ code: 'BAD_REQUEST', message: 'Invalid cursor' });
  return Number(match[1]);
}

/** Newest first; every filter is a fixed column compared with a bound value. */
export async function listAudit(db: Database, input: ListAuditInput): Promise<{ items: AuditEntryView[]; nextCursor: string | null }> {
  const action = input.action?.endsWith('.*')
    ? like(auditLog.action, `${escapeLike(input.action.slice(0, -1))}%`)
    : input.action
      ? eq(auditLog.action, input.action)
      : undefined;
  const rows = await db
    .select()
    .from(auditLog)
    .where(
      and(
        action,
        input.entityType ? eq(auditLog.entityType, input.entityType) : undefined,
        input.entityId ? eq(auditLog.entityId, input.entityId) : undefined,
        input.actorId ? eq(auditLog.actorId, input.actorId) : undefined,
        input.outcome ? eq(auditLog.outcome, input.outcome) : undefined,
        input.from ? gte(auditLog.at, new Date(input.from)) : undefined,
        input.to ? lt(auditLog.at, new Date(input.to)) : undefined,
        input.cursor ? lt(auditLog.id, decodeAuditCursor(input.cursor)) : undefined,
      ),
    )
    .orderBy(desc(auditLog.id))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return { items: page.map(toEntry), nextCursor: rows.length > input.limit && last ? encodeAuditCursor(last.id) : null };
}
