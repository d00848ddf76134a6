/**
 * The process's Prometheus metrics (prom-client): one registry per process, so code anywhere
 * (auth service, rate limits, error logging) increments a counter without knowing about HTTP, and
 * GET /metrics (plugins/metrics.ts) renders it. Several apps built in one process (tests) share
 * these counters; assertions compare before and after.
 *
 * Every label takes values from a small closed set (route templates, procedure names, reasons,
 * SQLSTATE classes): never an id, a raw URL, an address or an e-mail.
 *
 * Business numbers (payments, jobs, provisioning) are not counted here: they are read from the
 * database at scrape time (see `businessGauges`), so every instance reports the same truth.
 */
import { DrizzleQueryError } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRIC_PREFIX = 'netflow_';

export const registry = new Registry();

let collectingProcessMetrics = false;

/**
 * Starts prom-client's process metrics (CPU, memory, event-loop lag, GC) once per process: only
 * where /metrics is served, so CLI tools that import a service start no collectors.
 */
export function collectProcessMetrics() {
  if (collectingProcessMetrics) return;
  collectingProcessMetrics = true;
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
}

/** Buckets from 5 ms (a cached read) to 10 s (past which the request timeout matters more). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export const httpRequestDuration = new Histogram({
  name: `${METRIC_PREFIX}http_request_duration_seconds`,
  help: 'HTTP request duration by method, route (tRPC procedure or route template, "unmatched" for unknown paths) and status code.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: DURATION_BUCKETS,
  registers: [registry],
});

export type SignInFailureReason =
  'unknown_account' | 'wrong_password' | 'wrong_code' | 'mfa_required' | 'locked' | 'no_password' | 'inactive';

export const signIns = new Counter({
  name: `${METRIC_PREFIX}auth_sign_ins_total`,
  help: 'Password sign-in attempts by result (success, failure) and, for failures, reason.',
  labelNames: ['result', 'reason'] as const,
  registers: [registry],
});

export const lockouts = new Counter({
  name: `${METRIC_PREFIX}auth_lockouts_total`,
  help: 'Sign-in locks imposed on an (account, client network) after repeated failures.',
  registers: [registry],
});

export const rateLimitRefusals = new Counter({
  name: `${METRIC_PREFIX}rate_limit_refusals_total`,
  help: 'Requests or calls refused with 429, by limit (global, auth, user).',
  labelNames: ['limit'] as const,
  registers: [registry],
});

export const databaseErrors = new Counter({
  name: `${METRIC_PREFIX}db_errors_total`,
  help: 'Failed requests or calls whose cause was a database error, by SQLSTATE class (e.g. 08 connection, 40 rollback, 57 operator intervention) or "other".',
  labelNames: ['class'] as const,
  registers: [registry],
});

export const databasePoolMax = new Gauge({
  name: `${METRIC_PREFIX}db_pool_max_connections`,
  help: 'Configured database connection pool size (embedded PGlite: 1).',
  labelNames: ['engine'] as const,
  registers: [registry],
});

/**
 * postgres.js exposes no pool gauge, and wrapping every query to count them costs on every call;
 * requests in flight (each runs its queries one after another) bound the connections in use.
 */
export const httpRequestsInFlight = new Gauge({
  name: `${METRIC_PREFIX}http_requests_in_flight`,
  help: 'HTTP requests being handled right now; each uses at most one database connection at a time.',
  registers: [registry],
});

/** Counts a sign-in that failed, and the lock it imposed if any. */
export function countSignInFailure(reason: SignInFailureReason, locked = false) {
  signIns.inc({ result: 'failure', reason });
  if (locked) lockouts.inc();
}

export function countSignInSuccess() {
  signIns.inc({ result: 'success', reason: '' });
}

export function countRateLimitRefusal(limit: 'global' | 'auth' | 'user') {
  rateLimitRefusals.inc({ limit });
}

interface ErrorLike {
  code?: unknown;
  name?: unknown;
  cause?: unknown;
}

/**
 * The SQLSTATE class of a database error somewhere in `error`'s cause chain (Drizzle wraps the
 * driver's error), "other" for a driver error without one (connection refused, PGlite closed), or
 * null when the error did not come from the database.
 */
export function databaseErrorClass(error: unknown): string | null {
  let current: unknown = error;
  let fromDatabase = false;
  for (let depth = 0; depth < 6 && current && typeof current === 'object'; depth += 1) {
    const { code, name, cause } = current as ErrorLike;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code.slice(0, 2);
    // postgres.js connection errors carry Node's codes (or its own); Drizzle's wrapper names itself.
    if (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|CONNECT_TIMEOUT|CONNECTION_)/.test(code)) return '08';
    if (current instanceof DrizzleQueryError || name === 'PostgresError') fromDatabase = true;
    current = cause;
  }
  return fromDatabase ? 'other' : null;
}

/** Counts `error` if it came from the database; returns whether it did. */
export function countDatabaseError(error: unknown): boolean {
  const errorClass = databaseErrorClass(error);
  if (errorClass === null) return false;
  databaseErrors.inc({ class: errorClass });
  return true;
}
