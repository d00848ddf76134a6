/**
 * pino options for the whole API: JSON lines with the request id, and every place a credential can
 * hide redacted (headers, bodies, tokens, secrets). URLs are logged without their query string, so
 * nothing typed into a query ever reaches the log.
 */
import type { FastifyRequest } from 'fastify';
import pino, { type DestinationStream, type LoggerOptions } from 'pino';

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
      req(req: FastifyRequest) {
        return {
          method: req.method,
          url: req.url.split('?')[0],
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
