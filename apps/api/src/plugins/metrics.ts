/**
 * GET /metrics in Prometheus text format, for the monitoring host only: it exists only when
 * METRICS_TOKEN is set (otherwise a 404 like any unknown path) and answers only
 * `Authorization: Bearer <METRICS_TOKEN>` (401 otherwise, compared in constant time).
 *
 * It measures every request (duration by route and status) and renders the process's registry
 * (lib/metrics.ts), plus business gauges read from the database at scrape time, so every
 * instance reports the same numbers and no module has to know about metrics.
 *
 * Route labels are closed sets: the tRPC procedure name (one observation per procedure of a
 * batch), the REST template registered by the REST adapter through `labelRoute`, else Fastify's
 * route template; "unmatched" for anything no route knows. A raw URL (ids, query strings) never
 * becomes a label.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { queryRows, type DatabaseHandle } from '@netflow/db';
import { sql } from 'drizzle-orm';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Registry } from 'prom-client';
import { collectProcessMetrics, databasePoolMax, httpRequestDuration, httpRequestsInFlight, METRIC_PREFIX, registry } from '../lib/metrics';
import { appRouter } from '../trpc/router';

export const UNMATCHED_ROUTE = 'unmatched';

/** Labels set by a plugin that knows a request's route better than Fastify (the REST adapter's wildcard). */
const routeLabels = new WeakMap<FastifyRequest, string>();
const counted = new WeakSet<FastifyRequest>();

/** Names the route of `req` for the duration histogram: a template, never the raw URL. */
export function labelRoute(req: FastifyRequest, template: string) {
  routeLabels.set(req, template);
}

const procedureNames = new Set(Object.keys((appRouter as unknown as { _def: { procedures: Record<string, unknown> } })._def.procedures));

/** The labels one request is counted under (several for a tRPC batch). */
function routesOf(req: FastifyRequest): string[] {
  const labelled = routeLabels.get(req);
  if (labelled) return [labelled];
  const template = req.is404 ? undefined : req.routeOptions.url;
  if (!template) return [UNMATCHED_ROUTE];
  if (template === '/trpc/:path') {
    const { path } = req.params as { path?: unknown };
    const names = typeof path === 'string' ? path.split(',') : [];
    return names.map((name) => (procedureNames.has(name) ? name : UNMATCHED_ROUTE));
  }
  // A wildcard route that did not label itself matched no known path.
  return template.endsWith('*') ? [UNMATCHED_ROUTE] : [template];
}

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/** Constant-time check of a bearer token (both sides hashed, so lengths leak nothing either). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  return timingSafeEqual(sha256(presented), sha256(token));
}

const BUSINESS_TIMEOUT_MS = 2_000;
/**
 * The business gauges, in a registry of this app (its database): payments by status and method,
 * pg-boss jobs by queue and state, subscriptions whose provisioning failed. The migrations create
 * all three tables, so one statement reads them in one round trip.
 */
function businessGauges(db: DatabaseHandle) {
  const local = new Registry();
  const payments = new Gauge({
    name: `${METRIC_PREFIX}payments`,
    help: 'Payments recorded, by status (applied, unmatched, reversed) and method.',
    labelNames: ['status', 'method'] as const,
    registers: [local],
  });
  const jobs = new Gauge({
    name: `${METRIC_PREFIX}jobs`,
    help: 'Background jobs (pg-boss) by queue and state (created, retry, active, completed, cancelled, failed).',
    labelNames: ['queue', 'state'] as const,
    registers: [local],
  });
  const provisioningFailed = new Gauge({
    name: `${METRIC_PREFIX}subscriptions_provisioning_failed`,
    help: 'Subscriptions whose router provisioning failed.',
    registers: [local],
  });
  const up = new Gauge({
    name: `${METRIC_PREFIX}business_metrics_up`,
    help: '1 when the business gauges were read from the database at this scrape, 0 when the query failed or timed out.',
    registers: [local],
  });
  const scrapeSeconds = new Gauge({
    name: `${METRIC_PREFIX}business_metrics_scrape_seconds`,
    help: 'How long reading the business gauges took at this scrape.',
    registers: [local],
  });

  const read = () =>
    queryRows<{ kind: string; a: string | null; b: string | null; n: number }>(
      db.db,
      sql`select 'payments' as kind, status::text as a, method::text as b, count(*)::int as n from payments group by status, method
          union all select 'jobs', name, state::text, count(*)::int from pgboss.job group by name, state
          union all select 'provisioning', null, null, count(*)::int from subscriptions where provisioning_state = 'failed'`,
    );

  return {
    registry: local,
    async refresh(log: FastifyRequest['log']) {
      const started = process.hrtime.bigint();
      payments.reset();
      jobs.reset();
      provisioningFailed.reset();
      try {
        const rows = await Promise.race([
          read(),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error('business metrics query timed out')), BUSINESS_TIMEOUT_MS).unref(),
          ),
        ]);
        for (const { kind, a, b, n } of rows) {
          if (kind === 'payments') payments.set({ status: a ?? '', method: b ?? '' }, Number(n));
          else if (kind === 'jobs') jobs.set({ queue: a ?? '', state: b ?? '' }, Number(n));
          else provisioningFailed.set(Number(n));
        }
        up.set(1);
      } catch (error) {
        log.warn({ err: error }, 'business metrics could not be read');
        up.set(0);
      }
      scrapeSeconds.set(Number(process.hrtime.bigint() - started) / 1e9);
    },
  };
}

const metrics: FastifyPluginAsync<{ db: DatabaseHandle }> = async (app, { db }) => {
  databasePoolMax.set({ engine: db.kind }, db.poolSize);

  app.addHook('onRequest', async (req) => {
    counted.add(req);
    httpRequestsInFlight.inc();
  });
  const done = (req: FastifyRequest) => {
    if (!counted.delete(req)) return false;
    httpRequestsInFlight.dec();
    return true;
  };
  app.addHook('onResponse', async (req, reply) => {
    if (!done(req)) return;
    const seconds = reply.elapsedTime / 1000;
    const status = String(reply.statusCode);
    for (const route of routesOf(req)) httpRequestDuration.observe({ method: req.method, route, status }, seconds);
  });
  app.addHook('onRequestAbort', async (req) => {
    done(req);
  });

  const token = app.services.config.metricsToken;
  if (!token) return;
  collectProcessMetrics();
  const business = businessGauges(db);
  app.get('/metrics', async (req, reply) => {
    if (!bearerMatches(req.headers.authorization, token)) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({ error: 'Authentication required' });
    }
    await business.refresh(req.log);
    const text = `${await registry.metrics()}\n${await business.registry.metrics()}`;
    return reply.header('content-type', registry.contentType).header('cache-control', 'no-store').send(text);
  });
};

// Not encapsulated: its hooks time every route of the app.
export default fp(metrics, { name: 'metrics' });
