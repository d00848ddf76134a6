import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENCRYPTION_KEY_PLACEHOLDER, AUDIT_KEY_PLACEHOLDER, ConfigError, JWT_SECRET_PLACEHOLDER, loadConfig } from './config';

const strong = 'k'.repeat(48);
const strongAuditKey = 'a'.repeat(48);
const strongEncryptionKey = 'e'.repeat(48);
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
    const config = loadConfig({
      NODE_ENV: 'production',
      JWT_SECRET: strong,
      AUDIT_KEY: strongAuditKey,
      APP_ENCRYPTION_KEY: strongEncryptionKey,
      SMS_PROVIDER: 'log',
    });
    expect(config.jwt.secret).toBe(strong);
    expect(config.encryption).toEqual({ key: strongEncryptionKey, previousKeys: [] });
  });

  it.each([
    ['missing', undefined, /^APP_ENCRYPTION_KEY is missing; set its own random value/],
    ['short', 'short', /^APP_ENCRYPTION_KEY is shorter than 32 bytes/],
    ['the placeholder', APP_ENCRYPTION_KEY_PLACEHOLDER, /^APP_ENCRYPTION_KEY is the \.env\.example placeholder/],
    ['the JWT secret', strong, /^APP_ENCRYPTION_KEY equals JWT_SECRET/],
    ['the audit key', strongAuditKey, /^APP_ENCRYPTION_KEY equals AUDIT_KEY/],
  ])('refuses a %s APP_ENCRYPTION_KEY in production with one clear line', (_label, key, message) => {
    const dir = tempDir();
    const attempt = () =>
      loadConfig({ NODE_ENV: 'production', JWT_SECRET: strong, AUDIT_KEY: strongAuditKey, APP_ENCRYPTION_KEY: key, DATA_DIR: dir });
    expect(attempt).toThrow(message);
    expect(() => attempt()).toThrow(/^[^\n]+$/);
    expect(existsSync(path.join(dir, 'encryption-key'))).toBe(false);
  });

  it('outside production generates an encryption key once (mode 0600); previous keys only decrypt', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(statSync(path.join(dir, 'encryption-key')).mode & 0o777).toBe(0o600);
    expect(new Set([first.encryption.key, first.auditKey, first.jwt.secret]).size).toBe(3);
    expect(first.warnings.join(' ')).toMatch(/APP_ENCRYPTION_KEY not set/);
    expect(loadConfig({ DATA_DIR: dir }).encryption.key).toBe(first.encryption.key);
    const rotated = loadConfig({
      DATA_DIR: dir,
      APP_ENCRYPTION_KEY: strongEncryptionKey,
      APP_ENCRYPTION_KEY_PREVIOUS: `${first.encryption.key}, ${strongEncryptionKey}`,
    });
    expect(rotated.encryption).toEqual({ key: strongEncryptionKey, previousKeys: [first.encryption.key] });
  });

  it.each([
    ['missing', undefined, /^AUDIT_KEY is missing; set its own random value/],
    ['short', 'short', /^AUDIT_KEY is shorter than 32 bytes/],
    ['the placeholder', AUDIT_KEY_PLACEHOLDER, /^AUDIT_KEY is the \.env\.example placeholder/],
    ['the JWT secret', strong, /^AUDIT_KEY equals JWT_SECRET/],
  ])('refuses a %s AUDIT_KEY in production with one clear line', (_label, key, message) => {
    const dir = tempDir();
    const attempt = () => loadConfig({ NODE_ENV: 'production', JWT_SECRET: strong, AUDIT_KEY: key, DATA_DIR: dir });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(message);
    expect(() => attempt()).toThrow(/^[^\n]+$/);
    // Production never generates one.
    expect(existsSync(path.join(dir, 'audit-key'))).toBe(false);
  });

  it('outside production generates an audit key once, apart from the JWT secret, with mode 0600', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const file = path.join(dir, 'audit-key');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toBe(first.auditKey);
    expect(Buffer.byteLength(first.auditKey)).toBeGreaterThanOrEqual(32);
    expect(first.auditKey).not.toBe(first.jwt.secret);
    expect(first.warnings.join(' ')).toMatch(/AUDIT_KEY not set/);
    expect(loadConfig({ DATA_DIR: dir }).auditKey).toBe(first.auditKey);
    expect(loadConfig({ DATA_DIR: dir, AUDIT_KEY: strongAuditKey }).auditKey).toBe(strongAuditKey);
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
