/**
 * The router registry: MikroTik routers the CRM provisions over RouterOS REST. Admins write,
 * managers read. The API user's password is sealed at rest (`router:<id>:password`) and never
 * returned; the connection test stores the identity and version the router reports.
 */
import type { CreateRouterInput, Router, RouterTestResult, UpdateRouterInput } from '@netflow/contracts';
import { routers, subscriptions, type Database } from '@netflow/db';
import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import type { Config } from '../../config';
import type { Actor } from '../../lib/actor';
import { conflict, notFound } from '../../lib/errors';
import { isUniqueViolation } from '../../lib/pg-errors';
import { secretBox } from '../../lib/secrets';
import { audit } from '../audit';
import { identify, routerOsClient, RouterOsError, type RouterOsClient } from './routeros-client';

export type RouterRow = typeof routers.$inferSelect;

/** Where a router's sealed password belongs (a value copied to another row does not open). */
export const routerPasswordAad = (id: string) => `router:${id}:password`;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toRouter(row: RouterRow, subscriptionCount: number): Router {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    username: row.username,
    verifyTls: row.verifyTls,
    identity: row.identity,
    version: row.version,
    lastTestedAt: iso(row.lastTestedAt),
    lastTestError: row.lastTestError,
    subscriptionCount,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const servedCount =
  sql<number>`(select count(*) from ${subscriptions} where ${subscriptions.routerId} = ${routers.id} and ${subscriptions.status} <> 'cancelled')`.mapWith(
    Number,
  );

export async function listRouters(db: Database): Promise<{ items: Router[] }> {
  const rows = await db.select({ router: routers, count: servedCount }).from(routers).orderBy(asc(routers.name), asc(routers.id));
  return { items: rows.map((r) => toRouter(r.router, r.count)) };
}

export async function getRouter(db: Database, id: string): Promise<Router> {
  const [row] = await db.select({ router: routers, count: servedCount }).from(routers).where(eq(routers.id, id));
  if (!row) throw notFound('Router');
  return toRouter(row.router, row.count);
}

/** Names only, for the roles that choose a router for a subscription. */
export async function listRouterOptions(db: Database): Promise<{ items: { id: string; name: string }[] }> {
  const items = await db.select({ id: routers.id, name: routers.name }).from(routers).orderBy(asc(routers.name));
  return { items };
}

const nameTaken = () => conflict('A router with that name already exists');

async function assertNameFree(db: Database, name: string, exceptId?: string) {
  const [taken] = await db
    .select({ id: routers.id })
    .from(routers)
    .where(and(sql`lower(${routers.name}) = lower(${name})`, exceptId ? ne(routers.id, exceptId) : undefined))
    .limit(1);
  if (taken) throw nameTaken();
}

export async function createRouter(db: Database, actor: Actor, input: CreateRouterInput): Promise<Router> {
  // The id is chosen here so the password can be sealed for its row before the insert.
  const id = randomUUID();
  try {
    return await db.transaction(async (tx) => {
      await assertNameFree(tx, input.name);
      const [row] = await tx
        .insert(routers)
        .values({
          id,
          name: input.name,
          url: input.url,
          username: input.username,
          passwordSealed: secretBox().seal(input.password, routerPasswordAad(id)),
          verifyTls: input.verifyTls,
        })
        .returning();
      if (!row) throw new Error('router insert returned nothing');
      await audit(tx, actor, {
        action: 'router.create',
        entityType: 'router',
        entityId: id,
        changes: { name: input.name, url: input.url, username: input.username, verifyTls: input.verifyTls },
      });
      return toRouter(row, 0);
    });
  } catch (error) {
    if (isUniqueViolation(error, 'routers_name_key')) throw nameTaken();
    throw error;
  }
}

export async function updateRouter(db: Database, actor: Actor, input: UpdateRouterInput): Promise<Router> {
  try {
    await db.transaction(async (tx) => {
      const [current] = await tx.select().from(routers).where(eq(routers.id, input.id)).for('update');
      if (!current) throw notFound('Router');
      const changes: Record<string, unknown> = {};
      const set: Partial<typeof routers.$inferInsert> = {};
      for (const field of ['name', 'url', 'username', 'verifyTls'] as const) {
        const next = input[field];
        if (next === undefined || next === current[field]) continue;
        changes[field] = { from: current[field], to: next };
        Object.assign(set, { [field]: next });
      }
      if (input.password !== undefined) {
        // Never compared with the stored one (that would need opening it); a given password replaces it.
        set.passwordSealed = secretBox().seal(input.password, routerPasswordAad(current.id));
        changes.credentialChanged = true;
      }
      if (Object.keys(changes).length === 0) return;
      if (set.name) await assertNameFree(tx, set.name, current.id);
      // A new address or account makes the last test meaningless.
      if (set.url || set.username || set.passwordSealed || set.verifyTls !== undefined) {
        Object.assign(set, { identity: null, version: null, lastTestedAt: null, lastTestError: null });
      }
      await tx.update(routers).set(set).where(eq(routers.id, current.id));
      await audit(tx, actor, { action: 'router.update', entityType: 'router', entityId: current.id, changes });
    });
  } catch (error) {
    if (isUniqueViolation(error, 'routers_name_key')) throw nameTaken();
    throw error;
  }
  return getRouter(db, input.id);
}

/** A client for a stored router (its password opened for this call only). */
export function clientFor(router: RouterRow, config: Config): RouterOsClient {
  return routerOsClient({
    url: router.url,
    username: router.username,
    password: secretBox().open(router.passwordSealed, routerPasswordAad(router.id)),
    verifyTls: router.verifyTls,
    timeoutMs: config.routeros.timeoutMs,
  });
}

export async function loadRouter(db: Database, id: string): Promise<RouterRow> {
  const [row] = await db.select().from(routers).where(eq(routers.id, id));
  if (!row) throw notFound('Router');
  return row;
}

/** A message safe to store and show for any failure of a router call. */
export function routerErrorMessage(error: unknown): string {
  if (error instanceof RouterOsError) return error.message;
  return 'Unexpected error talking to the router';
}

/**
 * `GET /system/identity` and `/system/resource` with the stored credentials. The outcome is kept
 * on the router (identity, version, or the error) and audited; a failure is an answer, not an error.
 */
export async function testRouter(db: Database, actor: Actor, config: Config, id: string): Promise<RouterTestResult> {
  const router = await loadRouter(db, id);
  let result: RouterTestResult;
  try {
    const found = await identify(clientFor(router, config));
    result = { ok: true, ...found };
  } catch (error) {
    if (!(error instanceof RouterOsError)) actor.log.error({ err: error, routerId: id }, 'router test failed unexpectedly');
    result = { ok: false, error: routerErrorMessage(error) };
  }
  await db.transaction(async (tx) => {
    await tx
      .update(routers)
      .set(
        result.ok
          ? { identity: result.identity, version: result.version, lastTestedAt: new Date(), lastTestError: null }
          : { lastTestedAt: new Date(), lastTestError: result.error },
      )
      .where(eq(routers.id, id));
    await audit(tx, actor, {
      action: 'router.test',
      entityType: 'router',
      entityId: id,
      outcome: result.ok ? 'success' : 'failure',
      reason: result.ok ? null : result.error,
      changes: result.ok ? { identity: result.identity, version: result.version } : null,
    });
  });
  return result;
}
