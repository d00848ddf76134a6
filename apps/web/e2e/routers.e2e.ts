/**
 * Routers end to end, in Debian's Chromium, against the built server and a RouterOS stand-in (a
 * loopback server speaking RouterOS's REST shapes, run by this test): the admin registers the
 * router and tests it, activates a subscription on it (the secret appears on the router, the
 * service password is shown once) and sees "synced"; with the router down, a suspension shows
 * "failed" with the router's message; with it back, "Retry now" brings it to "synced".
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startRouterOsStandIn, type RouterOsStandIn } from '../../api/src/standins/routeros';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { apiCall, DESKTOP, hasChromium, launchChromium, seedSession, type Session, SHOTS } from './browser';

const run = Date.now().toString(36);
/** Background jobs (the provisioning worker) need a moment on a busy machine. */
const JOB_WAIT_MS = 60_000;

describe.skipIf(!hasChromium)('routers in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let ros: RouterOsStandIn;
  let admin: Session;
  const seen = { csp: [] as string[], errors: [] as string[] };

  const call = <T>(method: string, url: string, body?: unknown, token: string | null = admin.token) =>
    apiCall<T>(server.origin, method, url, token, body);

  async function open(url: string): Promise<Page> {
    const ctx = await browser.newContext(DESKTOP);
    await seedSession(ctx, { token: admin.token, expiresAt: admin.expiresAt });
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    p.on('console', (msg) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) seen.csp.push(msg.text());
    });
    p.on('pageerror', (error) => seen.errors.push(error.message));
    await p.goto(`${server.origin}${url}`);
    return p;
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    ros = await startRouterOsStandIn({ identity: 'e2e-core' });
    server = await startServer();
    browser = await launchChromium();
    admin = await call<Session>('POST', '/api/auth/login', { identifier: server.admin.email, password: server.admin.password }, '');
  });

  afterEach(async (ctx) => {
    let i = 0;
    for (const context of browser?.contexts() ?? []) {
      if (ctx.task.result?.state === 'fail') {
        for (const p of context.pages()) {
          await p.screenshot({ path: path.join(SHOTS, `failed-routers-${i++}.png`) }).catch(() => undefined);
        }
      }
      await context.close().catch(() => undefined);
    }
    expect(seen).toEqual({ csp: [], errors: [] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    await ros?.close();
  });

  it('registers and tests a router, provisions a subscription on it, survives the router going down', async () => {
    // The admin registers the router and tests the connection.
    const routerName = `Core ${run}`;
    const page = await open('/routers');
    await page.getByRole('button', { name: 'Add router' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill(routerName);
    await dialog.getByLabel('Address').fill(ros.url);
    await dialog.getByLabel('API user').fill(ros.username);
    await dialog.getByLabel('API password').fill(ros.password);
    await dialog.getByRole('button', { name: 'Add router' }).click();
    const row = page.getByTestId('router-row').filter({ hasText: routerName });
    await row.waitFor();
    await row.getByRole('button', { name: 'Test connection' }).click();
    await row.getByTestId('router-identity').filter({ hasText: 'e2e-core · RouterOS 7.16.2' }).waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'routers-01-registry.png'), fullPage: true });

    // A plan with a router profile and a customer with a pending subscription (through the API).
    const plan = await call<{ id: string; name: string }>('POST', '/api/plans', {
      name: `E2E Router Plan ${run}`,
      type: 'pppoe',
      downloadKbps: 10_000,
      uploadKbps: 5_000,
      priceCents: 1_500_00,
      validityDays: 30,
      routerProfile: '10M',
    });
    const lead = await call<{ id: string }>('POST', '/api/leads', {
      name: `Router Customer ${run}`,
      phone: `0744${String(Date.now() % 1_000_000).padStart(6, '0')}`,
      planId: plan.id,
    });
    for (const status of ['contacted', 'qualified']) await call('POST', `/api/leads/${lead.id}/status`, { status });
    const converted = await call<{ customerId: string }>('POST', `/api/leads/${lead.id}/convert`, { planId: plan.id });

    // Activation on the router: the password is shown once, the secret appears, the badge says synced.
    const customer = await open(`/customers/${converted.customerId}`);
    const sub = customer.getByTestId('subscription-row').filter({ hasText: plan.name });
    await sub.getByText('Pending').waitFor();
    await sub.getByRole('button', { name: 'Activate' }).click();
    const activate = customer.getByRole('dialog');
    await activate.getByLabel('Router').click();
    await customer.getByRole('option', { name: routerName }).click();
    await activate.getByRole('button', { name: 'Activate' }).click();
    const password = (await activate.getByTestId('service-password').textContent()) ?? '';
    const username = (await activate.getByTestId('service-username').textContent()) ?? '';
    expect(password).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    await customer.screenshot({ path: path.join(SHOTS, 'routers-02-service-password.png') });
    await activate.getByRole('button', { name: 'Done' }).click();
    await sub.getByTestId('provisioning-state').filter({ hasText: 'Router: synced' }).waitFor({ timeout: JOB_WAIT_MS });
    const secret = ros.rows('/ppp/secret').find((s) => s.name === username);
    expect(secret).toMatchObject({ password, profile: '10M', service: 'pppoe', disabled: 'false' });
    expect(await customer.content()).not.toContain(password);

    // The router goes down; a suspension fails on it and says why.
    await ros.stop();
    await sub.getByRole('button', { name: 'Suspend' }).click();
    await customer.getByRole('dialog').getByRole('button', { name: 'Suspend' }).click();
    await sub.getByText('Suspended').waitFor();
    await sub.getByTestId('provisioning-state').filter({ hasText: 'Router: failed' }).waitFor({ timeout: JOB_WAIT_MS });
    await sub.getByTestId('provisioning-error').filter({ hasText: 'Connection refused by the router' }).waitFor();
    await customer.screenshot({ path: path.join(SHOTS, 'routers-03-provisioning-failed.png') });

    // Back up: a technician's "Retry now" (here the admin's) syncs it.
    await ros.start();
    await sub.getByRole('button', { name: 'Retry now' }).click();
    await sub.getByTestId('provisioning-state').filter({ hasText: 'Router: synced' }).waitFor({ timeout: JOB_WAIT_MS });
    expect(ros.rows('/ppp/secret').find((s) => s.name === username)?.disabled).toBe('true');

    // The sync finds nothing to do.
    const routers = await open('/routers');
    await routers.getByTestId('router-row').filter({ hasText: routerName }).getByRole('button', { name: 'Sync' }).click();
    await routers.getByRole('dialog').getByRole('button', { name: 'Compare' }).click();
    await routers.getByRole('dialog').getByText('The router matches the CRM.').waitFor();
  });
});
