/**
 * Quality checks of the staff web client in Chromium (issue 10 items 4, 10–13): an axe-core
 * accessibility check on every page, the first load on a throttled line (bytes, requests, time),
 * phone-width (375 px) screenshots of the customer page, titles/focus/skip link, and the small
 * things staff asked for. Same harness as app.e2e.ts: the built server on a fresh embedded database.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);

const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const DESKTOP = { viewport: { width: 1366, height: 860 }, locale: 'en-GB', timezoneId: 'Africa/Nairobi' } as const;
const PHONE = {
  viewport: { width: 375, height: 812 },
  isMobile: true,
  hasTouch: true,
  locale: 'en-GB',
  timezoneId: 'Africa/Nairobi',
} as const;

/** The throttled line of issue 10 item 4: 1.6 Mbps down, 150 ms round trip (a slow 3G-like line). */
const LINE = { offline: false, latency: 150, downloadThroughput: (1.6 * 1_000_000) / 8, uploadThroughput: (750 * 1_000) / 8 };

const run = Date.now().toString(36);
let serial = 0;
const unique = (label: string) => `${label} ${run}${(serial += 1)}`;
const phone = () => `0744${String((Date.now() + (serial += 1)) % 1_000_000).padStart(6, '0')}`;
const reference = (prefix: string) => `${prefix}${run}${(serial += 1)}`.toUpperCase().slice(0, 20);

interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; role?: string };
}

describe.skipIf(!hasChromium)('quality of the staff web client', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Session;

  async function api<T>(method: string, url: string, token: string | null, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${server.origin}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
  }

  async function call<T>(method: string, url: string, body?: unknown, token = admin.token): Promise<T> {
    const res = await api<T>(method, url, token, body);
    if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  const login = (email: string, password: string) => call<Session>('POST', '/api/auth/login', { identifier: email, password }, '');

  async function open(url: string, as?: Session, options: Parameters<Browser['newContext']>[0] = DESKTOP): Promise<Page> {
    const ctx: BrowserContext = await browser.newContext(options);
    if (as) {
      await ctx.addInitScript(
        (session) => {
          try {
            if (sessionStorage.getItem('netflow.e2e.seeded')) return;
            sessionStorage.setItem('netflow.e2e.seeded', '1');
            sessionStorage.setItem('netflow.session', JSON.stringify(session));
          } catch {
            // about:blank has no storage
          }
        },
        { token: as.token, expiresAt: as.expiresAt },
      );
    }
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    await p.goto(`${server.origin}${url}`);
    return p;
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    admin = await login(server.admin.email, server.admin.password);
  });

  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) await context.close().catch(() => undefined);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('loads the sign-in page on a throttled line (1.6 Mbps, 150 ms): bytes, requests and time', async () => {
    const ctx = await browser.newContext(DESKTOP);
    const p = await ctx.newPage();
    p.setDefaultTimeout(60_000);
    const cdp = await ctx.newCDPSession(p);
    await cdp.send('Network.enable');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
    await cdp.send('Network.emulateNetworkConditions', LINE);
    let bytes = 0;
    let requests = 0;
    const encodings: Record<string, string> = {};
    cdp.on('Network.loadingFinished', (e: { encodedDataLength: number }) => {
      bytes += e.encodedDataLength;
      requests += 1;
    });
    cdp.on('Network.responseReceived', (e: { response: { url: string; headers: Record<string, string> } }) => {
      const h = Object.fromEntries(Object.entries(e.response.headers).map(([k, v]) => [k.toLowerCase(), v]));
      if (e.response.url.includes('/assets/')) encodings[e.response.url.split('/assets/')[1] ?? ''] = h['content-encoding'] ?? 'identity';
    });
    const started = Date.now();
    await p.goto(`${server.origin}/sign-in`, { waitUntil: 'load' });
    await p.getByRole('button', { name: 'Sign in' }).waitFor();
    const interactiveMs = Date.now() - started;
    // Whatever the page fetches after it shows (late chunks) counts too.
    await p.waitForLoadState('networkidle');
    const settledMs = Date.now() - started;
    const figures = { bytes, kb: Math.round(bytes / 1024), requests, interactiveMs, settledMs, encodings };
    console.log(`first load of /sign-in on 1.6 Mbps / 150 ms: ${JSON.stringify(figures)}`);
    writeFileSync(path.join(SHOTS, `first-load-${process.env.FIRST_LOAD_LABEL ?? 'current'}.json`), JSON.stringify(figures, null, 2));
    expect(requests).toBeGreaterThan(0);
    if (process.env.FIRST_LOAD_LABEL !== 'before') {
      // Every script and stylesheet arrives compressed, and the whole first load stays small.
      for (const [file, encoding] of Object.entries(encodings)) if (/\.(js|css)$/.test(file)) expect(encoding, file).toBe('br');
      expect(bytes).toBeLessThan(400 * 1024);
    }
  });
});
