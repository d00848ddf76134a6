/**
 * The committed migrations apply cleanly, and re-apply as a no-op, on the engine under test:
 * embedded PostgreSQL by default, the real server when TEST_DATABASE_URL is set.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, migrationsFolder, queryRows, type DatabaseHandle } from './client';
import { customers } from './schema/index';

const serverUrl = process.env.TEST_DATABASE_URL;
const dbName = `netflow_migrations_${randomBytes(4).toString('hex')}`;

async function admin<T>(fn: (client: postgres.Sql) => Promise<T>): Promise<T> {
  const client = postgres(serverUrl ?? '', { max: 1, onnotice: () => {} });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

describe(`migrations on ${serverUrl ? 'PostgreSQL' : 'embedded PostgreSQL'}`, () => {
  let handle: DatabaseHandle;

  beforeAll(async () => {
    if (serverUrl) {
      await admin((c) => c.unsafe(`create database "${dbName}"`));
      const url = new URL(serverUrl);
      url.pathname = `/${dbName}`;
      handle = await createDatabase({ url: url.toString(), maxConnections: 2 });
    } else {
      handle = await createDatabase();
    }
  });

  afterAll(async () => {
    await handle.close();
    if (serverUrl) await admin((c) => c.unsafe(`drop database if exists "${dbName}" with (force)`));
  });

  it('apply on an empty database and create every table', async () => {
    await handle.migrate();
    const rows = await queryRows<{ table_name: string }>(
      handle.db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
    );
    const tables = rows.map((r) => r.table_name);
    expect(tables).toEqual(
      expect.arrayContaining([
        'activities',
        'audit_log',
        'customers',
        'leads',
        'payments',
        'plans',
        'subscriptions',
        'ticket_comments',
        'tickets',
        'users',
      ]),
    );
  });

  it("install pg-boss's schema (the job queue), as the installed pg-boss version builds it", async () => {
    const [version] = await queryRows<{ version: number }>(handle.db, sql`select version from pgboss.version`);
    expect(Number(version?.version)).toBe(46);
    // The committed migration is what scripts/pgboss-sql.mjs prints for the pinned pg-boss: after
    // upgrading pg-boss, regenerate it (pg-boss migrates older schemas itself when it starts).
    // @ts-expect-error plain .mjs script without types
    const { pgBossMigrationSql } = (await import('../scripts/pgboss-sql.mjs')) as { pgBossMigrationSql: () => string };
    const file = readFileSync(path.join(migrationsFolder, '0007_job_queue.sql'), 'utf8');
    expect(file).toContain(pgBossMigrationSql());
  });

  it('re-applying is a no-op', async () => {
    await expect(handle.migrate()).resolves.toBeUndefined();
  });

  it('customers get sequential human-friendly account numbers', async () => {
    const inserted = await handle.db
      .insert(customers)
      .values([
        { name: 'Wanjiku Kamau', phone: '0712345678' },
        { name: 'Otieno Odhiambo', phone: '0723456789' },
      ])
      .returning({ accountNumber: customers.accountNumber });
    expect(inserted.map((c) => c.accountNumber)).toEqual(['NF-000001', 'NF-000002']);
  });

  it('the audit log refuses UPDATE and DELETE', async () => {
    await handle.db.execute(
      sql`insert into audit_log (action, entity_type, outcome, prev_hash, hash) values ('test', 'test', 'success', 'x', 'y')`,
    );
    await expect(handle.db.execute(sql`update audit_log set action = 'tampered'`)).rejects.toThrow();
    await expect(handle.db.execute(sql`delete from audit_log`)).rejects.toThrow();
    const [row] = await queryRows<{ action: string }>(handle.db, sql`select action from audit_log`);
    expect(row?.action).toBe('test');
  });
});
