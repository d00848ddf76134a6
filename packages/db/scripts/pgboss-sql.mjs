// Prints pg-boss's schema as a Drizzle migration body (statements split by breakpoints), for
// migrations/0007_job_queue.sql. The queue's tables must exist in every database billing writes
// to (jobs are enqueued inside billing transactions), so they are installed by our migrations
// rather than by pg-boss at start-up. migrations.test.ts checks the file still matches.
import { getConstructionPlans } from 'pg-boss';

/** Splits SQL on top-level semicolons, respecting quotes and $tag$ bodies. */
export function splitStatements(text) {
  const out = [];
  let start = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === "'") {
      i = text.indexOf("'", i + 1) + 1;
      while (text[i] === "'") i = text.indexOf("'", i + 1) + 1;
      continue;
    }
    if (ch === '$') {
      const m = /^\$[A-Za-z_]*\$/.exec(text.slice(i));
      if (m) {
        i = text.indexOf(m[0], i + m[0].length) + m[0].length;
        continue;
      }
    }
    if (ch === ';') {
      out.push(text.slice(start, i).trim());
      start = i + 1;
    }
    i += 1;
  }
  out.push(text.slice(start).trim());
  return out.filter(Boolean);
}

export function pgBossMigrationSql() {
  const statements = splitStatements(getConstructionPlans('pgboss', { createSchema: true })).filter(
    // The migrator already runs each migration in a transaction.
    (s) => !/^(BEGIN|COMMIT|SET LOCAL)\b/i.test(s),
  );
  return statements.map((s) => `${s};`).join('\n--> statement-breakpoint\n');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  process.stdout.write(`${pgBossMigrationSql()}\n`);
}
