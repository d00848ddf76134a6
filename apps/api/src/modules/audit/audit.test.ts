/**
 * The audit trail as auditors see it (GET /api/audit: filters, cursor pages, admin and manager
 * only), and as the database keeps it: append-only, hash-chained, verified by `audit:verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createSecretKey } from 'node:crypto';
import { promisify } from 'node:util';
import { auditLog, createDatabase, type Database } from '@netflow/db';
import { asc, desc, eq, gte, sql } from 'drizzle-orm';
import Fastify from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../test/db';
import { createTestApp, TEST_AUDIT_KEY, TEST_PASSWORD, TEST_SECRET } from '../../test/harness';
import type { CurrentUser } from '../../lib/actor';
import {
  auditCheckpoint,
  formatCheckpoint,
  hashedFieldsOf,
  keyedRowHash,
  legacyRowHash,
  parseCheckpoint,
  recordAudit,
  sealLegacyRows,
  verifyAuditChain,
  GENESIS_HASH,
} from './chain';
import auditPlugin from './plugin';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
interface Entry {
  id: number;
  at: string;
  action: string;
  outcome: string;
  actorId: string | null;
  entityId: string | null;
  reason: string | null;
}

let t: TestApp;
let admin: CurrentUser;
let adminToken: string;
let target: CurrentUser;

const list = async (query: string, token = adminToken) => {
  const res = await t.app.inject({ method: 'GET', url: `/api/audit${query}`, headers: { authorization: `Bearer ${token}` } });
  return res;
};
const items = async (query: string): Promise<Entry[]> => (await list(query)).json().items;

beforeAll(async () => {
  t = await createTestApp();
  admin = await t.createUser({ role: 'admin' });
  adminToken = await t.tokenFor(admin);
  target = await t.createUser({ role: 'support' });
  const login = (password: string) =>
    t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier: target.email, password } });
  await login('wrong-password-1');
  await login(TEST_PASSWORD);
  await t.app.inject({
    method: 'PATCH',
    url: `/api/users/${target.id}`,
    headers: { authorization: `Bearer ${adminToken}` },
    payload: { role: 'technician' },
  });
});
afterAll(async () => {
  await t.close();
});

describe('GET /api/audit', () => {
  it('admins and managers read it, newest first, with every field but no secrets; others get 403', async () => {
    const res = await list('');
    expect(res.statusCode).toBe(200);
    const entries: Entry[] = res.json().items;
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.map((e) => e.id)).toEqual([...entries.map((e) => e.id)].sort((a, b) => b - a));
    expect(entries[0]).toEqual({
      id: expect.any(Number),
      at: expect.any(String),
      actorId: admin.id,
      actorLabel: admin.email,
      ip: '127.0.0.1',
      requestId: expect.any(String),
      action: 'user.update',
      entityType: 'user',
      entityId: target.id,
      outcome: 'success',
      reason: null,
      changes: { role: { from: 'support', to: 'technician' } },
      // Names resolved for display (issue 10): who acted and what the entity is called.
      actorName: admin.name,
      entityName: expect.any(String),
    });
    expect(res.body).not.toContain(TEST_PASSWORD);
    expect(res.body).not.toContain('wrong-password-1');

    const manager = await t.createUser({ role: 'manager' });
    expect((await list('', await t.tokenFor(manager))).statusCode).toBe(200);
    for (const role of ['sales', 'support', 'technician', 'finance'] as const) {
      const user = await t.createUser({ role });
      expect((await list('', await t.tokenFor(user))).statusCode).toBe(403);
    }
  });

  it('filters by action, action family, outcome, actor, entity and time', async () => {
    const failures = await items(`?action=auth.login&outcome=failure&entityId=${target.id}`);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ action: 'auth.login', outcome: 'failure', reason: 'wrong password', actorId: null });

    const logins = await items(`?action=auth.*&entityId=${target.id}`);
    expect(logins.map((e) => e.outcome).sort()).toEqual(['failure', 'success']);

    const byAdmin = await items(`?actorId=${admin.id}`);
    expect(byAdmin.length).toBeGreaterThan(0);
    expect(byAdmin.every((e) => e.actorId === admin.id)).toBe(true);

    const newest = (await items('?limit=1'))[0];
    if (!newest) throw new Error('no entries');
    expect(await items(`?from=${encodeURIComponent(new Date(Date.parse(newest.at) + 1000).toISOString())}`)).toEqual([]);
    const upTo = await items(`?to=${encodeURIComponent(new Date(Date.parse(newest.at) + 1000).toISOString())}`);
    expect(upTo.length).toBeGreaterThan(0);

    // `_` is literal in an action family, not a wildcard
    expect(await items('?action=auth_login.*')).toEqual([]);
  });

  it('walks every entry exactly once with cursor pages; bad cursors and filters are 400', async () => {
    const all = await items('?limit=100');
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const res = await list(`?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      const page: { items: Entry[]; nextCursor: string | null } = res.json();
      seen.push(...page.items.map((e) => e.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.map((e) => e.id));

    for (const query of ['?cursor=nonsense', '?action=x%27%20or%201=1', '?outcome=maybe', '?actorId=1', '?from=yesterday', '?limit=1000']) {
      const res = await list(query);
      expect(res.statusCode, query).toBe(400);
    }
  });
});

describe('the chain', () => {
  it('stays intact under concurrent writers', async () => {
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        recordAudit(
          t.db.db,
          { actorId: null, actorLabel: 'test', ip: null, requestId: `r${i}` },
          { action: 'test.concurrent', entityType: 'test' },
        ),
      ),
    );
    expect(await verifyAuditChain(t.db.db)).toMatchObject({ ok: true });
  });

  it('the database refuses to change or delete a row', async () => {
    const [first] = await t.db.db.select().from(auditLog).limit(1);
    if (!first) throw new Error('no audit rows');
    await expect(t.db.db.update(auditLog).set({ reason: 'edited' }).where(eq(auditLog.id, first.id))).rejects.toThrow();
    await expect(t.db.db.delete(auditLog).where(eq(auditLog.id, first.id))).rejects.toThrow();
    expect(await verifyAuditChain(t.db.db)).toMatchObject({ ok: true });
  });

  it('the server plugin logs a checkpoint line that verify accepts; off by default under NODE_ENV=test', async () => {
    const logLines = async (opts: { checkpoints?: boolean }) => {
      const lines: string[] = [];
      const app = Fastify({ loggerInstance: pino({ level: 'info' }, { write: (line: string) => void lines.push(line) }) });
      app.decorate('services', t.services);
      await app.register(auditPlugin, { ...opts, intervalMs: 3_600_000 });
      await app.ready();
      await app.close();
      return lines.map((l) => JSON.parse(l) as { event?: string; msg: string }).filter((l) => l.event === 'audit.checkpoint');
    };
    const logged = await logLines({ checkpoints: true });
    expect(logged).toHaveLength(1);
    const checkpoint = parseCheckpoint(logged[0]?.msg ?? '');
    expect(checkpoint).toEqual(await auditCheckpoint(t.db.db));
    expect(await verifyAuditChain(t.db.db, { checkpoints: [checkpoint] })).toMatchObject({ ok: true });
    expect(await logLines({})).toEqual([]);
  });

  it('names the first edited row when someone gets past the trigger', async () => {
    const rows = await t.db.db.select().from(auditLog).orderBy(auditLog.id);
    const victim = rows[2];
    if (!victim) throw new Error('not enough audit rows');
    await t.db.db.execute(sql`alter table audit_log disable trigger audit_log_no_update_delete`);
    await t.db.db.update(auditLog).set({ reason: 'nothing happened here' }).where(eq(auditLog.id, victim.id));
    await t.db.db.execute(sql`alter table audit_log enable trigger audit_log_no_update_delete`);
    expect(await verifyAuditChain(t.db.db)).toEqual({
      ok: false,
      rows: 3,
      brokenAt: victim.id,
      problem: 'content does not match its hash',
    });
  });
});

const TESTER = { actorId: null, actorLabel: 'chain-test', ip: null, requestId: null };

/** A fresh database holding `n` keyed rows, and a way around the append-only trigger (as an attacker with write access). */
async function chainOf(n: number) {
  const handle = await createTestDatabase();
  for (let i = 0; i < n; i += 1) await recordAudit(handle.db, TESTER, { action: 'test.row', entityType: 'test', entityId: String(i) });
  const rows = () => handle.db.select().from(auditLog).orderBy(asc(auditLog.id));
  const bypass = async (change: (db: Database) => Promise<unknown>) => {
    await handle.db.execute(sql`alter table audit_log disable trigger audit_log_no_update_delete`);
    try {
      await change(handle.db);
    } finally {
      await handle.db.execute(sql`alter table audit_log enable trigger audit_log_no_update_delete`);
    }
  };
  return { handle, db: handle.db, rows, bypass };
}

/** What an attacker without the key can do: rewrite every row from `fromIndex` with freshly computed hashes. */
async function rehashFrom(
  db: Database,
  fromIndex: number,
  hash: (prev: string, row: typeof auditLog.$inferSelect) => { hash: string; hashVersion: number },
) {
  const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
  let prev = rows[fromIndex - 1]?.hash ?? GENESIS_HASH;
  for (const row of rows.slice(fromIndex)) {
    const next = hash(prev, row);
    await db
      .update(auditLog)
      .set({ prevHash: prev, ...next })
      .where(eq(auditLog.id, row.id));
    prev = next.hash;
  }
}

describe('the keyed chain and its checkpoints', () => {
  it('untouched, it verifies against its checkpoint; with the newest rows deleted, only the checkpoint notices', async () => {
    const c = await chainOf(5);
    try {
      const checkpoint = await auditCheckpoint(c.db);
      if (!checkpoint) throw new Error('no checkpoint');
      expect(checkpoint).toMatchObject({ count: 5 });
      const line = formatCheckpoint(checkpoint);
      expect(line).toMatch(/^netflow-audit-checkpoint id=\d+ count=5 hash=[0-9a-f]{64} at=\S+$/);
      expect(parseCheckpoint(`  ${line}\n`)).toEqual(checkpoint);
      // Rows appended after the checkpoint are fine.
      await recordAudit(c.db, TESTER, { action: 'test.later', entityType: 'test' });
      expect(await verifyAuditChain(c.db, { checkpoints: [checkpoint] })).toMatchObject({ ok: true, rows: 6, legacyRows: 0 });
      expect((await c.rows()).every((r) => r.hashVersion === 2)).toBe(true);

      const keep = (await c.rows())[3];
      if (!keep) throw new Error('rows missing');
      await c.bypass((db) => db.delete(auditLog).where(gte(auditLog.id, keep.id)));
      // What a keyed chain cannot see on its own: a shorter chain is still a valid chain.
      expect(await verifyAuditChain(c.db)).toMatchObject({ ok: true, rows: 3 });
      expect(await verifyAuditChain(c.db, { checkpoints: [checkpoint] })).toEqual({
        ok: false,
        rows: 3,
        brokenAt: checkpoint.id,
        problem: `the chain ends at row ${keep.id - 1} (3 rows) before checkpoint row ${checkpoint.id} (5 rows): rows were removed`,
      });

      // Truncated, then new rows appended over the gap: the checkpoint's row is missing.
      for (let i = 0; i < 3; i += 1) await recordAudit(c.db, TESTER, { action: 'test.after', entityType: 'test' });
      const report = await verifyAuditChain(c.db, { checkpoints: [checkpoint] });
      expect(report).toMatchObject({
        ok: false,
        brokenAt: checkpoint.id,
        problem: `checkpoint row ${checkpoint.id} is missing from the chain`,
      });
    } finally {
      await c.handle.destroy();
    }
  });

  it('a row edited and the chain recomputed without the key (SHA-256, as before keying) fails', async () => {
    const c = await chainOf(5);
    try {
      const checkpoint = await auditCheckpoint(c.db);
      if (!checkpoint) throw new Error('no checkpoint');
      const victim = (await c.rows())[1];
      if (!victim) throw new Error('rows missing');
      await c.bypass(async (db) => {
        await db.update(auditLog).set({ reason: 'nothing to see' }).where(eq(auditLog.id, victim.id));
        // Recomputed as version 2 rows with plain SHA-256 (the attacker has no key) …
        await rehashFrom(db, 1, (prev, row) => ({ hash: legacyRowHash(prev, hashedFieldsOf(row)), hashVersion: 2 }));
      });
      const asKeyed = { ok: false, rows: 2, brokenAt: victim.id, problem: 'content does not match its hash' };
      expect(await verifyAuditChain(c.db)).toEqual(asKeyed);
      expect(await verifyAuditChain(c.db, { checkpoints: [checkpoint] })).toEqual(asKeyed);

      // … or relabelled as legacy version 1 rows, which are only accepted before the first keyed row.
      await c.bypass((db) => rehashFrom(db, 1, (prev, row) => ({ hash: legacyRowHash(prev, hashedFieldsOf(row)), hashVersion: 1 })));
      expect(await verifyAuditChain(c.db)).toEqual({
        ok: false,
        rows: 2,
        brokenAt: victim.id,
        problem: 'unkeyed row after the chain was keyed',
      });

      // … or the whole chain relabelled as legacy: only the checkpoint can tell, and it does.
      await c.bypass((db) => rehashFrom(db, 0, (prev, row) => ({ hash: legacyRowHash(prev, hashedFieldsOf(row)), hashVersion: 1 })));
      expect(await verifyAuditChain(c.db)).toMatchObject({ ok: true, legacyRows: 5 });
      const head = (await c.rows()).at(-1);
      expect(await verifyAuditChain(c.db, { checkpoints: [checkpoint] })).toMatchObject({ ok: false, brokenAt: head?.id });

      // Recomputed with some other key: still not the chain's key.
      const otherKey = createSecretKey(Buffer.from('an-attacker-chosen-key-0123456789abcdef'));
      await c.bypass((db) =>
        rehashFrom(db, 0, (prev, row) => ({ hash: keyedRowHash(prev, hashedFieldsOf(row), otherKey), hashVersion: 2 })),
      );
      expect(await verifyAuditChain(c.db)).toMatchObject({
        ok: false,
        brokenAt: (await c.rows())[0]?.id,
        problem: 'content does not match its hash',
      });
    } finally {
      await c.handle.destroy();
    }
  });

  it('rows from before keying verify as legacy, and the first keyed row seals them', async () => {
    const handle = await createTestDatabase();
    try {
      // Three rows as the previous release wrote them (plain SHA-256, version 1).
      let prev = GENESIS_HASH;
      for (let i = 0; i < 3; i += 1) {
        const fields = {
          at: new Date(),
          ...TESTER,
          action: 'legacy.row',
          entityType: 'test',
          entityId: String(i),
          outcome: 'success' as const,
          reason: null,
          changes: { i },
        };
        const hash = legacyRowHash(prev, fields);
        await handle.db.insert(auditLog).values({ ...fields, prevHash: prev, hash, hashVersion: 1 });
        prev = hash;
      }
      expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, rows: 3, legacyRows: 3 });
      expect(await sealLegacyRows(handle.db, TESTER)).toBe(3);
      expect(await sealLegacyRows(handle.db, TESTER)).toBe(0);
      const [seal] = await handle.db.select().from(auditLog).orderBy(desc(auditLog.id)).limit(1);
      expect(seal).toMatchObject({ action: 'audit.chain.keyed', hashVersion: 2, changes: { legacyRows: 3 } });
      expect(await verifyAuditChain(handle.db)).toMatchObject({ ok: true, rows: 4, legacyRows: 3 });

      // Rewriting a legacy row and its legacy successors no longer fits the keyed row that sealed them.
      const [first] = await handle.db.select().from(auditLog).orderBy(asc(auditLog.id)).limit(1);
      await handle.db.execute(sql`alter table audit_log disable trigger audit_log_no_update_delete`);
      await handle.db
        .update(auditLog)
        .set({ reason: 'rewritten' })
        .where(eq(auditLog.id, first?.id ?? 0));
      const rows = await handle.db.select().from(auditLog).orderBy(asc(auditLog.id));
      let p = GENESIS_HASH;
      for (const row of rows.slice(0, 3)) {
        const hash = legacyRowHash(p, hashedFieldsOf(row));
        await handle.db.update(auditLog).set({ prevHash: p, hash }).where(eq(auditLog.id, row.id));
        p = hash;
      }
      await handle.db.execute(sql`alter table audit_log enable trigger audit_log_no_update_delete`);
      expect(await verifyAuditChain(handle.db)).toMatchObject({
        ok: false,
        brokenAt: seal?.id,
        problem: 'previous-hash link does not match the row before it',
      });
    } finally {
      await handle.destroy();
    }
  });

  it('refuses to write an unkeyed row: a process that never set the key fails loudly', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = [
      "import { recordAudit } from './src/modules/audit/chain.ts';",
      "await recordAudit({}, { actorId: null, actorLabel: null, ip: null, requestId: null }, { action: 'x', entityType: 'y' })",
      "  .then(() => console.log('wrote'), (e) => console.log(e.message));",
    ].join('\n');
    const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: apiRoot,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('audit key not configured: call useAuditKey(config.auditKey) at start-up');
  }, 60_000);
});

describe('pnpm --filter @netflow/api audit:verify', () => {
  const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const run = promisify(execFile);

  /** A database the CLI can open from its environment: on disk (embedded) or on the server. */
  async function cliDatabase() {
    if (process.env.TEST_DATABASE_URL) {
      const db = await createTestDatabase();
      return { db, env: { DATABASE_URL: db.url ?? '' }, done: () => db.destroy() };
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netflow-audit-cli-'));
    const templateFile = inject('pgliteTemplate');
    const open = () =>
      createDatabase({ dataDir: path.join(dataDir, 'pglite'), ...(templateFile ? { template: readFileSync(templateFile) } : {}) });
    const db = await open();
    if (!templateFile) await db.migrate();
    return { db, env: { DATABASE_URL: '', DATA_DIR: dataDir }, done: async () => {} };
  }

  /** Runs a CLI script; resolves with its exit code and output instead of throwing on exit 1. */
  const runCli = (script: string, args: string[], env: NodeJS.ProcessEnv) =>
    run(process.execPath, ['--import', 'tsx', script, ...args], { cwd: apiRoot, env }).then(
      (ok) => ({ code: 0, stdout: ok.stdout, stderr: ok.stderr }),
      (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
    );

  // One CLI run (a fresh Node process compiling the CLI with tsx and opening the database): ~10 s
  // on an idle machine, up to 90 s with both cores busy. The checkpoint line is taken the way
  // `audit:checkpoint` takes it (verify, then format the head it ended on), in this process.
  it('verify --checkpoint exits 1 naming the truncation after the newest row is deleted', async () => {
    const { db, env: dbEnv, done } = await cliDatabase();
    for (const action of ['one', 'two', 'three']) {
      await recordAudit(
        db.db,
        { actorId: null, actorLabel: 'cli-test', ip: null, requestId: null },
        { action: `test.${action}`, entityType: 'test' },
      );
    }
    const [, , third] = await db.db.select().from(auditLog).orderBy(auditLog.id);
    if (!third) throw new Error('missing row');
    const report = await verifyAuditChain(db.db);
    if (!report.ok || !report.head) throw new Error('chain not verified');
    const line = formatCheckpoint(report.head);
    expect(line.startsWith(`netflow-audit-checkpoint id=${third.id} count=3 hash=${third.hash} at=`)).toBe(true);
    expect(line.split(' at=')[1]).toMatch(/^\S+$/);
    // The embedded engine is single-process: the CLI can only open it once this handle is closed.
    const embedded = db.kind === 'embedded';
    if (embedded) await db.close();
    const env = { ...process.env, ...dbEnv, JWT_SECRET: TEST_SECRET, AUDIT_KEY: TEST_AUDIT_KEY, NODE_ENV: 'test', LOG_LEVEL: 'silent' };

    const tamper = embedded ? await createDatabase({ dataDir: path.join(dbEnv.DATA_DIR ?? '', 'pglite') }) : db;
    await tamper.db.execute(sql`alter table audit_log disable trigger audit_log_no_update_delete`);
    await tamper.db.delete(auditLog).where(eq(auditLog.id, third.id));
    if (embedded) await tamper.close();

    const truncated = await runCli('src/cli/audit-verify.ts', ['--checkpoint', line], env);
    expect(truncated.code).toBe(1);
    expect(truncated.stdout).toBe(
      `audit chain BROKEN at row ${third.id}: the chain ends at row ${third.id - 1} (2 rows) before checkpoint row ${third.id} (3 rows): rows were removed (2 rows read)\n`,
    );
    if (!embedded) await db.close();
    await done();
    // One CLI process: up to 90 s measured with both cores busy; twice that as margin.
  }, 180_000);
});
