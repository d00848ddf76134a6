/**
 * M-Pesa STK push end to end: the built server started with `STANDINS=on` (its Daraja stand-in pays
 * every push after a few seconds, calling the server's callback URL back), a finance user asks the
 * customer's phone for a payment from the customer page, watches it resolve to paid, and sees the
 * subscription renewed.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { apiCall, DESKTOP, hasChromium, launchChromium, type Session, SHOTS } from './browser';

const run = Date.now().toString(36);

describe.skipIf(!hasChromium)('M-Pesa STK push in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Session;
  const seen = { csp: [] as string[], errors: [] as string[] };

  const call = <T>(method: string, url: string, body?: unknown, token: string | null = admin.token) =>
    apiCall<T>(server.origin, method, url, token, body);

  async function open(url: string, as: Session): Promise<Page> {
    const ctx = await browser.newContext(DESKTOP);
    await ctx.addInitScript((session) => {
      try {
        sessionStorage.setItem('netflow.session', JSON.stringify(session));
      } catch {
        // about:blank has no storage
      }
    }, as);
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) seen.csp.push(msg.text());
    });
    page.on('pageerror', (error) => seen.errors.push(error.message));
    await page.goto(`${server.origin}${url}`);
    return page;
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    // startServer passes this process's environment on: the server starts its Daraja stand-in.
    process.env.STANDINS = 'on';
    try {
      server = await startServer();
    } finally {
      delete process.env.STANDINS;
    }
    browser = await launchChromium();
    admin = await call<Session>('POST', '/api/auth/login', { identifier: server.admin.email, password: server.admin.password }, '');
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('finance requests an STK push, the stand-in pays it, the page shows paid and the renewed expiry', async () => {
    const plan = await call<{ id: string; name: string }>('POST', '/api/plans', {
      name: `STK Fibre ${run}`,
      type: 'pppoe',
      downloadKbps: 8_000,
      uploadKbps: 4_000,
      priceCents: 1_500_00,
      validityDays: 30,
    });
    const lead = await call<{ id: string }>('POST', '/api/leads', { name: `Akinyi STK ${run}`, phone: '0711222333', planId: plan.id });
    for (const status of ['contacted', 'qualified']) await call('POST', `/api/leads/${lead.id}/status`, { status });
    const customer = await call<{ customerId: string; accountNumber: string; subscriptionId: string }>(
      'POST',
      `/api/leads/${lead.id}/convert`,
      { planId: plan.id },
    );
    // Activated awaiting payment: its expiry is now, so a paid push visibly moves it a period on.
    await call('POST', `/api/subscriptions/${customer.subscriptionId}/activate`, {});
    const password = `Kiboko-Sunrise-${run}-42`;
    const email = `finance.stk.${run}@example.co.ke`;
    await call('POST', '/api/users', { name: `Finance ${run}`, email, role: 'finance', password });
    const finance = await call<Session>('POST', '/api/auth/login', { identifier: email, password }, '');

    const page = await open(`/customers/${customer.customerId}`, finance);
    const expiry = page.getByTestId('subscription-row').filter({ hasText: plan.name }).getByTestId('subscription-expiry');
    await expiry.waitFor();
    const expiryBefore = (await expiry.textContent()) ?? '';

    await page.getByRole('button', { name: 'Request M-Pesa payment' }).click();
    const dialog = page.getByRole('dialog');
    await expect.poll(() => dialog.getByLabel('Phone').inputValue()).toBe('0711222333');
    await dialog.getByLabel('Phone').fill('+254 711 222 333');
    await dialog.getByLabel('Amount').fill('1500');
    await dialog.getByRole('button', { name: 'Send request' }).click();
    await dialog.locator('[data-testid="stk-status"][data-status="pending"]').waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'mpesa-01-stk-pending.png') });
    const paid = dialog.locator('[data-testid="stk-status"][data-status="paid"]');
    await paid.waitFor({ timeout: 30_000 });
    expect(await paid.textContent()).toMatch(/Ksh\s?1,500 received, M-Pesa receipt [A-Z0-9]+/);
    await page.screenshot({ path: path.join(SHOTS, 'mpesa-02-stk-paid.png') });
    await dialog.getByRole('button', { name: 'Done' }).click();

    await page.waitForFunction(
      ([before]) => {
        const cell = document.querySelector('[data-testid="subscription-expiry"]');
        return cell !== null && cell.textContent !== before && /\d/.test(cell.textContent ?? '');
      },
      [expiryBefore],
    );
    await page.getByRole('tab', { name: 'Payments' }).click();
    await page
      .getByRole('cell', { name: /Ksh\s?1,500/ })
      .first()
      .waitFor();
    expect(seen).toEqual({ csp: [], errors: [] });
  });
});
