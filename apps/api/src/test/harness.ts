/**
 * What most tests need: a config, a database, the Fastify app built on them, staff accounts of
 * any role, and a tRPC caller acting as one of them.
 */
import { TRPCError } from '@trpc/server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Role } from '@netflow/contracts';
import { users } from '@netflow/db';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { loadConfig, type Config } from '../config';
import { wireListeners } from '../wiring';
import { useEncryptionKeys } from '../lib/secrets';
import { useAuditKey } from '../modules/audit';
import { hashPassword } from '../modules/auth';
import { createTokenService } from '../modules/auth';
import { createSecurity } from '../security';
import { buildServer } from '../server';
import { createContextInner, type AppServices, type CurrentUser } from '../trpc/context';
import { appRouter } from '../trpc/router';
import { createCallerFactory } from '../trpc/trpc';
import { createTestDatabase, type TestDatabase } from './db';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
/** One audit key for every test database, so a chain written through any harness verifies. */
export const TEST_AUDIT_KEY = 'test-audit-key-that-is-long-enough-0123456789abcdef';
/** Key of secrets at rest (TOTP secrets, router passwords) in tests. */
export const TEST_ENCRYPTION_KEY = 'test-encryption-key-that-is-long-enough-fedcba9876';
export const TEST_PASSWORD = 'Correct-Horse-Battery-42';

/**
 * Rate limits are generous here so tests of other modules never trip them; the security tests
 * set small limits explicitly through `overrides`.
 */
export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    NODE_ENV: 'test',
    JWT_SECRET: TEST_SECRET,
    AUDIT_KEY: TEST_AUDIT_KEY,
    APP_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'netflow-test-')),
    LOG_LEVEL: 'silent',
    WEB_DIST_DIR: path.join(tmpdir(), 'netflow-no-web'),
    RATE_LIMIT_GLOBAL_PER_MINUTE: '100000',
    RATE_LIMIT_AUTH_PER_MINUTE: '100000',
    RATE_LIMIT_USER_PER_MINUTE: '100000',
    // No role must enrol in two-step sign-in unless a test says so (tests sign in as admins throughout).
    MFA_REQUIRED_ROLES: '',
    // Off by default: tests change users behind an app's back (callers, direct updates) and then
    // expect its next request to see it; the cache's own tests and the resilience suite turn it on.
    AUTH_CACHE_SECONDS: '0',
    ...overrides,
  });
}

export interface Harness {
  db: TestDatabase;
  config: Config;
  services: AppServices;
  /** Creates an active staff member (password TEST_PASSWORD unless given). */
  createUser(
    input?: Partial<{
      name: string;
      email: string;
      phone: string | null;
      role: Role;
      status: 'pending' | 'active' | 'disabled';
      password: string;
    }>,
  ): Promise<CurrentUser & { phone: string | null }>;
  /** A tRPC caller acting as `user` (or anonymous). */
  caller(user?: CurrentUser | null): AppCaller;
  /** A bearer token for `user`, as login would issue it. */
  tokenFor(user: { id: string; email: string }): Promise<string>;
  close(): Promise<void>;
}

const createCaller = createCallerFactory(appRouter);
export type AppCaller = ReturnType<typeof createCaller>;
let counter = 0;
let passwordHash: Promise<string> | undefined;

export async function createHarness(configOverrides: Record<string, string> = {}): Promise<Harness> {
  const config = testConfig(configOverrides);
  useAuditKey(config.auditKey);
  useEncryptionKeys(config.encryption);
  wireListeners();
  const db = await createTestDatabase();
  const security = await createSecurity(config, pino({ level: 'silent' }));
  const services: AppServices = { db: db.db, dbKind: db.kind, config, tokens: createTokenService(config.jwt), security };
  return {
    db,
    config,
    services,
    async createUser(input = {}) {
      counter += 1;
      const role = input.role ?? 'admin';
      const hash = input.password === undefined ? await (passwordHash ??= hashPassword(TEST_PASSWORD)) : await hashPassword(input.password);
      const [row] = await db.db
        .insert(users)
        .values({
          name: input.name ?? `${role} ${counter}`,
          email: input.email ?? `${role}${counter}.${Date.now().toString(36)}@example.test`,
          phone: input.phone ?? null,
          role,
          status: input.status ?? 'active',
          passwordHash: hash,
        })
        .returning();
      if (!row) throw new Error('user insert returned nothing');
      return { id: row.id, name: row.name, email: row.email, role: row.role, phone: row.phone };
    },
    caller(user = null) {
      return createCaller(createContextInner({ ...services, user }));
    },
    async tokenFor(user) {
      return (await services.tokens.sign(user)).token;
    },
    close: async () => {
      await security.close();
      await db.destroy();
    },
  };
}

export async function createTestApp(configOverrides: Record<string, string> = {}) {
  const harness = await createHarness(configOverrides);
  const app: FastifyInstance = await buildServer({ config: harness.config, db: harness.db });
  await app.ready();
  return {
    ...harness,
    app,
    async close() {
      await app.close();
      await harness.close();
    },
  };
}

/** The tRPC error code a call fails with, or 'OK' when it succeeds: for tables of allowed/denied calls. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'OK';
  } catch (error) {
    if (error instanceof TRPCError) return error.code;
    throw error;
  }
}
