/**
 * SMS in the browser, against the built server (SMS_PROVIDER=log, its job workers on): an admin
 * edits the receipt template with the server's live preview (an unknown placeholder is refused
 * before saving); a payment recorded for a customer puts its receipt on the customer's timeline
 * and SMS panel, sent through the queue; the opt-out switch lands on the timeline.
 */
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { type Session, hasChromium, launchChromium, seedSession } from './browser';

const DESKTOP = { viewport: { width: 1366, height: 900 }, locale: 'en-GB', timezoneId: 'Africa/Nairobi' } as const;
const run = Date.now().toString(36);
let serial = 0;
const unique = (label: string) => `${label} ${run}${(serial += 1)}`;

describe.skipIf(!hasChromium)('SMS templates and receipts in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Session;
  let errors: string[] = [];

  async function call<T>(method: string, url: string, body?: unknown, token: string | null = admin.token): Promise<T> {
    const res = await fetch(`${server.origin}${url}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`${method} ${url} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function open(path: string): Promise<Page> {
    const ctx = await browser.newContext(DESKTOP);
    await seedSession(ctx, { token: admin.token, expiresAt: admin.expiresAt });
    const page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${server.origin}${path}`);
    return page;
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    server = await startServer();
    browser = await launchChromium();
    admin = await call<Session>('POST', '/api/auth/login', { identifier: server.admin.email, password: server.admin.password }, null);
  });

  afterEach(async () => {
    for (const context of browser?.contexts() ?? []) await context.close().catch(() => undefined);
    expect(errors).toEqual([]);
    errors = [];
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('an admin edits the receipt template with a live server preview; unknown placeholders are refused', async () => {
    const page = await open('/');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'SMS templates', exact: true }).click();
    const receipt = page.getByTestId('sms-template-receipt');
    const text = receipt.getByLabel('Payment receipt text');
    await text.fill('Asante {name}! We got {amount} for {account} ({oops}).');
    await receipt.getByText('Unknown placeholder {oops}').waitFor();
    expect(await receipt.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);

    await text.fill('Asante {name}! We got {amount} for account {account}.');
    await page.getByTestId('sms-preview-receipt').getByText('Asante Jane Wanjiku! We got KES 1,500 for account NF-000123.').waitFor();
    await page
      .getByTestId('sms-segments-receipt')
      .getByText(/1 SMS part/)
      .waitFor();
    await receipt.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Payment receipt saved').waitFor();

    await page.reload();
    await expect
      .poll(() => page.getByTestId('sms-template-receipt').getByLabel('Payment receipt text').inputValue())
      .toBe('Asante {name}! We got {amount} for account {account}.');
    await page
      .getByTestId('sms-template-receipt')
      .getByText(/^Edited by /)
      .waitFor();
  });

  it('a payment recorded for a customer puts its receipt on the timeline and the SMS panel; the opt-out is recorded', async () => {
    const plan = await call<{ id: string }>('POST', '/api/plans', {
      name: unique('SMS Fibre'),
      type: 'pppoe',
      downloadKbps: 8_000,
      uploadKbps: 4_000,
      priceCents: 2_000_00,
      validityDays: 30,
    });
    const name = unique('Achieng SMS');
    const customer = await call<{ id: string; accountNumber: string }>('POST', '/api/customers', {
      name,
      phone: `0733${String(Date.now() % 1_000_000).padStart(6, '0')}`,
    });
    await call('POST', '/api/subscriptions', { customerId: customer.id, planId: plan.id });
    await call('POST', '/api/payments', {
      customerId: customer.id,
      method: 'mpesa',
      reference: `SMS${run}`.toUpperCase().slice(0, 20),
      amountCents: 500_00,
    });

    const page = await open(`/customers/${customer.id}?tab=timeline`);
    // Queued with the payment, then sent by the queue's worker (log provider) within seconds.
    const entry = page.getByTestId('timeline').getByText(/^Payment receipt SMS (queued|sent)/);
    await entry.waitFor();
    await expect
      .poll(
        async () => {
          await page.reload();
          await page.getByTestId('timeline').waitFor();
          return page
            .getByTestId('timeline')
            .getByText(/^Payment receipt SMS sent to \+254733/)
            .count();
        },
        { timeout: 60_000, interval: 2_000 },
      )
      .toBe(1);
    await page.getByTestId('timeline').getByText(`We got KES 500 for account ${customer.accountNumber}`, { exact: false }).waitFor();
    const panel = page.getByTestId('sms-panel');
    await panel.getByText('Payment receipt').waitFor();
    await panel.getByText('sent', { exact: true }).waitFor();

    await panel.getByRole('switch', { name: 'Opted out of SMS' }).click();
    await page.getByTestId('timeline').getByText('Opted out of SMS: no automatic messages will be sent').waitFor();
    expect(await panel.getByRole('switch', { name: 'Opted out of SMS' }).isChecked()).toBe(true);
  });
});
