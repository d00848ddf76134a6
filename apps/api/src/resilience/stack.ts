/**
 * The API as a load balancer sees it, for the resilience suite: built from the same
 * `buildServer` as production, listening on a loopback port, on a database the test owns. Plus a
 * small load driver that keeps every answer (status, body, time) for assertions afterwards.
 */
import type { Role } from '@netflow/contracts';
import { createDatabase, users, type DatabaseHandle } from '@netflow/db';
import type { FastifyInstance } from 'fastify';
import { Writable } from 'node:stream';
import { hashPassword } from '../modules/auth';
import { createTokenService } from '../modules/auth';
import { buildServer } from '../server';
import { TEST_PASSWORD, testConfig } from '../test/harness';

export interface Api {
  origin: string;
  app: FastifyInstance;
  db: DatabaseHandle;
  /** Every log line the instance wrote (JSON), for checks on what was (not) logged. */
  logs: () => string;
  close(): Promise<void>;
}

/** An API instance on `databaseUrl` (migrated), listening on a free port. */
export async function startApi(databaseUrl: string, overrides: Record<string, string> = {}): Promise<Api> {
  // As in production: the user cache on (every instance evicts on the database's notification).
  const config = testConfig({ DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn', AUTH_CACHE_SECONDS: '30', ...overrides });
  const db = await createDatabase({ url: databaseUrl, maxConnections: 10 });
  await db.migrate();
  let out = '';
  const logStream = new Writable({
    write(chunk: Buffer, _enc, done) {
      out += chunk.toString();
      done();
    },
  });
  const app = await buildServer({ config, db, logStream });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    origin: `http://127.0.0.1:${port}`,
    app,
    db,
    logs: () => out,
    async close() {
      await app.close();
      await db.close();
    },
  };
}

export interface Staff {
  id: string;
  email: string;
  role: Role;
  token: string;
}

let serial = 0;

/** Active staff of `role` (password TEST_PASSWORD) with a bearer token signed as login would. */
export async function createStaff(api: Api, role: Role): Promise<Staff> {
  serial += 1;
  const [row] = await api.db.db
    .insert(users)
    .values({
      name: `${role} ${serial}`,
      email: `${role}${serial}.${Date.now().toString(36)}@resilience.test`,
      role,
      status: 'active',
      passwordHash: await hashPassword(TEST_PASSWORD),
    })
    .returning();
  if (!row) throw new Error('user insert returned nothing');
  const tokens = createTokenService(api.app.services.config.jwt);
  const { token } = await tokens.sign({ id: row.id, email: row.email });
  return { id: row.id, email: row.email, role, token };
}

export interface Answer {
  label: string;
  status: number;
  /** Status 0: no HTTP answer (connection refused or reset); `error` says which. */
  error?: string;
  body: string;
  ms: number;
  startedAt: number;
}

export async function call(
  origin: string,
  label: string,
  path: string,
  init: { method?: string; token?: string; body?: unknown; timeoutMs?: number } = {},
): Promise<Answer> {
  const startedAt = Date.now();
  const headers: Record<string, string> = {};
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(`${origin}${path}`, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(init.timeoutMs ?? 30_000),
    });
    const body = await res.text();
    return { label, status: res.status, body, ms: Date.now() - startedAt, startedAt };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { label, status: 0, error: cause ?? (error as Error).name, body: '', ms: Date.now() - startedAt, startedAt };
  }
}

/**
 * Keeps `concurrency` requests in flight, each made by `next(i)`, until `stop()` resolves (or
 * `count` requests were made), and returns every answer in the order they were started.
 */
export async function load(options: {
  concurrency: number;
  next: (i: number) => Promise<Answer>;
  count?: number;
  until?: Promise<unknown>;
}): Promise<Answer[]> {
  const answers: Answer[] = [];
  let stopped = false;
  void options.until?.then(() => (stopped = true));
  let i = 0;
  const worker = async () => {
    while (!stopped && (options.count === undefined || i < options.count)) {
      const n = i++;
      answers[n] = await options.next(n);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return answers.filter(Boolean);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` every 200 ms until it returns true (rejects after `timeoutMs`). */
export async function eventually(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (await check()) return Date.now() - started;
    await sleep(200);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms`);
}
