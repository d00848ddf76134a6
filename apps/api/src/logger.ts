/**
 * pino options for the whole API: JSON lines with the request id, and every place a credential can
 * hide redacted (headers, bodies, tokens, secrets). URLs are logged without their query string, so
 * nothing typed into a query ever reaches the log, and database errors are logged with their
 * statement's text but never its parameters (an INSERT's parameters hold a password hash).
 */
import type { FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

/**
 * Fields of database errors that repeat the statement's values: Drizzle's `params`, PGlite's
 * `params`/`queryOptions`, postgres.js' `parameters`, PostgreSQL's `detail` ("Key (email)=(…)"),
 * `where` ("portal parameter $1 = '…'") and `internalQuery`.
 */
const VALUE_FIELDS = new Set(['params', 'parameters', 'queryOptions', 'detail', 'where', 'internalQuery', 'hint']);

type ErrorLike = Error & Record<string, unknown>;
const isErrorLike = (value: unknown): value is ErrorLike =>
  typeof value === 'object' && value !== null && typeof (value as { message?: unknown }).message === 'string';

/** A database error: Drizzle's wrapper (`query` + `params`) or the driver's PostgreSQL error (`severity` + `code`). */
const isDatabaseError = (err: ErrorLike) =>
  (typeof err.query === 'string' && ('params' in err || 'parameters' in err)) ||
  (typeof err.severity === 'string' && typeof err.code === 'string');

/**
 * A copy of an error (and its causes) safe to log: for database errors, the message names the
 * statement (Drizzle's message appends every parameter) or, from PostgreSQL, has its quoted
 * literals masked (`invalid input syntax for type uuid: "…"`), the stack's header says the same,
 * and the value fields are gone. Other errors are copied as they are, with safe causes.
 */
export function loggableError(err: unknown, depth = 0): unknown {
  if (!isErrorLike(err) || depth > 8) return err;
  const database = isDatabaseError(err);
  let message = err.message;
  if (database) {
    message =
      typeof err.query === 'string' && 'params' in err && !('severity' in err)
        ? `Failed query: ${err.query}`
        : message.replace(/"(?:[^"\\]|\\.)*"/g, '"…"');
  }
  const copy = new Error(message) as ErrorLike;
  copy.name = err.name;
  const frames = (err.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  copy.stack = [`${err.name}: ${message}`, ...frames].join('\n');
  for (const key of Object.keys(err)) {
    if (key === 'cause' || (database && VALUE_FIELDS.has(key))) continue;
    copy[key] = err[key];
  }
  if (err.cause !== undefined) copy.cause = loggableError(err.cause, depth + 1);
  // pino folds causes into message and stack only: lift what says which rule the database applied.
  if (database && isErrorLike(err.cause) && isDatabaseError(err.cause)) {
    for (const key of ['code', 'severity', 'constraint', 'table', 'column', 'routine']) {
      if (copy[key] === undefined && err.cause[key] !== undefined) copy[key] = err.cause[key];
    }
  }
  // Keep the original class name as the log's `type`.
  Object.defineProperty(copy, 'constructor', { value: err.constructor, enumerable: false });
  return copy;
}

/** pino's error serializer, over the safe copy. */
export function serializeError(err: unknown) {
  return pino.stdSerializers.err(loggableError(err) as Error);
}

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'authorization',
  'password',
  'newPassword',
  'currentPassword',
  'token',
  'secret',
  '*.password',
  '*.newPassword',
  '*.currentPassword',
  '*.passwordHash',
  '*.token',
  '*.secret',
  '*.jwtSecret',
  'input.password',
  'input.newPassword',
  'input.currentPassword',
  'body.password',
  'body.newPassword',
  'body.currentPassword',
  'config.jwt',
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      err: serializeError,
      req(req: FastifyRequest) {
        return {
          method: req.method,
          // Webhook paths carry their secret token (/api/hooks/c2b/<token>/confirmation): never log it.
          url: (req.url.split('?')[0] ?? '').replace(/^(\/api\/hooks\/[^/]+\/)[^/]+/, '$1[token]'),
          remoteAddress: req.ip,
          userAgent: req.headers['user-agent'],
        };
      },
    },
  };
}

export function createLogger(level: string, stream?: DestinationStream) {
  return stream ? pino(loggerOptions(level), stream) : pino(loggerOptions(level));
}
