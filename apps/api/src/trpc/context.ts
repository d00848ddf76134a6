/**
 * Request context. `createContextInner` is what tests use with `createCallerFactory`;
 * `createHttpContext` adds the HTTP side: it verifies the bearer token and loads the user row on
 * every request, so disabling, demotion and logout take effect on the next call.
 */
import type { Database, DatabaseKind } from '@netflow/db';
import { users } from '@netflow/db';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import type { FastifyBaseLogger, FastifyReply, FastifyRequest } from 'fastify';
import pino from 'pino';
import type { Config } from '../config';
import type { AuthRow, TokenService, UserCache } from '../modules/auth';
import type { Security } from '../security';
import type { Actor, CurrentUser } from '../lib/actor';

export type { CurrentUser } from '../lib/actor';

export interface AppServices {
  db: Database;
  dbKind: DatabaseKind;
  config: Config;
  tokens: TokenService;
  /** Rate limiter and its counters (shared by every request of this instance). */
  security: Security;
  /** Users that authenticated recently (PostgreSQL server only; see modules/auth/user-cache.ts). */
  userCache?: UserCache;
}

/** A request's context: the services, and the request's actor (so it can be passed to services as is). */
export interface Context extends AppServices, Actor {
  user: CurrentUser | null;
  /** Expiry of the token that authenticated this request. */
  tokenExpiresAt: Date | null;
  requestId: string;
  ip: string;
  log: FastifyBaseLogger;
  /** Status and headers a REST answer should carry (e.g. 202, 204, Retry-After). */
  http: { status?: number; headers: Record<string, string> };
}

export interface InnerContextOptions extends AppServices {
  user?: CurrentUser | null;
  requestId?: string;
  ip?: string;
  log?: FastifyBaseLogger;
}

const silent = pino({ level: 'silent' });

export function createContextInner(opts: InnerContextOptions): Context {
  return {
    db: opts.db,
    dbKind: opts.dbKind,
    config: opts.config,
    tokens: opts.tokens,
    security: opts.security,
    ...(opts.userCache ? { userCache: opts.userCache } : {}),
    user: opts.user ?? null,
    tokenExpiresAt: null,
    requestId: opts.requestId ?? 'internal',
    ip: opts.ip ?? '127.0.0.1',
    log: opts.log ?? silent,
    http: { headers: {} },
  };
}

/** The JWT of an `Authorization: Bearer <jwt>` header (scheme case-insensitive, RFC 7235), or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header || header.length > 8192) return null;
  const match = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/i.exec(header);
  return match?.[1] ?? null;
}

async function loadAuthRow(services: AppServices, id: string): Promise<AuthRow | undefined> {
  const mark = services.userCache?.mark() ?? 0;
  const [row] = await services.db
    .select({
      id: users.id,
      name: users.name,
      email: users.email,
      role: users.role,
      status: users.status,
      sessionsValidAfter: users.sessionsValidAfter,
      mfaEnabledAt: users.mfaEnabledAt,
    })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  if (row) services.userCache?.store(row, mark);
  return row;
}

/** Resolves a bearer token to an active user whose sessions it may still open, or null. */
export async function authenticate(services: AppServices, token: string | null) {
  if (!token) return null;
  const claims = await services.tokens.verify(token);
  if (!claims) return null;
  const row = services.userCache?.get(claims.userId) ?? (await loadAuthRow(services, claims.userId));
  if (!row || row.status !== 'active') return null;
  if (claims.issuedAtMs < row.sessionsValidAfter.getTime()) return null;
  const user: CurrentUser = { id: row.id, name: row.name, email: row.email, role: row.role, mfaEnabled: row.mfaEnabledAt !== null };
  return { user, expiresAt: claims.expiresAt };
}

export type Session = NonNullable<Awaited<ReturnType<typeof authenticate>>>;

const sessions = new WeakMap<FastifyRequest, Promise<Session | null>>();

/**
 * The signed-in session of a request (its bearer token checked and its user row loaded), resolved
 * once per request: the rate limiter asks first (signed-in traffic is counted per user), the
 * tRPC/REST context and the CSV exports reuse the answer. Rejects when the database does not answer.
 */
export function sessionOf(services: AppServices, req: FastifyRequest): Promise<Session | null> {
  let session = sessions.get(req);
  if (!session) {
    session = authenticate(services, bearerToken(req.headers.authorization));
    sessions.set(req, session);
  }
  return session;
}

/**
 * A failure while building a request's context (the database not answering while the token's
 * user is loaded). It carries the request id, because the 500 it becomes has no context to take it from.
 */
export class ContextFailure extends TRPCError {
  constructor(
    readonly requestId: string,
    cause: unknown,
  ) {
    super({ code: 'INTERNAL_SERVER_ERROR', cause });
  }
}

export async function createHttpContext(services: AppServices, req: FastifyRequest, _res: FastifyReply): Promise<Context> {
  let auth: Awaited<ReturnType<typeof authenticate>>;
  try {
    auth = await sessionOf(services, req);
  } catch (cause) {
    throw new ContextFailure(String(req.id), cause);
  }
  return {
    ...createContextInner({ ...services, requestId: String(req.id), ip: req.ip, log: req.log }),
    user: auth?.user ?? null,
    tokenExpiresAt: auth?.expiresAt ?? null,
  };
}

// Declared beside AppServices (not in server.ts) so every file that uses `app.services` sees it,
// including when the web client type-checks the router's import graph.
declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}
