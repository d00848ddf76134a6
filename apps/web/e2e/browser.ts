/**
 * What every browser suite shares: Debian's Chromium with the flags this machine needs, the desktop
 * viewport in Nairobi's time zone, the screenshot folder, and a signed-in session seeded into a
 * browser context the way the web client keeps it (sessionStorage), once per tab.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  console.warn(`\n  SKIPPING the end-to-end suites: no Chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH).\n`);
}

export const SHOTS = path.join(path.dirname(fileURLToPath(import.meta.url)), 'screenshots');

/** Without the background-networking flags Chromium keeps calling Google's hosts, refused here. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const DESKTOP = { viewport: { width: 1366, height: 860 }, locale: 'en-GB', timezoneId: 'Africa/Nairobi' } as const;

/** What POST /api/auth/login answers (the fields the suites use). */
export interface Session {
  token: string;
  expiresAt: string;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

/**
 * Signs the context's pages in: the app reads its session when it loads, so it is stored before the
 * first page script runs; once per tab, so a sign-out in the test stays signed out.
 */
export async function seedSession(ctx: BrowserContext, session: Session): Promise<void> {
  await ctx.addInitScript(
    (s) => {
      try {
        if (sessionStorage.getItem('netflow.e2e.seeded')) return;
        sessionStorage.setItem('netflow.e2e.seeded', '1');
        sessionStorage.setItem('netflow.session', JSON.stringify(s));
      } catch {
        // about:blank has no storage; the app's own origin does.
      }
    },
    { token: session.token, expiresAt: session.expiresAt },
  );
}

/** One REST request to the server under test, as `token` (none: anonymous): its status and JSON body. */
export async function apiRequest<T>(
  origin: string,
  method: string,
  url: string,
  token: string | null,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${origin}${url}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

/** A request that must succeed (status below 300): its body; otherwise it throws with the answer. */
export async function apiCall<T>(origin: string, method: string, url: string, token: string | null, body?: unknown): Promise<T> {
  const res = await apiRequest<T>(origin, method, url, token, body);
  if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}
