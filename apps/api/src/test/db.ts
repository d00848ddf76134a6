/**
 * Each test file gets its own isolated database: an embedded one copied from the migrated
 * template by default, or a fresh database on the real PostgreSQL server when TEST_DATABASE_URL
 * is set (created, migrated, and dropped afterwards). The same tests run on both engines.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createDatabase, type DatabaseHandle } from '@netflow/db';
import postgres from 'postgres';
import { inject } from 'vitest';

export interface TestDatabase extends DatabaseHandle {
  /** Closes the handle and removes the database. */
  destroy(): Promise<void>;
  /** The server database's URL (for a child process); undefined on the embedded engine. */
  url?: string;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const templateFile = inject('pgliteTemplate');
    const handle = await createDatabase(templateFile ? { template: readFileSync(templateFile) } : {});
    if (!templateFile) await handle.migrate();
    return { ...handle, destroy: () => handle.close() };
  }

  const name = `netflow_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ url: url.toString(), maxConnections: 5 });
  await handle.migrate();
  return {
    ...handle,
    url: url.toString(),
    destroy: async () => {
      await handle.close();
      const cleanup = postgres(serverUrl, { max: 1, onnotice: () => {} });
      try {
        await cleanup.unsafe(`drop database if exists "${name}" with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
