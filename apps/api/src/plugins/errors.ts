/**
 * How failures are answered and logged. Fastify's own errors (body too large, bad JSON, poisoning,
 * limits) keep their 4xx status and safe message; anything else is a 500 with a generic message and
 * the request id, never a stack, SQL, host name or driver message. Procedure errors (tRPC, REST
 * and the CSV exports) are logged once each by `logProcedureError`.
 */
import type { TRPCError } from '@trpc/server';
import type { FastifyBaseLogger, FastifyError, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ZodError } from 'zod';
import { countDatabaseError } from '../lib/metrics';
import { domainErrorOf } from '../trpc/errors';
import { GENERIC_INTERNAL_MESSAGE } from '../trpc/trpc';

/**
 * One log line per refused or failed procedure call: internal errors with their cause (the logger
 * strips query parameters from database errors), validation failures with the names of the
 * offending fields only (never values), other refusals with their code.
 */
export function logProcedureError(log: FastifyBaseLogger, error: TRPCError, procedurePath: string | undefined) {
  if (error.code === 'INTERNAL_SERVER_ERROR') {
    countDatabaseError(error.cause ?? error);
    log.error({ err: error.cause ?? error, path: procedurePath }, 'procedure failed');
    return;
  }
  const cause: unknown = error.cause;
  const domainFields = domainErrorOf(error)?.fieldErrors;
  if (error.code === 'BAD_REQUEST' && (cause instanceof ZodError || domainFields)) {
    const fields =
      cause instanceof ZodError
        ? [...new Set(cause.issues.map((issue) => issue.path.join('.') || '(input)'))]
        : Object.keys(domainFields ?? {});
    log.info({ event: 'validation.failed', path: procedurePath, fields }, 'input validation failed');
    return;
  }
  log.info({ event: 'procedure.rejected', code: error.code, path: procedurePath }, error.message);
}

const errors: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      countDatabaseError(error);
      req.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: GENERIC_INTERNAL_MESSAGE, requestId: req.id });
    }
    req.log.info({ event: 'request.rejected', status, code: error.code }, error.message);
    // Fastify's own 4xx messages (body too large, bad JSON, poisoning, nesting) are safe to show.
    return reply.status(status).send({ error: status === 429 ? 'Too many requests' : error.message });
  });
};

export default fp(errors, { name: 'errors' });
