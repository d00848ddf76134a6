/**
 * REST versions: `/api/v1` is canonical and `/api` its alias. Every operation of the OpenAPI
 * document answers the same on both (iterated from the document, so routes added later are
 * covered), signed-in reads give the same bodies, both spellings spend one rate-limit budget and
 * refuse the same oversized body, and the document (at both addresses and in the docs UI) names
 * `/api/v1` as its server.
 */
import { plans } from '@netflow/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertCustomer } from '../test/fixtures';
import { createTestApp } from '../test/harness';
import { API_ALIAS_PREFIX, API_V1_PREFIX } from './api-version';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;
type Document = { servers?: { url: string }[]; paths: Record<string, Record<string, unknown>> };
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
const SOME_ID = '00000000-0000-4000-8000-000000000000';

let t: TestApp;
let token: string;
let document: Document;

beforeAll(async () => {
  t = await createTestApp();
  token = await t.tokenFor(await t.createUser({ role: 'admin' }));
  await insertCustomer(t.db.db, { name: 'Versioned Customer' });
  await t.db.db
    .insert(plans)
    .values({ name: 'Fibre 10', type: 'pppoe', downloadKbps: 10_000, uploadKbps: 5_000, priceCents: 200_000, validityDays: 30 });
  const res = await t.app.inject({ method: 'GET', url: `${API_V1_PREFIX}/openapi.json` });
  expect(res.statusCode).toBe(200);
  document = res.json<Document>();
});
afterAll(async () => t.close());

/** Webhooks are called at a URL set once on the provider's side: unversioned only. */
const isWebhook = (template: string) => template.startsWith('/hooks/');

/** Every versioned operation of the document, its path parameters filled with one id. */
function operations(): { method: Uppercase<(typeof METHODS)[number]>; path: string }[] {
  return Object.entries(document.paths)
    .filter(([template]) => !isWebhook(template))
    .flatMap(([template, item]) =>
      METHODS.filter((m) => m in item).map((m) => ({
        method: m.toUpperCase() as Uppercase<(typeof METHODS)[number]>,
        path: template.replace(/\{[^}]+\}/g, SOME_ID),
      })),
    );
}

describe('REST under /api/v1 and its /api alias', () => {
  it('serves one document naming /api/v1 as its server, at both addresses and in the docs UI', async () => {
    expect(document.servers).toEqual([{ url: API_V1_PREFIX }]);
    const alias = await t.app.inject({ method: 'GET', url: `${API_ALIAS_PREFIX}/openapi.json` });
    expect(alias.json()).toEqual(document);
    const ui = await t.app.inject({ method: 'GET', url: '/api/docs/json' });
    expect(ui.statusCode).toBe(200);
    expect(ui.json<Document>().servers).toEqual([{ url: API_V1_PREFIX }]);
    expect(Object.keys(document.paths).length).toBeGreaterThan(20);
  });

  it('answers every operation of the document with the same status on both prefixes (no token)', async () => {
    const differ: string[] = [];
    const ops = operations();
    for (const { method, path } of ops) {
      const call = (prefix: string) =>
        t.app.inject({ method, url: `${prefix}${path}`, ...(method === 'GET' || method === 'DELETE' ? {} : { payload: {} }) });
      const [v1, alias] = [await call(API_V1_PREFIX), await call(API_ALIAS_PREFIX)];
      if (v1.statusCode !== alias.statusCode) differ.push(`${method} ${path}: v1 ${v1.statusCode}, alias ${alias.statusCode}`);
      // A route that exists never answers "no such route" on either prefix.
      if (v1.statusCode === 404 && v1.json<{ error: string }>().error === 'Not found') differ.push(`${method} ${path}: no route on v1`);
    }
    expect(ops.length).toBeGreaterThan(30);
    expect(differ).toEqual([]);
  });

  it('gives signed-in reads the same status and body on both prefixes', async () => {
    const headers = { authorization: `Bearer ${token}` };
    for (const path of ['/auth/me', '/customers?limit=5', '/plans', '/leads', '/dashboard', '/health/status', `/customers/${SOME_ID}`]) {
      const v1 = await t.app.inject({ method: 'GET', url: `${API_V1_PREFIX}${path}`, headers });
      const alias = await t.app.inject({ method: 'GET', url: `${API_ALIAS_PREFIX}${path}`, headers });
      expect(alias.statusCode, path).toBe(v1.statusCode);
      const strip = (body: string) => body.replace(/"(uptimeSeconds|requestId|generatedAt)":[^,}]+/g, '');
      expect(strip(alias.body), path).toBe(strip(v1.body));
    }
    const csv = await t.app.inject({ method: 'GET', url: `${API_V1_PREFIX}/customers/export`, headers });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toContain('Versioned Customer');
  });

  it('answers health and readiness on both prefixes; webhooks stay unversioned', async () => {
    for (const prefix of [API_V1_PREFIX, API_ALIAS_PREFIX]) {
      expect((await t.app.inject({ method: 'GET', url: `${prefix}/health` })).json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: `${prefix}/ready` })).statusCode).toBe(200);
    }
    expect((await t.app.inject({ method: 'POST', url: `${API_V1_PREFIX}/hooks/anything`, payload: {} })).statusCode).toBe(404);
  });

  it('refuses the same oversized body on both prefixes', async () => {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const payload = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
    for (const prefix of [API_V1_PREFIX, API_ALIAS_PREFIX]) {
      expect((await t.app.inject({ method: 'POST', url: `${prefix}/leads`, headers, payload })).statusCode, prefix).toBe(413);
    }
  });
});

describe('one rate-limit budget for both spellings', () => {
  it('counts /api/v1 and /api requests of one client together', async () => {
    const limited = await createTestApp({ RATE_LIMIT_GLOBAL_PER_MINUTE: '4' });
    try {
      const statuses: number[] = [];
      for (const prefix of [API_V1_PREFIX, API_ALIAS_PREFIX, API_V1_PREFIX, API_ALIAS_PREFIX, API_V1_PREFIX, API_ALIAS_PREFIX]) {
        statuses.push((await limited.app.inject({ method: 'GET', url: `${prefix}/auth/me`, remoteAddress: '198.51.100.4' })).statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });
});
