/**
 * Two-step sign-in end to end, in Debian's Chromium against the built server started with
 * MFA_REQUIRED_ROLES=admin (the other suites start it with none): the demo admin is walked from
 * its first sign-in to the profile's enrolment (QR code shown under the unchanged CSP), enrols with
 * a code computed here from the key the page shows (otpauth, as an authenticator app would), signs
 * out and back in with a code, then with a recovery code (once only), and resets another user's
 * two-step sign-in from the users page.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import * as OTPAuth from 'otpauth';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtArtifactsMissing, startServer, type RunningServer } from './server';
import { apiRequest, DESKTOP, hasChromium, launchChromium, SHOTS } from './browser';

/** The code an authenticator app shows `offset` 30-second steps from now. */
function totp(secret: string, offset = 0): string {
  const generator = new OTPAuth.TOTP({ algorithm: 'SHA1', digits: 6, period: 30, secret: OTPAuth.Secret.fromBase32(secret) });
  return generator.generate({ timestamp: Date.now() + offset * 30_000 });
}

describe.skipIf(!hasChromium)('two-step sign-in in Chromium', () => {
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const seen = { csp: [] as string[], errors: [] as string[] };
  let secret = '';
  let recoveryCodes: string[] = [];

  const api = <T>(method: string, url: string, token: string | null, body?: unknown) =>
    apiRequest<T>(server.origin, method, url, token, body);

  async function fillSignIn(p: Page, password = server.admin.password) {
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
    await p.getByLabel('E-mail or phone').fill(server.admin.email);
    await p.getByLabel(/^Password/).fill(password);
    await p.getByRole('button', { name: 'Sign in' }).click();
  }

  async function signOut(p: Page) {
    await p.getByRole('button', { name: 'Sign out', exact: true }).click();
    await p.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  beforeAll(async () => {
    const missing = builtArtifactsMissing();
    if (missing) throw new Error(missing);
    mkdirSync(SHOTS, { recursive: true });
    server = await startServer({ mfaRequiredRoles: 'admin' });
    browser = await launchChromium();
    const ctx = await browser.newContext(DESKTOP);
    page = await ctx.newPage();
    page.setDefaultTimeout(20_000);
    page.on('console', (msg) => {
      if (/Content Security Policy|Refused to (execute|load|apply)/i.test(msg.text())) seen.csp.push(msg.text());
    });
    page.on('pageerror', (error) => seen.errors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('walks an admin without two-step sign-in to the profile, and enrols with the QR page', async () => {
    await page.goto(`${server.origin}/sign-in`);
    await fillSignIn(page);
    await page.getByText('Set up two-step sign-in to continue').waitFor();
    expect(new URL(page.url()).pathname).toBe('/profile');
    // Anything else leads back to the profile until enrolled.
    await page.goto(`${server.origin}/customers`);
    await page.getByText('Set up two-step sign-in to continue').waitFor();
    expect(new URL(page.url()).pathname).toBe('/profile');

    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    const qr = page.getByTestId('mfa-qr');
    await qr.waitFor();
    // The SVG QR code loads as a data: image under the CSP (img-src 'self' data:).
    await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    secret = (await page.getByTestId('mfa-secret').getAttribute('data-secret')) ?? '';
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.screenshot({ path: path.join(SHOTS, 'mfa-1-enrol.png'), fullPage: true });

    await page.getByTestId('mfa-enable-code').fill(totp(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    const codes = page.getByTestId('recovery-codes');
    await codes.waitFor();
    recoveryCodes = (await codes.locator('code').allTextContents()).map((c) => c.trim());
    expect(recoveryCodes).toHaveLength(10);
    await page.screenshot({ path: path.join(SHOTS, 'mfa-2-recovery-codes.png'), fullPage: true });
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByTestId('two-step-sign-in').getByText('On', { exact: true }).waitFor();
    expect(await page.getByText('Set up two-step sign-in to continue').count()).toBe(0);

    // The rest of the app opens now.
    await page.goto(`${server.origin}/customers`);
    await page.getByRole('heading', { name: 'Customers' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/customers');
  });

  it('signs out and back in with a code from the app, without typing the password again', async () => {
    await signOut(page);
    await fillSignIn(page);
    const codeField = page.getByTestId('sign-in-code');
    await codeField.waitFor();
    await page.screenshot({ path: path.join(SHOTS, 'mfa-3-sign-in-code.png') });
    // The enrolment used the current step; the next one is accepted (one step of clock drift allowed).
    await codeField.fill(totp(secret, 1));
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
    expect(new URL(page.url()).pathname).not.toBe('/profile');
  });

  it('accepts a recovery code once', async () => {
    const [code = ''] = recoveryCodes;
    await signOut(page);
    await fillSignIn(page);
    await page.getByTestId('sign-in-code').fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();

    await signOut(page);
    await fillSignIn(page);
    await page.getByTestId('sign-in-code').fill(code);
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page
      .getByRole('alert')
      .getByText(/not right or was already used/)
      .waitFor();
    // Still on the code step with the password kept: a fresh recovery code gets in.
    await page.getByTestId('sign-in-code').fill(recoveryCodes[1] ?? '');
    await page.getByRole('button', { name: 'Verify and sign in' }).click();
    await page.getByRole('navigation', { name: 'Main navigation' }).waitFor();
  });

  it("an admin resets another user's two-step sign-in from the users page", async () => {
    const adminLogin = await api<{ token: string }>('POST', '/api/auth/login', null, {
      identifier: server.admin.email,
      password: server.admin.password,
      totp: recoveryCodes[2],
    });
    expect(adminLogin.status).toBe(200);
    const adminToken = adminLogin.body.token;
    const email = `wanjiku.mfa.${Date.now().toString(36)}@example.co.ke`;
    const password = 'Kettle-Orbit-93-Lamp';
    const created = await api<{ id: string }>('POST', '/api/users', adminToken, {
      name: 'Wanjiku Two-Step',
      email,
      role: 'support',
      password,
    });
    expect(created.status).toBe(201);
    const userToken = (await api<{ token: string }>('POST', '/api/auth/login', null, { identifier: email, password })).body.token;
    const setup = await api<{ secret: string }>('POST', '/api/auth/mfa/setup', userToken, {});
    expect((await api('POST', '/api/auth/mfa/enable', userToken, { code: totp(setup.body.secret) })).status).toBe(200);

    await page.goto(`${server.origin}/users?search=${encodeURIComponent('Wanjiku Two-Step')}`);
    await page.getByRole('button', { name: 'Reset two-step sign-in of Wanjiku Two-Step' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText('stop working').waitFor();
    await dialog.getByRole('button', { name: 'Reset two-step sign-in' }).click();
    await page.getByText('Two-step sign-in reset').waitFor();
    const after = await api<{ mfaEnabled: boolean }>('GET', `/api/users/${created.body.id}`, adminToken);
    expect(after.body.mfaEnabled).toBe(false);
    // Their session ended; the password alone signs them in now (support need not enrol).
    expect((await api('GET', '/api/auth/me', userToken)).status).toBe(401);
    expect((await api('POST', '/api/auth/login', null, { identifier: email, password })).status).toBe(200);
  });

  it('makes new recovery codes and turns two-step sign-in off on the profile (password and a code)', async () => {
    await page.goto(`${server.origin}/profile`);
    const section = page.getByTestId('two-step-sign-in');
    await section.getByRole('button', { name: 'New recovery codes' }).click();
    await section.getByLabel('Password').fill(server.admin.password);
    await section.getByLabel('Code from the app, or a recovery code').fill(recoveryCodes[3] ?? '');
    await section.getByRole('button', { name: 'Make new codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const fresh = (await page.getByTestId('recovery-codes').locator('code').allTextContents()).map((c) => c.trim());
    expect(fresh).toHaveLength(10);
    expect(fresh.some((c) => recoveryCodes.includes(c))).toBe(false);
    await page.getByRole('button', { name: 'I have saved them' }).click();

    await section.getByRole('button', { name: 'Turn off' }).click();
    await section.getByLabel('Password').fill(server.admin.password);
    await section.getByLabel('Code from the app, or a recovery code').fill('000000');
    await section.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    await section.getByRole('alert').getByText('Wrong password or code').waitFor();
    await section.getByLabel('Code from the app, or a recovery code').fill(fresh[0] ?? '');
    await section.getByRole('button', { name: 'Turn off two-step sign-in' }).click();
    // An admin must use it (MFA_REQUIRED_ROLES=admin): back to the enrolment, with the explanation.
    await page.getByText('Set up two-step sign-in to continue').waitFor();
    await section.getByRole('button', { name: 'Set up two-step sign-in' }).waitFor();
    expect(seen).toEqual({ csp: [], errors: [] });
  });
});
