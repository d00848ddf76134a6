/** `pnpm db:migrate`: applies the committed migrations to the configured database and exits. */
import { openConfiguredDatabase } from './database';

const { db } = await openConfiguredDatabase();
try {
  await db.migrate();
  process.stdout.write(`migrations applied (${db.kind})\n`);
} finally {
  await db.close();
}
