/**
 * `pnpm db:seed --demo`: migrates the configured database (DATABASE_URL, or the embedded one in
 * DATA_DIR) and fills it with the demo ISP. Does nothing when the demo data is already there;
 * refuses with NODE_ENV=production.
 */
import { seedDemoData } from '../seed/demo';
import { openConfiguredDatabase } from './database';

const args = process.argv.slice(2);
if (!args.includes('--demo')) {
  process.stderr.write('usage: pnpm db:seed --demo   (creates the demo ISP: plans, staff, leads, customers, payments, tickets)\n');
  process.exit(2);
}

const { config, db } = await openConfiguredDatabase();
if (config.env === 'production') {
  // The demo staff share one password printed here: never in production.
  await db.close();
  process.stderr.write('netflow: demo data is never loaded with NODE_ENV=production\n');
  process.exit(2);
}
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
