import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, JWT_SECRET_PLACEHOLDER, loadConfig } from './config';

const strong = 'k'.repeat(48);
const tempDir = () => mkdtempSync(path.join(tmpdir(), 'netflow-config-'));

describe('config', () => {
  it('uses the documented defaults', () => {
    const config = loadConfig({ JWT_SECRET: strong, DATA_DIR: tempDir() });
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(9000);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.jwt.expiresInSeconds).toBe(24 * 3600);
    expect(config.corsOrigins).toEqual([]);
    expect(config.trustProxy).toEqual([]);
  });

  it.each([
    ['missing', undefined, /JWT_SECRET is missing/],
    ['short', 'short', /JWT_SECRET is shorter than 32 bytes/],
    ['the placeholder', JWT_SECRET_PLACEHOLDER, /JWT_SECRET is the \.env\.example placeholder/],
  ])('refuses a %s JWT_SECRET in production with one clear line', (_label, secret, message) => {
    const attempt = () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: secret, DATA_DIR: tempDir() });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
    }
  });

  it('accepts a strong secret in production', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: strong }).jwt.secret).toBe(strong);
  });

  it('outside production generates a secret once, stores it with mode 0600, and reuses it', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const file = path.join(dir, 'jwt-secret');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(Buffer.byteLength(first.jwt.secret)).toBeGreaterThanOrEqual(32);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.jwt.secret);
    expect(first.warnings.join(' ')).toMatch(/generated secret/);
    expect(loadConfig({ DATA_DIR: dir }).jwt.secret).toBe(first.jwt.secret);
  });

  it('parses lists and durations', () => {
    const config = loadConfig({
      JWT_SECRET: strong,
      DATA_DIR: tempDir(),
      CORS_ORIGINS: 'https://crm.example.com, http://localhost:5173/',
      TRUST_PROXY: '10.0.0.1,192.168.0.0/16',
      JWT_EXPIRES_IN: '30m',
    });
    expect(config.corsOrigins).toEqual(['https://crm.example.com', 'http://localhost:5173']);
    expect(config.trustProxy).toEqual(['10.0.0.1', '192.168.0.0/16']);
    expect(config.jwt.expiresInSeconds).toBe(1800);
  });

  it.each([
    [{ CORS_ORIGINS: '*' }, /CORS_ORIGINS/],
    [{ CORS_ORIGINS: 'null' }, /CORS_ORIGINS/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY/],
    [{ PORT: 'eighty' }, /PORT/],
    [{ DATABASE_URL: 'mysql://localhost/x' }, /DATABASE_URL/],
    [{ BOOTSTRAP_ADMIN_EMAIL: 'boss@example.com' }, /BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD/],
  ])('rejects %o', (env, message) => {
    expect(() => loadConfig({ JWT_SECRET: strong, DATA_DIR: tempDir(), ...env })).toThrow(message);
  });
});
