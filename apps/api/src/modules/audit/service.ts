/**
 * The audit trail as auditors read it (GET /api/audit: filters, cursor pages, admin and manager
 * only). Writing and verifying the chain live in `chain.ts`.
 */
import type { AuditEntry as AuditEntryView, ListAuditInput } from '@netflow/contracts';
import { auditLog, type Database } from '@netflow/db';
import { and, desc, eq, gte, like, lt } from 'drizzle-orm';
import { invalid } from '../../lib/errors';
import { escapeLike } from '../../lib/search';
import { hashedFieldsOf, type AuditRow } from './chain';

function toEntry(row: AuditRow): AuditEntryView {
  return { id: row.id, ...hashedFieldsOf(row), at: row.at.toISOString() };
}

/** The cursor of the audit list: the last row's id (ids only grow), base64url so it stays opaque. */
function encodeAuditCursor(id: number): string {
  return Buffer.from(`audit:${id}`).toString('base64url');
}
function decodeAuditCursor(cursor: string): number {
  const match = /^audit:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match?.[1]) throw invalid('Invalid cursor');
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
