/**
 * `pnpm secrets:rotate`: re-seals every secret at rest (see lib/sealed-columns.ts) under the
 * current APP_ENCRYPTION_KEY. Run it after moving the old key to APP_ENCRYPTION_KEY_PREVIOUS; once
 * it reports no failures, the previous key can be dropped. Idempotent: run it as often as you like.
 */
import { rotateSealedColumns } from '../lib/sealed-columns';
import { secretBox } from '../lib/secrets';
import { openConfiguredDatabase } from './database';

const { config, db } = await openConfiguredDatabase();
let failed = 0;
try {
  const box = secretBox();
  process.stdout.write(
    `secrets:rotate: current key ${box.currentKeyId}, ${config.encryption.previousKeys.length} previous key(s) configured\n`,
  );
  const counts = await rotateSealedColumns(db.db, box);
  for (const c of counts) {
    process.stdout.write(
      `${c.name}: ${c.scanned} sealed, ${c.resealed} re-sealed, ${c.current} already current, ${c.skipped} changed meanwhile, ${c.failed} failed\n`,
    );
    failed += c.failed;
  }
  if (failed > 0) {
    process.stderr.write(
      `secrets:rotate: ${failed} value(s) open under no configured key: is APP_ENCRYPTION_KEY_PREVIOUS missing the key they were sealed with? Keep the old key until this reports 0 failed\n`,
    );
  } else {
    process.stdout.write('secrets:rotate: done (values changed meanwhile were written by the app under the current key)\n');
  }
} finally {
  await db.close();
}
process.exit(failed > 0 ? 1 : 0);
