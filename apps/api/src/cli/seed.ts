/**
 * `pnpm db:seed --demo`: migrates the configured database (DATABASE_URL, or the embedded one in
 * DATA_DIR) and fills it with the demo ISP. Does nothing when the demo data is already there.
 */
import path from 'node:path';
import { createDatabase } from '@netflow/db';
import { loadConfig } from '../config';
import { seedDemoData } from '../seed/demo';

const args = process.argv.slice(2);
if (!args.includes('--demo')) {
  process.stderr.write('usage: pnpm db:seed --demo   (creates the demo ISP: plans, staff, leads, customers, payments, tickets)\n');
  process.exit(2);
}

// pnpm runs package scripts inside apps/api; a relative DATA_DIR means the directory the command
// was typed in (INIT_CWD), so `pnpm db:seed --demo` fills the same database `pnpm start` uses.
const env = { ...process.env };
if (env.INIT_CWD && !env.DATABASE_URL) env.DATA_DIR = path.resolve(env.INIT_CWD, env.DATA_DIR || '.data');
const config = loadConfig(env);
const db = await createDatabase({
  url: config.databaseUrl,
  dataDir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite'),
});
try {
  await db.migrate();
  const result = await seedDemoData(db.db);
  if (!result.created) {
    process.stdout.write(`demo data not created: ${result.reason ?? 'nothing to do'}\n`);
  } else {
    const counts = Object.entries(result.counts)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ');
    process.stdout.write(`demo data created (${db.kind}): ${counts}\n`);
    process.stdout.write(`demo staff (password for all, shown once: ${result.password ?? ''}):\n`);
    for (const s of result.staff) process.stdout.write(`  ${s.role.padEnd(10)} ${s.email}  (${s.name})\n`);
  }
} finally {
  await db.close();
}
