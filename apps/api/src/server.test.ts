import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const res = await t.app.inject({ method: 'GET', url: '/api/nope' });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: 'Not found' });
    expect(res.headers['content-security-policy']).toBeDefined();
  });

  it('serves the OpenAPI document', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.json().paths['/health/status']).toBeDefined();
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
