/**
 * `pnpm bench`: measures list/search paths against a large leads table and prints a table.
 * Variants are measured interleaved in one run (A, B, A, B, …) and compared as ratios, because
 * absolute times on shared machines are noise.
 *
 *   pnpm bench                      # embedded PostgreSQL, 50,000 leads
 *   BENCH_ROWS=200000 BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test pnpm bench
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { createDatabase, queryRows, type Database, type DatabaseHandle } from '@netflow/db';
import { leadListInput } from '@netflow/contracts';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { hashPassword, verifyPassword } from '../src/modules/auth';
import { encodeCursor } from '../src/lib/pagination';
import { listLeads, type LeadReader } from '../src/modules/leads';

const ROWS = Number(process.env.BENCH_ROWS ?? 50_000);
const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 15);
const serverUrl = process.env.BENCH_DATABASE_URL;

async function openDatabase(): Promise<{ handle: DatabaseHandle; drop: () => Promise<void> }> {
  if (!serverUrl) {
    const handle = await createDatabase();
    return { handle, drop: () => handle.close() };
  }
  const name = `netflow_bench_${randomBytes(4).toString('hex')}`;
  const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const handle = await createDatabase({ url: url.toString(), maxConnections: 2 });
  return {
    handle,
    drop: async () => {
      await handle.close();
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** Realistic-looking leads generated inside the database (fast even for 200k rows). */
async function fillLeads(db: Database, rows: number) {
  await db.execute(sql`
    insert into leads (name, phone, email, status, source, created_at)
    select
      (array['Wanjiku','Otieno','Achieng','Kamau','Mwangi','Njeri','Kiprop','Chebet','Mutua','Wambui'])[1 + i % 10]
        || ' ' || (array['Kariuki','Omondi','Mutiso','Ndungu','Wekesa','Barasa','Koech','Nyambura','Mohamed','Owino'])[1 + (i / 10) % 10]
        || ' ' || i,
      '07' || lpad((i * 7919 % 100000000)::text, 8, '0'),
      'lead' || i || '@example.co.ke',
      (array['new','contacted','qualified','won','lost'])[1 + i % 5]::lead_status,
      'bench',
      now() - (i || ' minutes')::interval
    from generate_series(1, ${rows}) as i`);
  await db.execute(sql`analyze leads`);
}

interface Sample {
  name: string;
  times: number[];
}

function stats(times: number[]) {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p90: at(0.9) };
}

/** Runs the variants interleaved so background load hits them alike. */
async function compare(variants: Array<{ name: string; run: () => Promise<unknown> }>): Promise<Sample[]> {
  const samples = variants.map((v) => ({ name: v.name, times: [] as number[] }));
  for (const v of variants) await v.run(); // warm-up
  for (let i = 0; i < ITERATIONS; i += 1) {
    for (const [index, v] of variants.entries()) {
      const started = performance.now();
      await v.run();
      samples[index]?.times.push(performance.now() - started);
    }
  }
  return samples;
}

/** Runs `fn` with index scans disabled for the transaction: what the query costs without its indexes. */
function withoutIndexes<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_indexscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    return fn(tx);
  });
}

/** Runs `fn` with sequential scans discouraged: what the query costs when the planner uses the indexes. */
function withIndexesForced<T>(db: Database, fn: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    return fn(tx);
  });
}

async function main() {
  const { handle, drop } = await openDatabase();
  const rows: string[][] = [];
  try {
    await handle.migrate();
    const db = handle.db;
    const loadStarted = performance.now();
    await fillLeads(db, ROWS);
    const loadMs = performance.now() - loadStarted;

    const [admin] = await queryRows<{ id: string }>(
      db,
      sql`insert into users (name, email, password_hash, role, status) values ('Bench', 'bench@example.com', 'x', 'admin', 'active') returning id`,
    );
    const actor: LeadReader = {
      user: { id: admin?.id ?? '', name: 'Bench', email: 'bench@example.com', role: 'admin' },
      scope: 'all',
    };

    const search = leadListInput.parse({ search: 'wekesa 4242', limit: 25 });
    const searchOne = leadListInput.parse({ search: '31337', limit: 25 });
    const searchResults = await listLeads(db, actor, searchOne);
    if (searchResults.items.length < 1) throw new Error('search found nothing: the bench data is wrong');

    // Deep page: the cursor a client holds after paging to 80% of the table (what the API would
    // hand out for that row), timed against OFFSET to the same place.
    const offset = Math.floor(ROWS * 0.8);
    const [anchor] = await queryRows<{ id: string; at: string }>(
      db,
      sql`select id, to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at
          from leads order by created_at desc, id desc offset ${offset - 1} limit 1`,
    );
    if (!anchor) throw new Error('no anchor row');
    const deepKeyset = leadListInput.parse({ limit: 25, cursor: encodeCursor('createdAt.desc', anchor.at, anchor.id) });
    const [atOffset] = await queryRows<{ id: string }>(
      db,
      sql`select id from leads order by created_at desc, id desc offset ${offset} limit 1`,
    );
    const keysetFirst = (await listLeads(db, actor, deepKeyset)).items[0]?.id;
    if (!atOffset || keysetFirst !== atOffset.id) throw new Error('keyset and OFFSET pages disagree: the bench compares different work');

    const searchSamples = await compare([
      { name: 'search "31337" (planner\'s choice)', run: () => listLeads(db, actor, searchOne) },
      { name: 'search "31337" (trigram indexes forced)', run: () => withIndexesForced(db, (tx) => listLeads(tx, actor, searchOne)) },
      { name: 'search "31337" (indexes disabled)', run: () => withoutIndexes(db, (tx) => listLeads(tx, actor, searchOne)) },
    ]);
    const multiSamples = await compare([
      { name: 'search "wekesa 4242" (planner\'s choice)', run: () => listLeads(db, actor, search) },
      { name: 'search "wekesa 4242" (trigram indexes forced)', run: () => withIndexesForced(db, (tx) => listLeads(tx, actor, search)) },
      { name: 'search "wekesa 4242" (indexes disabled)', run: () => withoutIndexes(db, (tx) => listLeads(tx, actor, search)) },
    ]);
    const pageSamples = await compare([
      { name: `page at row ${offset} (keyset cursor)`, run: () => listLeads(db, actor, deepKeyset) },
      {
        name: `page at row ${offset} (OFFSET)`,
        run: () => queryRows(db, sql`select * from leads order by created_at desc, id desc offset ${offset} limit 26`),
      },
    ]);

    const hashStarted = performance.now();
    const hash = await hashPassword('bench-password-123');
    const hashMs = performance.now() - hashStarted;
    const verifyStarted = performance.now();
    await verifyPassword(hash, 'bench-password-123');
    const verifyMs = performance.now() - verifyStarted;

    for (const group of [searchSamples, multiSamples, pageSamples]) {
      const base = stats(group[0]?.times ?? []).median;
      for (const sample of group) {
        const s = stats(sample.times);
        rows.push([sample.name, s.median.toFixed(2), s.p90.toFixed(2), (s.median / base).toFixed(2) + '×']);
      }
    }
    rows.push(['argon2id hash (m=19 MiB, t=2)', hashMs.toFixed(1), '', '']);
    rows.push(['argon2id verify', verifyMs.toFixed(1), '', '']);

    const header = ['benchmark', 'median ms', 'p90 ms', 'vs first of group'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const line = (cells: string[]) => '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
    console.log(
      `\nNetFlow CRM bench — ${handle.kind} PostgreSQL, ${ROWS} leads (loaded in ${(loadMs / 1000).toFixed(1)} s), ${ITERATIONS} interleaved runs each\n`,
    );
    console.log(line(header));
    console.log('|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|');
    for (const r of rows) console.log(line(r));
  } finally {
    await drop();
  }
}

await main();
