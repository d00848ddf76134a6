// Fails when the Drizzle schema and the committed migrations disagree: generates into a scratch
// copy of migrations/ and reports any migration the schema would still need.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';

// Relative on purpose: drizzle-kit check resolves --out against the working directory.
const scratch = `.cache/migrations-check-${process.pid}`;
mkdirSync(scratch, { recursive: true });
try {
  cpSync('migrations', scratch, { recursive: true });
  const before = new Set(readdirSync(scratch));
  execFileSync(
    'drizzle-kit',
    ['generate', '--dialect=postgresql', '--schema=./src/schema/index.ts', `--out=${scratch}`, '--casing=snake_case'],
    { stdio: 'pipe' },
  );
  const added = readdirSync(scratch).filter((f) => !before.has(f));
  if (added.length > 0) {
    console.error(`Schema and committed migrations disagree; run "pnpm db:generate" and commit: ${added.join(', ')}`);
    process.exit(1);
  }
  execFileSync('drizzle-kit', ['check', '--dialect=postgresql', `--out=${scratch}`], { stdio: 'pipe' });
  console.log('migrations match the schema');
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
