/**
 * The audit trail as auditors see it (GET /api/audit: filters, cursor pages, admin and manager
 * only), and as the database keeps it: append-only, hash-chained, verified by `audit:verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { auditLog, createDatabase } from '@netflow/db';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createTestDatabase } from '../../test/db';
import { createTestApp, TEST_PASSWORD, TEST_SECRET } from '../../test/harness';
import type { CurrentUser } from '../../trpc/context';
import { recordAudit, verifyAuditChain } from './service';

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
        recordAudit(t.db.db, { actorId: null, actorLabel: 'test', ip: null, requestId: `r${i}` }, { action: 'test.concurrent', entityType: 'test' }),
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

describe('pnpm --filter @netflow/api audit:verify', () => {
  const apiRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  const run = promisify(execFile);
  const cli = ['--import', 'tsx', 'src/cli/audit-verify.ts'];

  /** A database the CLI can open from its environment: on disk (embedded) or on the server. */
  async function cliDatabase() {
    if (process.env.TEST_DATABASE_URL) {
      const db = await createTestDatabase();
      return { db, env: { DATABASE_URL: db.url ?? '' }, done: () => db.destroy() };
    }
    const dataDir = mkdtempSync(path.join(tmpdir(), 'netflow-audit-cli-'));
    const templateFile = inject('pgliteTemplate');
    const open = () => createDatabase({ dataDir: path.join(dataDir, 'pglite'), ...(templateFile ? { template: readFileSync(templateFile) } : {}) });
    const db = await open();
    if (!templateFile) await db.migrate();
    return { db, env: { DATABASE_URL: '', DATA_DIR: dataDir }, done: async () => {} };
  }

  it('says the chain is intact, then names the broken row and exits 1', async () => {
    const { db, env: dbEnv, done } = await cliDatabase();
    for (const action of ['one', 'two', 'three']) {
      await recordAudit(db.db, { actorId: null, actorLabel: 'cli-test', ip: null, requestId: null }, { action: `test.${action}`, entityType: 'test' });
    }
    const [, second] = await db.db.select().from(auditLog).orderBy(auditLog.id);
    if (!second) throw new Error('missing row');
    // The embedded engine is single-process: the CLI can only open it once this handle is closed.
    const embedded = db.kind === 'embedded';
    if (embedded) await db.close();

    const env = { ...process.env, ...dbEnv, JWT_SECRET: TEST_SECRET, NODE_ENV: 'test', LOG_LEVEL: 'silent' };
    const intact = await run(process.execPath, cli, { cwd: apiRoot, env });
    expect(intact.stdout).toContain('audit chain intact: 3 rows');

    const tamper = embedded ? await createDatabase({ dataDir: path.join(dbEnv.DATA_DIR ?? '', 'pglite') }) : db;
    await tamper.db.execute(sql`alter table audit_log disable trigger audit_log_no_update_delete`);
    await tamper.db.delete(auditLog).where(eq(auditLog.id, second.id));
    if (embedded) await tamper.close();

    const broken = await run(process.execPath, cli, { cwd: apiRoot, env }).then(
      () => null,
      (error: { code: number; stdout: string }) => error,
    );
    expect(broken?.code).toBe(1);
    expect(broken?.stdout).toContain(`audit chain BROKEN at row ${second.id + 1}: previous-hash link does not match`);
    if (!embedded) await db.close();
    await done();
    // Two CLI processes (tsx, embedded PostgreSQL): 55-90 s measured with both cores busy.
  }, 180_000);
});
