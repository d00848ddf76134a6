/**
 * What a start does about the first admin and demo data: outside production an empty database
 * gets a demo admin (and the demo ISP with DEMO_DATA=auto); production never gets either, and an
 * empty production database without BOOTSTRAP_ADMIN_* refuses to start with one line. The process
 * view of the refusal is in main.test.ts.
 */
import { auditLog, users, type Database } from '@netflow/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from './config';
import { ensureAdmin, DEMO_ADMIN_EMAIL } from './startup';
import { checkStartup, wantsDemoData } from './startup-policy';
import { createTestDatabase, type TestDatabase } from './test/db';
import { testConfig } from './test/harness';

const log = pino({ level: 'silent' });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.destroy();
});

/** Runs `fn` on the empty database and rolls everything back, so each case starts empty. */
async function onEmptyDatabase(fn: (tx: Database) => Promise<void>): Promise<void> {
  const rollback = new Error('rollback');
  await db.db
    .transaction(async (tx) => {
      await fn(tx);
      throw rollback;
    })
    .catch((error: unknown) => {
      if (error !== rollback) throw error;
    });
}

describe('start-up in production', () => {
  const production = (env: Record<string, string> = {}) => testConfig({ NODE_ENV: 'production', SMS_PROVIDER: 'log', ...env });

  it('refuses an empty database without BOOTSTRAP_ADMIN_* in one line, creating nobody', async () => {
    await onEmptyDatabase(async (tx) => {
      const attempt = ensureAdmin(tx, production(), log);
      await expect(attempt).rejects.toThrow(ConfigError);
      await expect(attempt).rejects.toThrow(/^empty database and no BOOTSTRAP_ADMIN_EMAIL\/BOOTSTRAP_ADMIN_PASSWORD: set both/);
      await attempt.catch((error: Error) => expect(error.message).not.toContain('\n'));
      expect(await tx.select().from(users)).toEqual([]);
      expect(await tx.select().from(auditLog)).toEqual([]);
    });
  });

  it('creates the BOOTSTRAP_ADMIN_* admin on an empty database, and no demo data follows', async () => {
    await onEmptyDatabase(async (tx) => {
      const config = production({ BOOTSTRAP_ADMIN_EMAIL: 'Boss@Example.com', BOOTSTRAP_ADMIN_PASSWORD: 'Ngong-Hills-Sunrise-2024' });
      const result = await ensureAdmin(tx, config, log);
      expect(result).toEqual({ created: 'bootstrap', email: 'boss@example.com' });
      const rows = await tx.select({ email: users.email, role: users.role, status: users.status }).from(users);
      expect(rows).toEqual([{ email: 'boss@example.com', role: 'admin', status: 'active' }]);
      expect(wantsDemoData(config, result)).toBe(false);
    });
  });

  it('never loads demo data, whatever DEMO_DATA says, and refuses DEMO_DATA=on before touching the database', () => {
    for (const demo of ['auto', 'on', 'off']) {
      const config = production({ DEMO_DATA: demo });
      for (const created of ['bootstrap', 'demo', null] as const) expect(wantsDemoData(config, { created })).toBe(false);
    }
    expect(() => checkStartup(production({ DEMO_DATA: 'on' }))).toThrow(/^DEMO_DATA=on is refused in production/);
    expect(() => checkStartup(production({ DEMO_DATA: 'auto' }))).not.toThrow();
    expect(() => checkStartup(production({ DEMO_DATA: 'off' }))).not.toThrow();
  });

  it('on a database with users but no active admin, starts and says how to create one', async () => {
    await onEmptyDatabase(async (tx) => {
      await tx.insert(users).values({ name: 'Kept', email: 'kept@example.com', passwordHash: 'x', role: 'sales', status: 'active' });
      expect(await ensureAdmin(tx, production(), log)).toEqual({ created: null });
      expect(await tx.select({ email: users.email }).from(users)).toEqual([{ email: 'kept@example.com' }]);
    });
  });
});

describe('start-up outside production', () => {
  it('creates the demo admin on an empty database, and DEMO_DATA=auto then loads the demo ISP', async () => {
    await onEmptyDatabase(async (tx) => {
      const config = testConfig({ NODE_ENV: 'development' });
      const result = await ensureAdmin(tx, config, log);
      expect(result).toMatchObject({ created: 'demo', email: DEMO_ADMIN_EMAIL });
      expect(result.password?.length).toBeGreaterThanOrEqual(12);
      expect(wantsDemoData(config, result)).toBe(true);
      expect(wantsDemoData(testConfig({ DEMO_DATA: 'off' }), result)).toBe(false);
      expect(() => checkStartup(testConfig({ DEMO_DATA: 'on' }))).not.toThrow();
      // A second start finds the admin and creates nothing.
      expect(await ensureAdmin(tx, config, log)).toEqual({ created: null });
    });
  });
});
