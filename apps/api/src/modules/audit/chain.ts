/**
 * The audit chain: append-only rows, each hashed over its content and the previous row's hash.
 * Rows are keyed (version 2: HMAC-SHA256 under AUDIT_KEY), so write access to the database is not
 * enough to edit a row and recompute the chain; checkpoints (the head's id, hash and row count,
 * stored outside the database) catch what a key cannot: the newest rows deleted.
 *
 * `recordAudit` must run inside the transaction of the change it describes, so the row exists
 * exactly when the change does. Appends are serialised by a transaction-scoped advisory lock, so
 * concurrent writers cannot fork the chain, and ids are committed in order (a row is visible only
 * after every row with a smaller id).
 */
import { createHash, createHmac, createSecretKey, timingSafeEqual, type KeyObject } from 'node:crypto';
import { auditLog, type Database } from '@netflow/db';
import { asc, count, desc, gt, lte, sql } from 'drizzle-orm';
import type { Actor } from '../../lib/actor';
import { invalid } from '../../lib/errors';

export const GENESIS_HASH = '0'.repeat(64);
/** Arbitrary constant naming the advisory lock that serialises appends to the chain. */
const AUDIT_LOCK_KEY = 7_301_990_441;
/** Version 1: SHA-256 (rows written before the chain was keyed). Version 2: HMAC-SHA256 under AUDIT_KEY. */
export const LEGACY_HASH_VERSION = 1;
export const KEYED_HASH_VERSION = 2;
/** Domain separation: a keyed row hash can never equal another use of the same key. */
const KEYED_PREFIX = 'netflow-audit-v2\n';

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

// ---------------------------------------------------------------------------------------------
// The key

let auditKey: KeyObject | null = null;

/**
 * Sets the key every audit row of this process is signed and verified with (`config.auditKey`).
 * Called once at start-up (the server's audit plugin, the CLI), and by the test harness.
 */
export function useAuditKey(key: string): void {
  if (Buffer.byteLength(key, 'utf8') < 16) throw new Error('the audit key is too short');
  auditKey = createSecretKey(Buffer.from(key, 'utf8'));
}

function currentKey(): KeyObject {
  // Never fall back to an unkeyed row: a forgotten set-up must fail loudly, not weaken the chain.
  if (!auditKey) throw new Error('audit key not configured: call useAuditKey(config.auditKey) at start-up');
  return auditKey;
}

// ---------------------------------------------------------------------------------------------
// Writing

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

export type AuditRow = typeof auditLog.$inferSelect;

/** The fields of a stored row that its hash covers. */
export function hashedFieldsOf(row: AuditRow): HashedFields {
  const { at, actorId, actorLabel, ip, requestId, action, entityType, entityId, outcome, reason } = row;
  return { at, actorId, actorLabel, ip, requestId, action, entityType, entityId, outcome, reason, changes: row.changes ?? null };
}

/** Version 1 (legacy, unkeyed): anyone can recompute it, so it only counts while sealed by a keyed row after it. */
export function legacyRowHash(prevHash: string, fields: HashedFields): string {
  return createHash('sha256').update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

/** Version 2: HMAC-SHA256 under the audit key over the previous hash and the row's content. */
export function keyedRowHash(prevHash: string, fields: HashedFields, key: KeyObject = currentKey()): string {
  return createHmac('sha256', key).update(KEYED_PREFIX).update(prevHash).update('\n').update(canonicalJson(fields)).digest('hex');
}

export async function recordAudit(db: Database, actor: AuditActor, entry: AuditEntry): Promise<void> {
  const key = currentKey();
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
    await tx.insert(auditLog).values({ ...fields, prevHash, hash: keyedRowHash(prevHash, fields, key), hashVersion: KEYED_HASH_VERSION });
  });
}

/**
 * After an upgrade, the newest rows are still unkeyed (version 1). Appends a keyed row right away
 * whose hash covers them, so from now on they cannot be rewritten without the key either.
 * Returns how many legacy rows it sealed (0 when there was nothing to seal).
 */
export async function sealLegacyRows(db: Database, actor: AuditActor): Promise<number> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
    const [head] = await tx
      .select({ id: auditLog.id, hashVersion: auditLog.hashVersion })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    if (!head || head.hashVersion !== LEGACY_HASH_VERSION) return 0;
    const [legacy] = await tx.select({ n: count() }).from(auditLog).where(lte(auditLog.id, head.id));
    const legacyRows = legacy?.n ?? 0;
    await recordAudit(tx, actor, {
      action: 'audit.chain.keyed',
      entityType: 'audit_log',
      entityId: String(head.id),
      changes: { legacyRows, lastLegacyId: head.id },
    });
    return legacyRows;
  });
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

/** The head of the chain at one moment: stored outside the database, it proves later that no row up to it went missing. */
export interface AuditCheckpoint {
  /** Id of the newest row. */
  id: number;
  /** How many rows the chain held up to and including it (ids may have gaps). */
  count: number;
  hash: string;
  /** When that row was written. */
  at: string;
}

const CHECKPOINT_PREFIX = 'netflow-audit-checkpoint';

/** The head of the chain now, or null while it is empty. */
export async function auditCheckpoint(db: Database): Promise<AuditCheckpoint | null> {
  const [head] = await db
    .select({ id: auditLog.id, hash: auditLog.hash, at: auditLog.at })
    .from(auditLog)
    .orderBy(desc(auditLog.id))
    .limit(1);
  if (!head) return null;
  // Rows up to the head are all committed once the head is visible (appends commit in id order).
  const [rows] = await db.select({ n: count() }).from(auditLog).where(lte(auditLog.id, head.id));
  return { id: head.id, count: rows?.n ?? 0, hash: head.hash, at: head.at.toISOString() };
}

/** One line an operator can paste into a ticket, a password manager or a log archive. */
export function formatCheckpoint(cp: AuditCheckpoint): string {
  return `${CHECKPOINT_PREFIX} id=${cp.id} count=${cp.count} hash=${cp.hash} at=${cp.at}`;
}

/** Reads a line written by `formatCheckpoint` (extra spaces and surrounding log text are tolerated). */
export function parseCheckpoint(line: string): AuditCheckpoint {
  const match = new RegExp(`${CHECKPOINT_PREFIX} id=(\\d{1,15}) count=(\\d{1,15}) hash=([0-9a-f]{64})(?: at=(\\S+))?`).exec(
    line.trim().replace(/\s+/g, ' '),
  );
  if (!match?.[1] || !match[2] || !match[3]) {
    throw invalid(`not an audit checkpoint line; expected "${CHECKPOINT_PREFIX} id=<row> count=<rows> hash=<64 hex> at=<time>"`);
  }
  return { id: Number(match[1]), count: Number(match[2]), hash: match[3], at: match[4] ?? '' };
}

// ---------------------------------------------------------------------------------------------
// Verifying

export type ChainReport =
  | {
      ok: true;
      rows: number;
      /** Unkeyed rows from before the chain was keyed (all at the start of the chain). */
      legacyRows: number;
      head: AuditCheckpoint | null;
    }
  | { ok: false; rows: number; brokenAt: number; problem: string };

export interface VerifyOptions {
  /** Heads recorded earlier: each must still be in the chain, at the same position, with the same hash. */
  checkpoints?: AuditCheckpoint[];
  pageSize?: number;
}

const sameHash = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

/**
 * Walks the chain in id order, in pages, and names the first row that does not fit: a broken link,
 * content that does not match its keyed hash (edited, or recomputed without the key), an unkeyed
 * row after keyed ones, or a checkpoint that is missing or different (rows deleted or replaced).
 */
export async function verifyAuditChain(db: Database, options: VerifyOptions = {}): Promise<ChainReport> {
  const key = currentKey();
  const pageSize = options.pageSize ?? 1000;
  const pending = [...(options.checkpoints ?? [])].sort((a, b) => a.id - b.id);
  let prevHash = GENESIS_HASH;
  let lastId = 0;
  let lastAt = '';
  let rows = 0;
  let legacyRows = 0;
  let keyed = false;
  for (;;) {
    const page = await db.select().from(auditLog).where(gt(auditLog.id, lastId)).orderBy(asc(auditLog.id)).limit(pageSize);
    for (const row of page) {
      const checkpoint = pending[0];
      if (checkpoint && row.id > checkpoint.id) {
        return { ok: false, rows, brokenAt: checkpoint.id, problem: `checkpoint row ${checkpoint.id} is missing from the chain` };
      }
      rows += 1;
      if (row.prevHash !== prevHash) {
        return { ok: false, rows, brokenAt: row.id, problem: 'previous-hash link does not match the row before it' };
      }
      const fields = hashedFieldsOf(row);
      if (row.hashVersion === KEYED_HASH_VERSION) {
        keyed = true;
        if (!sameHash(row.hash, keyedRowHash(prevHash, fields, key))) {
          return { ok: false, rows, brokenAt: row.id, problem: 'content does not match its hash' };
        }
      } else if (row.hashVersion === LEGACY_HASH_VERSION && !keyed) {
        legacyRows += 1;
        if (row.hash !== legacyRowHash(prevHash, fields)) {
          return { ok: false, rows, brokenAt: row.id, problem: 'content does not match its hash' };
        }
      } else {
        return { ok: false, rows, brokenAt: row.id, problem: 'unkeyed row after the chain was keyed' };
      }
      if (checkpoint && row.id === checkpoint.id) {
        if (rows !== checkpoint.count || !sameHash(row.hash, checkpoint.hash)) {
          return {
            ok: false,
            rows,
            brokenAt: row.id,
            problem: `does not match the checkpoint (checkpoint: ${checkpoint.count} rows, hash ${checkpoint.hash.slice(0, 12)}…; found: ${rows} rows, hash ${row.hash.slice(0, 12)}…)`,
          };
        }
        pending.shift();
      }
      prevHash = row.hash;
      lastId = row.id;
      lastAt = row.at.toISOString();
    }
    if (page.length < pageSize) break;
  }
  const unreached = pending[0];
  if (unreached) {
    return {
      ok: false,
      rows,
      brokenAt: unreached.id,
      problem: `the chain ends at row ${lastId} (${rows} rows) before checkpoint row ${unreached.id} (${unreached.count} rows): rows were removed`,
    };
  }
  return { ok: true, rows, legacyRows, head: rows > 0 ? { id: lastId, count: rows, hash: prevHash, at: lastAt } : null };
}
