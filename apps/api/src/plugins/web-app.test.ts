/**
 * Static files of the web client: fingerprinted assets cached for good and index.html revalidated
 * every time; text files sent as the brotli or gzip copy the build made, by Accept-Encoding.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../test/harness';

type TestApp = Awaited<ReturnType<typeof createTestApp>>;

describe('the web client’s static files', () => {
  let t: TestApp;
  const js = `export const greeting = ${JSON.stringify('habari '.repeat(400))};\n`;
  const html = `<!doctype html><title>NetFlow CRM</title><script type="module" src="/assets/index-abc123.js"></script>${'<!-- -->'.repeat(200)}`;
  const from = { remoteAddress: '198.51.100.30' };

  beforeAll(async () => {
    // A stand-in for apps/web/dist as the build leaves it: each text file with its .br and .gz.
    const dist = mkdtempSync(path.join(tmpdir(), 'netflow-web-static-'));
    mkdirSync(path.join(dist, 'assets'));
    const put = (file: string, body: string) => {
      writeFileSync(path.join(dist, file), body);
      writeFileSync(path.join(dist, `${file}.br`), brotliCompressSync(body));
      writeFileSync(path.join(dist, `${file}.gz`), gzipSync(body));
    };
    put('index.html', html);
    put('assets/index-abc123.js', js);
    // A file the build left uncompressed (too small): sent plain whatever the browser accepts.
    writeFileSync(path.join(dist, 'assets', 'tiny-def456.js'), 'export {};');
    t = await createTestApp({ WEB_DIST_DIR: dist });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('sends brotli to a browser that accepts it, gzip to one that only takes gzip, plain otherwise; cached for a year', async () => {
    const br = await t.app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
      ...from,
    });
    expect(br.statusCode).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toMatch(/^(text|application)\/javascript/);
    expect(br.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).toString()).toBe(js);
    expect(br.rawPayload.length).toBeLessThan(js.length / 5);

    const gz = await t.app.inject({ method: 'GET', url: '/assets/index-abc123.js', headers: { 'accept-encoding': 'gzip' }, ...from });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(gz.headers.vary).toMatch(/accept-encoding/i);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(js);

    const plain = await t.app.inject({
      method: 'GET',
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'identity' },
      ...from,
    });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(js);
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const tiny = await t.app.inject({ method: 'GET', url: '/assets/tiny-def456.js', headers: { 'accept-encoding': 'br, gzip' }, ...from });
    expect(tiny.statusCode).toBe(200);
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body).toBe('export {};');
  });

  it('sends the shell compressed and never stale, at / and at any page URL', async () => {
    for (const url of ['/', '/customers/123', '/index.html']) {
      const res = await t.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br' }, ...from });
      expect({ url, status: res.statusCode, cache: res.headers['cache-control'], encoding: res.headers['content-encoding'] }).toEqual({
        url,
        status: 200,
        cache: 'no-cache',
        encoding: 'br',
      });
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers.vary).toMatch(/accept-encoding/i);
      expect(brotliDecompressSync(res.rawPayload).toString()).toBe(html);
    }
    const gz = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip' }, ...from });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toBe(html);
  });

  it('an unknown asset is a 404, not the shell', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/assets/nope-000000.js', headers: { 'accept-encoding': 'br' }, ...from });
    expect(res.statusCode).toBe(404);
  });
});
