/**
 * `pnpm audit:deps` (scripts/audit-deps.mjs) against a stand-in registry on loopback: it passes only
 * when the registry answered with no advisories, fails on an advisory, and says "NOT CHECKED"
 * (exit 2) when the registry refuses audit requests or cannot be reached.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
let answer: 'refuse' | 'clean' | 'advisory' = 'refuse';
let registry: Server;
let registryUrl = '';
const requests: string[] = [];

const none = { info: 0, low: 0, moderate: 0, high: 0, critical: 0 };
const advisory = {
  id: 1,
  title: 'Prototype pollution in a test package',
  module_name: 'fastify',
  severity: 'high',
  vulnerable_versions: '<99.0.0',
  patched_versions: '>=99.0.0',
  url: 'https://advisories.example.test/1',
  findings: [{ version: '5.0.0', paths: ['apps__api>fastify'] }],
  cves: [],
  recommendation: 'Upgrade',
  overview: 'Test advisory',
};

beforeAll(async () => {
  registry = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      if (answer === 'refuse') {
        res.writeHead(405);
        res.end();
        return;
      }
      const advisories = answer === 'advisory' ? { 1: advisory } : {};
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          actions: [],
          advisories,
          muted: [],
          metadata: {
            vulnerabilities: answer === 'advisory' ? { ...none, high: 1 } : none,
            dependencies: 1,
            devDependencies: 0,
            optionalDependencies: 0,
            totalDependencies: 1,
          },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  registryUrl = `http://127.0.0.1:${(registry.address() as AddressInfo).port}/`;
});

afterAll(() => new Promise((resolve) => registry.close(resolve)));

function auditDeps(url: string, extraEnv: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      ['scripts/audit-deps.mjs'],
      { cwd: repoRoot, env: { ...process.env, npm_config_registry: url, ...extraEnv } },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('pnpm audit:deps', { timeout: 60_000 }, () => {
  it('says NOT CHECKED and exits 2 when the registry refuses audit requests', async () => {
    answer = 'refuse';
    const result = await auditDeps(registryUrl);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`audit:deps: NOT CHECKED: ${registryUrl} did not answer the audit request`);
    expect(result.stderr).toContain('this is not a pass');
    expect(requests.some((r) => r.startsWith('POST /-/npm/v1/security/audits'))).toBe(true);
  });

  it('says NOT CHECKED and exits 2 when the registry cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/`;
    await new Promise((resolve) => closed.close(resolve));
    // No retries: pnpm would otherwise back off for a minute before giving up.
    const result = await auditDeps(url, { npm_config_fetch_retries: '0' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/NOT CHECKED: .* \(ECONNREFUSED/);
  });

  it('passes when the registry answers with no advisories', async () => {
    answer = 'clean';
    const result = await auditDeps(registryUrl);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('No known vulnerabilities found');
  });

  it('fails with the report when the registry answers with an advisory', async () => {
    answer = 'advisory';
    const result = await auditDeps(registryUrl);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('Prototype pollution in a test package');
    expect(result.stderr).toContain('vulnerabilities found in production dependencies');
  });
});
