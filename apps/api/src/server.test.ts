import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';
import { createTestApp } from './test/harness';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('HTTP surface of the foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('GET /api/health answers 200 with security headers and a request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/health' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
    expect(res.headers['strict-transport-security']).toContain('max-age=');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['content-security-policy']).not.toContain('unsafe-eval');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('the typed health procedure answers over tRPC and REST', async () => {
    const trpc = await t.app.inject({ method: 'GET', url: '/trpc/health.check' });
    expect(trpc.statusCode).toBe(200);
    expect(trpc.json().result.data).toMatchObject({ status: 'ok', database: t.db.kind });
    const rest = await t.app.inject({ method: 'GET', url: '/api/health/status' });
    expect(rest.statusCode).toBe(200);
    expect(rest.json()).toMatchObject({ status: 'ok', database: t.db.kind });
  });

  it('unknown API paths answer a JSON 404 with headers', async () => {
    for (const url of ['/api/nope', '/trpc/nope.nothing', '/favicon.ico']) {
      const res = await t.app.inject({ method: 'GET', url });
      expect({ url, status: res.statusCode }).toEqual({ url, status: 404 });
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    expect((await t.app.inject({ method: 'GET', url: '/api/nope' })).json()).toEqual({ error: 'Not found' });
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{
      openapi: string;
      info: { title: string };
      paths: Record<string, Record<string, { summary?: string; tags?: string[] }>>;
    }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('NetFlow CRM API');
    expect(doc.paths['/health/status']?.get).toMatchObject({ summary: 'API status', tags: ['health'] });
    // The export procedures are gone; the CSV routes are documented by hand.
    expect(Object.keys(doc.paths['/leads/export'] ?? {})).toEqual(['get']);
  });

  it('GET /api/ready is 200 while the database answers and 503 once it is closed', async () => {
    const ready = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready', database: t.db.kind });

    await t.db.close();
    const down = await t.app.inject({ method: 'GET', url: '/api/ready' });
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ status: 'unavailable', error: 'Database is not answering' });
    expect(down.body).not.toMatch(/ECONNREFUSED|postgres|pglite|stack/i);
  });
});

describe('API docs and health details (API_DOCS)', () => {
  it('default to public outside production and to private in production; API_DOCS=public opens them', () => {
    const base = {
      JWT_SECRET: 'x'.repeat(40),
      AUDIT_KEY: 'y'.repeat(40),
      APP_ENCRYPTION_KEY: 'z'.repeat(40),
      SMS_PROVIDER: 'log',
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'netflow-docs-')),
    };
    expect(loadConfig({ ...base, NODE_ENV: 'development' }).apiDocs).toBe('public');
    expect(loadConfig({ ...base, NODE_ENV: 'test' }).apiDocs).toBe('public');
    expect(loadConfig({ ...base, NODE_ENV: 'production' }).apiDocs).toBe('private');
    expect(loadConfig({ ...base, NODE_ENV: 'production', API_DOCS: 'public' }).apiDocs).toBe('public');
    expect(loadConfig({ ...base, NODE_ENV: 'development', API_DOCS: 'private' }).apiDocs).toBe('private');
    expect(() => loadConfig({ ...base, API_DOCS: 'yes' })).toThrow(ConfigError);
  });

  describe('private', () => {
    let t: TestApp;
    let token: string;
    beforeAll(async () => {
      t = await createTestApp({ API_DOCS: 'private' });
      token = await t.tokenFor(await t.createUser({ role: 'technician' }));
    });
    afterAll(async () => {
      await t.close();
    });

    it('has no docs UI and gives the OpenAPI document to signed-in staff only', async () => {
      for (const url of ['/api/docs', '/api/docs/', '/api/docs/json', '/api/docs/static/index.html']) {
        expect({ url, status: (await t.app.inject({ method: 'GET', url })).statusCode }).toEqual({ url, status: 404 });
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
      expect(anonymous.statusCode).toBe(401);
      expect(anonymous.json()).toEqual({ error: 'Authentication required' });
      expect((await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: 'Bearer a.b.c' } })).statusCode).toBe(
        401,
      );
      const signedIn = await t.app.inject({ method: 'GET', url: '/api/openapi.json', headers: { authorization: `Bearer ${token}` } });
      expect(signedIn.statusCode).toBe(200);
      expect(signedIn.json<{ info: { title: string } }>().info.title).toBe('NetFlow CRM API');
    });

    it('health answers only {status} to anonymous callers, the details to signed-in staff', async () => {
      const auth = { authorization: `Bearer ${token}` };
      expect((await t.app.inject({ method: 'GET', url: '/api/health' })).json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/api/ready' })).json()).toEqual({ status: 'ready' });
      expect((await t.app.inject({ method: 'GET', url: '/api/health/status' })).json()).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/trpc/health.check' })).json().result.data).toEqual({ status: 'ok' });
      expect((await t.app.inject({ method: 'GET', url: '/api/ready', headers: auth })).json()).toEqual({
        status: 'ready',
        database: t.db.kind,
      });
      expect((await t.app.inject({ method: 'GET', url: '/api/health/status', headers: auth })).json()).toMatchObject({
        status: 'ok',
        database: t.db.kind,
        version: expect.any(String),
      });
    });
  });

  it('public: the docs UI is served', async () => {
    const t = await createTestApp({ API_DOCS: 'public' });
    try {
      const ui = await t.app.inject({ method: 'GET', url: '/api/docs/' });
      expect(ui.statusCode).toBe(200);
      expect(ui.headers['content-type']).toContain('text/html');
      expect((await t.app.inject({ method: 'GET', url: '/api/openapi.json' })).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/api/ready' })).json()).toEqual({ status: 'ready', database: t.db.kind });
    } finally {
      await t.close();
    }
  });
});

describe('the built web client', () => {
  let t: TestApp;
  const webPublic = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/public');
  beforeAll(async () => {
    // A stand-in for apps/web/dist: the shell, one fingerprinted asset and the real icons.
    const dist = mkdtempSync(path.join(tmpdir(), 'netflow-web-'));
    writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>NetFlow CRM</title><link rel="icon" href="/favicon.ico">');
    mkdirSync(path.join(dist, 'assets'));
    writeFileSync(path.join(dist, 'assets', 'index-abc123.js'), 'export {};');
    for (const icon of ['favicon.ico', 'favicon.svg']) writeFileSync(path.join(dist, icon), readFileSync(path.join(webPublic, icon)));
    t = await createTestApp({ WEB_DIST_DIR: dist, RATE_LIMIT_GLOBAL_PER_MINUTE: '5' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('serves /favicon.ico (a real icon) with a day of caching; assets for good; the shell never stale', async () => {
    const icon = await t.app.inject({ method: 'GET', url: '/favicon.ico', remoteAddress: '198.51.100.1' });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers['content-type']).toMatch(/^image\/(x-icon|vnd\.microsoft\.icon)/);
    expect(icon.headers['cache-control']).toBe('public, max-age=86400');
    expect(icon.rawPayload.subarray(0, 4)).toEqual(Buffer.from([0, 0, 1, 0]));
    const svg = await t.app.inject({ method: 'GET', url: '/favicon.svg', remoteAddress: '198.51.100.1' });
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.headers['cache-control']).toBe('public, max-age=86400');
    const asset = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js', remoteAddress: '198.51.100.1' });
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    for (const url of ['/', '/leads/123']) {
      const page = await t.app.inject({ method: 'GET', url, remoteAddress: '198.51.100.1' });
      expect({ url, status: page.statusCode, cache: page.headers['cache-control'] }).toEqual({ url, status: 200, cache: 'no-cache' });
      expect(page.body).toContain('<title>NetFlow CRM</title>');
    }
  });

  it('a page load costs one request of the per-address budget: icons and assets are not counted', async () => {
    const from = { remoteAddress: '198.51.100.2' };
    for (let i = 0; i < 10; i += 1) {
      for (const url of ['/favicon.ico', '/favicon.svg', '/assets/index-abc123.js'])
        expect((await t.app.inject({ method: 'GET', url, ...from })).statusCode).toBe(200);
    }
    const pages = [];
    for (let i = 0; i < 6; i += 1) pages.push((await t.app.inject({ method: 'GET', url: '/', ...from })).statusCode);
    expect(pages).toEqual([200, 200, 200, 200, 200, 429]);
  });
});
