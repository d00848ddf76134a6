/**
 * Builds the Fastify app from a config and a database handle without listening: tests use it with
 * `inject`, main.ts listens. Each concern is one plugin under ./plugins, registered here in the
 * order a request meets them: headers and body parsing, then the per-client limit, then the routes.
 */
import { randomUUID } from 'node:crypto';
import type { DatabaseHandle } from '@netflow/db';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { DestinationStream } from 'pino';
import type { Config } from './config';
import { JOBS, SCHEDULES, wireListeners } from './wiring';
import { useEncryptionKeys } from './lib/secrets';
import { createLogger } from './logger';
import { createTokenService, listenForUserChanges, UserCache } from './modules/auth';
import { auditChain } from './modules/audit';
import { jobQueue } from './modules/jobs';
import csvExports from './plugins/csv-exports';
import errors from './plugins/errors';
import health from './plugins/health';
import jsonBodies from './plugins/json-bodies';
import metrics from './plugins/metrics';
import mpesaHooks from './plugins/mpesa-hooks';
import rateLimits from './plugins/rate-limits';
import rest from './plugins/rest';
import securityHeaders from './plugins/security-headers';
import smsHooks from './plugins/sms-hooks';
import trpc from './plugins/trpc';
import webApp from './plugins/web-app';
import { createSecurity } from './security';

export { buildOpenApiDocument } from './plugins/rest';

export interface BuildServerOptions {
  config: Config;
  db: DatabaseHandle;
  /** Where log lines go; tests capture them to prove what is (not) logged. */
  logStream?: DestinationStream;
}

/** Largest accepted request body. Big enough for any form, small enough to refuse abuse early. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

function fastifyOptions(config: Config, logStream: DestinationStream | undefined): FastifyServerOptions {
  return {
    loggerInstance: createLogger(config.logLevel, logStream),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Only listed proxies may speak for the client's address; never `true`.
    trustProxy: config.trustProxy.length > 0 ? config.trustProxy : false,
    bodyLimit: BODY_LIMIT_BYTES,
    requestTimeout: 30_000,
    connectionTimeout: 60_000,
    keepAliveTimeout: 5_000,
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    // Batched tRPC URLs carry every procedure name in the path.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 5_000 },
  };
}

export async function buildServer({ config, db, logStream }: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify(fastifyOptions(config, logStream));
  for (const warning of config.warnings) app.log.warn(warning);
  useEncryptionKeys(config.encryption);
  wireListeners();

  const security = await createSecurity(config, app.log);
  app.addHook('onClose', async () => security.close());
  // Users that authenticated recently, evicted on every instance by the database's notifications.
  const userCache =
    db.kind === 'postgres' && db.url && config.authCacheSeconds > 0 ? new UserCache(config.authCacheSeconds * 1000) : undefined;
  if (userCache && db.url) {
    const stop = listenForUserChanges(db.url, userCache, app.log);
    app.addHook('onClose', stop);
  }
  app.decorate('services', { db: db.db, dbKind: db.kind, config, tokens: createTokenService(config.jwt), security, userCache });
  // First, so every audit row this process writes is signed with AUDIT_KEY; logs chain checkpoints.
  await app.register(auditChain);

  // First of the request plugins: it times every request, refused ones included.
  await app.register(metrics, { db });
  await app.register(securityHeaders);
  await app.register(jsonBodies);
  await app.register(errors);
  await app.register(rateLimits);
  await app.register(health, { db });
  await app.register(trpc);
  await app.register(rest);
  await app.register(csvExports);
  // Africa's Talking delivery reports (form-encoded, this route only).
  await app.register(smsHooks);
  await app.register(mpesaHooks);
  // The job queue's workers and schedules, e.g. the expiry sweep (JOBS=on; off under NODE_ENV=test).
  await app.register(jobQueue, { db, jobs: JOBS, schedules: SCHEDULES });
  await app.register(webApp, { distDir: config.webDistDir });
  return app;
}
