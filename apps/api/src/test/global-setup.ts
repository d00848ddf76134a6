/**
 * Runs once before all test files: builds a migrated embedded database and saves it, so each file
 * starts from a copy instead of replaying every migration (see test/db.ts).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createDatabase } from '@netflow/db';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplate: string | null;
  }
}

export default async function setup(project: TestProject) {
  if (process.env.TEST_DATABASE_URL) {
    project.provide('pgliteTemplate', null);
    return;
  }
  const handle = await createDatabase();
  await handle.migrate();
  const dump = await handle.dumpEmbedded();
  await handle.close();
  const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../.cache');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `pglite-template-${process.pid}.tar`);
  writeFileSync(file, dump);
  project.provide('pgliteTemplate', file);
  // 30 MB per run: removed when the run ends.
  return () => rmSync(file, { force: true });
}
