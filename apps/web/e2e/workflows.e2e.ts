/**
 * Issue 10's staff workflows end to end, in Debian's Chromium, against the built app served by the
 * real server on a fresh embedded database (same start as app.e2e.ts). One test per item: moving a
 * mis-assigned payment (finance); a customer with no service (sales); the Subscriptions page and
 * the technicians' installation queue; the front desk's "I paid but I'm off" (support); search by
 * every spelling of a Kenyan number and payment suggestions; finance exports; the audit log by
 * customer. Screenshots land in e2e/screenshots/ (prefix `w`).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { apiCall, apiRequest, DESKTOP, hasChromium, launchChromium, seedSession, SHOTS } from './browser';

const run = Date.now().toString(36);
let serial = 0;
const unique = (label: string) => `${label} ${run}${(serial += 1)}`;
/** A phone outside the demo ISP's prefixes (0744…), different on every call. */
const phone = () => `0744${String((Date.now() + (serial += 17)) % 1_000_000).padStart(6, '0')}`;
const reference = (prefix: string) => `${prefix}${run}${(serial += 1)}`.toUpperCase().slice(0, 20);
const PRICE = 2_000_00;

interface Session {
  token: string;
  expiresAt: string;
  user: { id: string; email: string; name: string };
}
interface Customer {
  id: string;
  name: string;
  phone: string;
  accountNumber: string;
}
interface Subscription {
  id: string;
  status: string;
  expiresAt: string | null;
}
type Role = 'finance' | 'sales' | 'support' | 'technician' | 'manager';

describe.skipIf(!hasChromium)('issue 10 workflows in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let admin: Session;
  const staff = {} as Record<Role, Session>;
  let plan: { id: string; name: string };
  let seen = { csp: [] as string[], errors: [] as string[], throttled: [] as string[] };

  const api = <T>(method: string, url: string, token: string | null, body?: unknown) =>
    apiRequest<T>(server.origin, method, url, token, body);
  const call = <T>(method: string, url: string, body?: unknown, token: string | null = admin.token) =>
    apiCall<T>(server.origin, method, url, token, body);
  const login = (email: string, password: string) => call<Session>('POST', '/api/auth/login', { identifier: email, password }, '');

  async function createStaff(role: Role): Promise<Session> {
    const name = unique(`E2E ${role}`);
    const email = `${name.toLowerCase().replace(/\W+/g, '.')}@example.co.ke`;
    const password = `Kiboko-Sunrise-${run}-42`;
    await call('POST', '/api/users', { name, email, role, password });
    return login(email, password);
  }

  async function createCustomer(name = unique('Wanjiku W')): Promise<Customer> {
    return call<Customer>('POST', '/api/customers', { name, phone: phone(), address: `Plot ${serial}, Kasarani` });
  }
  const createSubscription = (customerId: string) => call<Subscription>('POST', '/api/subscriptions', { customerId, planId: plan.id });
  const pay = (body: Record<string, unknown>, token = admin.token) =>
    call<{ id: string; reference: string; status: string }>(
      'POST',
      '/api/payments',
      { method: 'mpesa', amountCents: PRICE, ...body },
      token,
    );
  const getCustomer = (id: string) => call<{ balanceCents: number; subscriptions: Subscription[] }>('GET', `/api/customers/${id}`);

  /** A customer with an active, paid subscription. */
  async function activeCustomer(name?: string) {
    const customer = await createCustomer(name);
    const sub = await createSubscription(customer.id);
    await pay({ customerId: customer.id, reference: reference('QA') });
    await call('POST', `/api/subscriptions/${sub.id}/activate`, {});
    return { customer, sub };
  }
  /** A customer whose subscription was activated without money: lapsed from the start. */
  async function lapsedCustomer(name?: string) {
    const customer = await createCustomer(name);
    const sub = await createSubscription(customer.id);
    await call('POST', `/api/subscriptions/${sub.id}/activate`, {});
    return { customer, sub };
  }

  async function open(url: string, as: Session): Promise<Page> {
    const ctx = await browser.newContext(DESKTOP);
    await seedSession(ctx, { token: as.token, expiresAt: as.expiresAt });
    const p = await ctx.newPage();
    p.setDefaultTimeout(20_000);
    p.on('console', (msg) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) seen.csp.push(msg.text());
    });
    p.on('pageerror', (error) => seen.errors.push(error.message));
    p.on('response', (r) => {
      if (r.status() === 429) seen.throttled.push(r.url());
    });
    await p.goto(`${server.origin}${url}`);
    return p;
  }

  async function shot(p: Page, name: string) {
    const toasts = p.locator('.mantine-Notification-root');
    for (let i = 0; i < 6 && (await toasts.count()) > 0; i++) {
      await toasts
        .first()
        .locator('button')
        .click({ timeout: 1_000, force: true })
        .catch(() => undefined);
      await toasts
        .first()
        .waitFor({ state: 'detached', timeout: 1_500 })
        .catch(() => undefined);
    }
    await p.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  }

  async function download(p: Page, button = 'Export CSV') {
    const [file] = await Promise.all([p.waitForEvent('download'), p.getByRole('button', { name: button }).click()]);
    return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer();
    browser = await launchChromium();
    admin = await login(server.admin.email, server.admin.password);
    for (const role of ['finance', 'sales', 'support', 'technician', 'manager'] as const) staff[role] = await createStaff(role);
    plan = await call('POST', '/api/plans', {
      name: unique('W Fibre'),
      type: 'pppoe',
      downloadKbps: 8_000,
      uploadKbps: 4_000,
      priceCents: PRICE,
      validityDays: 30,
    });
  });

  beforeEach(() => {
    seen = { csp: [], errors: [], throttled: [] };
  });

  afterEach(async (ctx) => {
    if (!browser) return;
    let i = 0;
    for (const context of browser.contexts()) {
      if (ctx.task.result?.state === 'fail') {
        for (const p of context.pages()) {
          await p
            .screenshot({ path: path.join(SHOTS, `failed-w-${ctx.task.name.replace(/\W+/g, '-')}-${i++}.png`) })
            .catch(() => undefined);
        }
      }
      await context.close().catch(() => undefined);
    }
    expect(seen, 'no CSP violation, uncaught error or throttled request').toEqual({ csp: [], errors: [], throttled: [] });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('2. finance moves a mis-assigned payment to the right customer in one step', async () => {
    const wrong = await activeCustomer(unique('Wrong Kamau'));
    const right = await lapsedCustomer(unique('Right Atieno'));
    const ref = reference('QM');
    await pay({ customerId: wrong.customer.id, reference: ref }, staff.finance.token);
    const wrongBefore = await getCustomer(wrong.customer.id);

    const page = await open(`/payments?search=${ref}`, staff.finance);
    const row = page.getByRole('row').filter({ hasText: ref });
    await row.getByRole('link', { name: wrong.customer.name }).waitFor();
    await row.getByRole('button', { name: /More actions for payment/ }).click();
    await page.getByRole('menuitem', { name: 'Move to another customer' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Move to').fill(right.customer.name);
    await page.getByRole('option', { name: new RegExp(right.customer.name) }).click();
    await dialog.getByLabel('Reason').fill('Payer typed the neighbour’s account');
    await shot(page, 'w01-move-payment-dialog');
    await dialog.getByRole('button', { name: 'Move payment' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('link', { name: right.customer.name }).waitFor();
    await shot(page, 'w02-payment-moved');

    // The first customer lost exactly the renewal; the second was renewed by it.
    const wrongAfter = await getCustomer(wrong.customer.id);
    const before = new Date(wrongBefore.subscriptions[0]?.expiresAt ?? 0).getTime();
    expect(new Date(wrongAfter.subscriptions[0]?.expiresAt ?? 0).getTime()).toBe(before - 30 * 24 * 3600 * 1000);
    const rightAfter = await getCustomer(right.customer.id);
    expect(new Date(rightAfter.subscriptions[0]?.expiresAt ?? 0).getTime()).toBeGreaterThan(Date.now() + 29 * 24 * 3600 * 1000);
  });

  it('3. a customer with no service shows it, and sales sees the subscriptions it creates', async () => {
    const customer = await call<Customer>(
      'POST',
      '/api/customers',
      { name: unique('Njoroge NoService'), phone: phone() },
      staff.sales.token,
    );
    const page = await open(`/customers/${customer.id}`, staff.sales);
    await page.getByTestId('customer-service-state').filter({ hasText: 'No service' }).waitFor();
    await page.getByText('No subscriptions').waitFor();
    expect(await page.getByText('not shown to your role').count()).toBe(0);
    await shot(page, 'w03-customer-no-service');

    await page.getByRole('button', { name: 'New subscription' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Plan').click();
    await page.getByRole('option', { name: new RegExp(plan.name) }).click();
    await dialog.getByRole('button', { name: /Create|Add/ }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.getByTestId('customer-service-state').filter({ hasText: 'Pending installation' }).waitFor();
    await page.getByTestId('subscriptions-table').getByText(plan.name).waitFor();
    await shot(page, 'w04-customer-pending-installation');
  });

  it('5. the Subscriptions page: dashboard links, tabs, CSV, and the technicians’ installation queue', async () => {
    const expiring = await activeCustomer(unique('Expiring Wafula'));
    // Expires in 3 days: move the paid time by reversing nothing — a 3-day plan does it.
    const shortPlan = await call<{ id: string }>('POST', '/api/plans', {
      name: unique('W Weekly'),
      type: 'pppoe',
      downloadKbps: 4_000,
      uploadKbps: 2_000,
      priceCents: 300_00,
      validityDays: 3,
    });
    const soon = await createCustomer(unique('Soon Chebet'));
    const soonSub = await call<Subscription>('POST', '/api/subscriptions', { customerId: soon.id, planId: shortPlan.id });
    await pay({ customerId: soon.id, reference: reference('QS'), amountCents: 300_00 });
    await call('POST', `/api/subscriptions/${soonSub.id}/activate`, {});
    const installation = await createCustomer(unique('Install Mwangi'));
    await createSubscription(installation.id);
    expect(expiring.customer.id).toBeTruthy();

    const page = await open('/', admin);
    await page
      .getByTestId('stat-expiring')
      .getByRole('link', { name: /View details/ })
      .click();
    await page.getByRole('heading', { name: 'Subscriptions' }).waitFor();
    expect(page.url()).toContain('view=expiring');
    await page.getByRole('row').filter({ hasText: soon.name }).waitFor();
    await shot(page, 'w05-subscriptions-expiring');
    const csv = await download(page);
    expect(csv.name).toMatch(/^subscriptions-expiring-\d{4}-\d{2}-\d{2}\.csv$/);
    expect(csv.text).toContain('Expires at (EAT, UTC+3)');
    expect(csv.text).toContain(soon.accountNumber);
    await page.getByRole('tab', { name: 'Pending installation' }).click();
    await page.getByRole('row').filter({ hasText: installation.name }).waitFor();

    await page.goto(`${server.origin}/`);
    await page.getByTestId('stat-suspended-link').click();
    await page.getByRole('tab', { name: 'Suspended', selected: true }).waitFor();

    const tech = await open('/subscriptions', staff.technician);
    await tech.getByRole('tab', { name: 'Pending installation', selected: true }).waitFor();
    const row = tech.getByRole('row').filter({ hasText: installation.name });
    await row.getByText('Kasarani').waitFor();
    await shot(tech, 'w06-technician-installation-queue');
  });

  it('6. the front desk: support sees payments incl. unmatched ones from the phone, the lapse in red, and an open-ticket warning', async () => {
    const { customer } = await lapsedCustomer(unique('Offline Akinyi'));
    const stray = reference('QX');
    await pay({ accountNumber: 'MY HOUSE 12', reference: stray, payerPhone: `+254${customer.phone.slice(1)}`, payerName: 'AKINYI O' });
    await call(
      'POST',
      '/api/tickets',
      { customerId: customer.id, subject: 'Internet off since morning', priority: 'high' },
      staff.support.token,
    );

    const page = await open(`/customers/${customer.id}?tab=payments`, staff.support);
    await page.getByTestId('customer-service-state').filter({ hasText: 'Lapsed' }).waitFor();
    const note = page.getByTestId('customer-expiry-note');
    await note.filter({ hasText: 'Lapsed' }).waitFor();
    expect(await note.evaluate((el) => getComputedStyle(el).color)).toMatch(/rgb\(2[0-9]{2}, [0-9]{1,2}, [0-9]{1,2}\)/);
    await page.getByTestId('unmatched-by-phone').getByText(stray).waitFor();
    await shot(page, 'w07-front-desk-payments');

    await page.getByRole('button', { name: 'New ticket' }).click();
    await page.getByTestId('open-ticket-warning').getByText('Internet off since morning').waitFor();
    await shot(page, 'w08-open-ticket-warning');
  });

  it('7. search knows Kenyan numbers; unmatched payments suggest customers; tickets by customer', async () => {
    const { customer } = await activeCustomer(unique('Search Wairimu'));
    const intl = `+254${customer.phone.slice(1)}`;
    const page = await open(`/customers?search=${encodeURIComponent(intl)}`, admin);
    await page.getByRole('row').filter({ hasText: customer.name }).waitFor();
    await page.goto(`${server.origin}/customers?search=${encodeURIComponent(`254${customer.phone.slice(1)}`)}`);
    await page.getByRole('row').filter({ hasText: customer.name }).waitFor();

    // Account typed with letter O for zero: suggested by near miss and by the payer's phone.
    const typo = customer.accountNumber.replace(/0/g, 'O');
    const ref = reference('QT');
    await pay({ accountNumber: typo, reference: ref, payerPhone: intl, payerName: 'WAIRIMU N' });
    await page.goto(`${server.origin}/payments?search=${encodeURIComponent(`254${customer.phone.slice(1)}`)}`);
    const row = page.getByRole('row').filter({ hasText: ref });
    await row.getByRole('button', { name: 'Assign' }).click();
    const dialog = page.getByRole('dialog');
    const suggestions = dialog.getByTestId('payment-suggestions');
    await suggestions.getByText(customer.name).first().waitFor();
    await suggestions.getByText("payer's phone").waitFor();
    await shot(page, 'w09-payment-suggestions');
    await suggestions.getByRole('button', { name: 'Use' }).first().click();
    await dialog.getByRole('button', { name: 'Assign and apply' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByRole('link', { name: customer.name }).waitFor();

    await call('POST', '/api/tickets', { customerId: customer.id, subject: 'Slow in the evening' });
    await page.goto(`${server.origin}/tickets?status=all&search=${encodeURIComponent(customer.accountNumber)}`);
    await page.getByRole('row').filter({ hasText: 'Slow in the evening' }).waitFor();
    await page.goto(`${server.origin}/tickets?status=all&search=${encodeURIComponent(intl)}`);
    await page.getByRole('row').filter({ hasText: 'Slow in the evening' }).waitFor();
    await shot(page, 'w10-ticket-search-by-phone');
  });

  it('8. finance exports payments (EAT, KES, totals) and customers; support may not', async () => {
    const { customer } = await activeCustomer(unique('Export Otieno'));
    await pay({ customerId: customer.id, reference: reference('QE'), method: 'cash', amountCents: 1_234_56 });
    const page = await open('/payments?method=cash', staff.finance);
    await page.getByRole('heading', { name: 'Payments' }).waitFor();
    const csv = await download(page);
    expect(csv.name).toMatch(/^payments-\d{4}-\d{2}-\d{2}\.csv$/);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('Paid at (EAT, UTC+3)');
    expect(lines[0]).toContain('Amount (KES)');
    expect(csv.text).toContain('1234.56');
    expect(lines.at(-1)).toMatch(/^Total: \d+ payment\(s\)/);
    expect(lines.slice(1, -1).every((l) => l.includes(',cash,'))).toBe(true);
    await shot(page, 'w11-finance-payments-export');

    await page.goto(`${server.origin}/customers`);
    const customers = await download(page);
    expect(customers.text).toContain(customer.accountNumber);
    const denied = await api('GET', '/api/payments/export', staff.support.token);
    expect(denied.status).toBe(403);
  });

  it('9. the audit log filters by customer and shows names, not ids', async () => {
    const { customer } = await activeCustomer(unique('Audit Mutua'));
    const page = await open(`/customers/${customer.id}`, staff.manager);
    await page.getByRole('link', { name: 'Audit trail of this customer' }).click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'subscription.activate' }).first().waitFor();
    const table = page.getByRole('table');
    await table
      .getByText(new RegExp(`${customer.name} \\(${customer.accountNumber}\\)`))
      .first()
      .waitFor();
    await table.getByText('payment.record').first().waitFor();
    // Every row is about this customer or its records: no other customer's name appears.
    const rows = await page.getByRole('row').allTextContents();
    expect(rows.slice(1).every((r) => r.includes(customer.name) || r.includes(customer.accountNumber))).toBe(true);
    await shot(page, 'w12-audit-by-customer');
  });
});
