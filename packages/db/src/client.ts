/**
 * One factory for both engines: PostgreSQL through postgres.js when a URL is given, otherwise
 * embedded PostgreSQL (PGlite) persisted in a folder, or in memory for tests. Both run the same
 * committed migrations.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { sql, type SQLWrapper } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { lockDataDir } from './lock';
import * as schema from './schema/index';

export type Schema = typeof schema;
/** A Drizzle handle on either engine; a transaction is one too, so services accept both. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type DatabaseKind = 'postgres' | 'embedded';

export interface DatabaseHandle {
  db: Database;
  kind: DatabaseKind;
  /** The server's URL (postgres engine only): the job queue opens its own small pool on it. */
  url?: string;
  /** Throws when the database does not answer. */
  ping(): Promise<void>;
  migrate(): Promise<void>;
  close(): Promise<void>;
  /** Embedded only: the whole database as a tarball, loadable through `template`. */
  dumpEmbedded(): Promise<Uint8Array>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded engine is used. */
  url?: string;
  /** Folder for the embedded engine's files; absent means in memory. */
  dataDir?: string;
  /** Pool size for PostgreSQL. */
  maxConnections?: number;
  /** Embedded only: start from a copy of a dumped database (tests use a migrated template). */
  template?: Uint8Array;
}

/**
 * The committed migrations live in this package. Resolved through the package name rather than
 * this file's URL, so it still works when the API is bundled into apps/api/dist.
 */
export const migrationsFolder = path.join(path.dirname(createRequire(import.meta.url).resolve('@netflow/db/package.json')), 'migrations');

const drizzleOptions = { schema, casing: 'snake_case' } as const;

export async function createDatabase(options: DatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connect_timeout: 10,
      idle_timeout: 60,
      connection: { application_name: 'netflow-api' },
    });
    const db = drizzlePostgres({ client, ...drizzleOptions }) as unknown as Database;
    return {
      db,
      kind: 'postgres',
      url: options.url,
      ping: async () => {
        await db.execute(sql`select 1`);
      },
      migrate: async () => {
        await migratePostgres(drizzlePostgres({ client, ...drizzleOptions }), { migrationsFolder });
      },
      close: async () => {
        await client.end({ timeout: 5 });
      },
      dumpEmbedded: () => Promise.reject(new Error('only the embedded engine can be dumped')),
    };
  }
  let unlock = () => {};
  if (options.dataDir) {
    mkdirSync(path.dirname(options.dataDir), { recursive: true });
    unlock = lockDataDir(options.dataDir);
  }
  // Options object form: `new PGlite(undefined, opts)` silently drops the extensions.
  const client = new PGlite({
    dataDir: options.dataDir,
    extensions: { pg_trgm },
    ...(options.template ? { loadDataDir: new Blob([Uint8Array.from(options.template)]) } : {}),
  });
  try {
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const pglite = drizzlePglite({ client, ...drizzleOptions });
  const db = pglite as unknown as Database;
  return {
    db,
    kind: 'embedded',
    ping: async () => {
      if (client.closed) throw new Error('embedded database is closed');
      await db.execute(sql`select 1`);
    },
    migrate: async () => {
      await migratePglite(pglite, { migrationsFolder });
    },
    close: async () => {
      if (!client.closed) await client.close();
      unlock();
    },
    dumpEmbedded: async () => new Uint8Array(await (await client.dumpDataDir('none')).arrayBuffer()),
  };
}

/**
 * Rows of a raw `db.execute(sql\`…\`)`. The drivers disagree on its shape (postgres.js gives an
 * array, PGlite `{ rows }`), so raw SQL goes through this to behave the same on both engines.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Database, query: SQLWrapper): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
}
