/**
 * deploy/prometheus: every alert rule names only metrics that a real scrape of the app exposes
 * (after some traffic, with the job queue and provisioning tables present), and promtool accepts
 * the rules and the example configuration. Without promtool that part is skipped, saying so.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createTestApp } from '../test/harness';
import { z } from 'zod';
import { defineJob, enqueue } from '../modules/jobs';

const alertsTestJob = defineJob({ name: 'alerts-test', schema: z.object({}), run: async () => {} });

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const alertsFile = path.join(repoRoot, 'deploy', 'prometheus', 'alerts.yml');
const configFile = path.join(repoRoot, 'deploy', 'prometheus', 'prometheus.yml');
const TOKEN = 'metrics-token-for-alert-tests-0123';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

function promtool(): string | null {
  for (const candidate of ['/usr/bin/promtool', '/usr/local/bin/promtool']) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

const rules = (parse(readFileSync(alertsFile, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups.flatMap((g) => g.rules);
/** Series Prometheus itself adds to every target. */
const PROMETHEUS_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

/** The metric names an expression reads: the app's (all `netflow_`) and Prometheus's own. */
function metricNames(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  const names = bare.match(/\b[a-zA-Z_:][\w:]*\b/g) ?? [];
  return [...new Set(names.filter((w) => w.startsWith('netflow_') || PROMETHEUS_SERIES.has(w)))];
}

describe('deploy/prometheus/alerts.yml', () => {
  let t: Awaited<ReturnType<typeof createTestApp>>;
  let exposed: Set<string>;

  beforeAll(async () => {
    t = await createTestApp({ METRICS_TOKEN: TOKEN });
    const db = t.db.db;
    // A failed job in the real queue (pg-boss's tables come with the migrations).
    const id = await enqueue(db, alertsTestJob, {});
    await db.execute(sql`update pgboss.job set state = 'failed' where id = ${id}::uuid`);
    // Some traffic: a page, an unknown path, a failed sign-in.
    const user = await t.createUser();
    await t.app.inject({ method: 'GET', url: '/api/leads', headers: { authorization: `Bearer ${await t.tokenFor(user)}` } });
    await t.app.inject({ method: 'GET', url: '/api/nothing-here' });
    await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { identifier: user.email, password: 'Not-the-password-1' } });
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(res.statusCode).toBe(200);
    exposed = new Set();
    for (const line of res.body.split('\n')) {
      const typed = /^# TYPE (\S+) (\w+)/.exec(line);
      if (!typed?.[1]) continue;
      exposed.add(typed[1]);
      if (typed[2] === 'histogram') for (const suffix of ['_bucket', '_count', '_sum']) exposed.add(`${typed[1]}${suffix}`);
    }
  });
  afterAll(async () => t.close());

  it('has the rules the runbook promises, each with a severity and a summary', () => {
    const names = rules.map((r) => r.alert);
    for (const name of [
      'NetflowFailedSignInSpike',
      'NetflowDatabaseErrors',
      'NetflowSlowResponses',
      'NetflowRouteErrorRate',
      'NetflowJobFailures',
      'NetflowUnmatchedPaymentsGrowing',
      'NetflowProvisioningFailures',
    ]) {
      expect(names).toContain(name);
    }
    for (const rule of rules) {
      expect(rule.labels?.severity, rule.alert).toMatch(/^(critical|warning|info)$/);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
    expect(rules.find((r) => r.alert === 'NetflowSlowResponses')?.expr).toContain('histogram_quantile(0.95');
  });

  it('reads only metrics that a scrape of the app exposes', () => {
    for (const rule of rules) {
      const names = metricNames(rule.expr);
      expect(names.length, `${rule.alert}: ${rule.expr}`).toBeGreaterThan(0);
      for (const name of names) {
        if (PROMETHEUS_SERIES.has(name)) continue;
        expect(exposed.has(name), `${rule.alert} reads ${name}, which /metrics does not expose`).toBe(true);
      }
    }
  });

  const tool = promtool();
  it.skipIf(!tool)('passes promtool check rules and check config', async () => {
    const rulesCheck = await run(tool ?? '', ['check', 'rules', alertsFile]);
    expect(rulesCheck.stdout).toMatch(/SUCCESS: \d+ rules found/);
    // The example configuration, its machine paths pointed at the repository and a temp token file.
    const dir = mkdtempSync(path.join(tmpdir(), 'netflow-prometheus-'));
    writeFileSync(path.join(dir, 'token'), TOKEN);
    const config = readFileSync(configFile, 'utf8')
      .replace('/etc/prometheus/netflow-crm-alerts.yml', alertsFile)
      .replace('/etc/prometheus/netflow-metrics-token', path.join(dir, 'token'));
    writeFileSync(path.join(dir, 'prometheus.yml'), config);
    const configCheck = await run(tool ?? '', ['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(`${configCheck.stdout}${configCheck.stderr}`).toMatch(/is valid prometheus config file syntax/);
  });
  if (!tool) {
    it('promtool is not installed here (Debian: apt-get install prometheus): skipped', () => {
      expect(tool).toBeNull();
    });
  }
});
