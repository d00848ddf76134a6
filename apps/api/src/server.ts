/**
 * Builds the Fastify app from a config and a database handle without listening: tests use it with
 * `inject`, main.ts listens. Security plugins are registered here, in one place, before any route.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { DatabaseHandle } from '@netflow/db';
import type { TRPCError } from '@trpc/server';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
} from 'fastify';
import type { DestinationStream } from 'pino';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument, type CreateOpenApiFastifyPluginOptions } from 'trpc-to-openapi';
import { ZodError } from 'zod';
import type { Config } from './config';
import { createLogger } from './logger';
import { createSecurity } from './security';
import { fastifyStoreOf } from './security/rate-limits';
import { createTokenService } from './modules/auth/tokens';
import { csvExportOpenApiPaths, csvExportRoutes } from './modules/leads/export-route';
import { API_VERSION } from './modules/health/service';
import { createHttpContext, type AppServices, type Context } from './trpc/context';
import { appRouter, type AppRouter } from './trpc/router';
import { domainErrorOf } from './trpc/errors';
import { GENERIC_INTERNAL_MESSAGE } from './trpc/trpc';

export interface BuildServerOptions {
  config: Config;
  db: DatabaseHandle;
  /** Where log lines go; tests capture them to prove what is (not) logged. */
  logStream?: DestinationStream;
}

/** Largest accepted request body. Big enough for any form, small enough to refuse abuse early. */
export const BODY_LIMIT_BYTES = 1024 * 1024;
/** tRPC batches larger than this are refused with 400. */
export const MAX_BATCH_SIZE = 20;
const READY_TIMEOUT_MS = 2000;

const isApiPath = (url: string) => url.startsWith('/api/') || url === '/api' || url.startsWith('/trpc');

export function buildOpenApiDocument() {
  return generateOpenApiDocument(appRouter, {
    title: 'NetFlow CRM API',
    version: API_VERSION,
    baseUrl: '/api',
    description: 'REST twins of the tRPC procedures. Authenticate with `Authorization: Bearer <token>` from POST /api/auth/login.',
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    // CSV exports are plain Fastify routes (tRPC speaks JSON only); documented here by hand.
    paths: csvExportOpenApiPaths,
  });
}

export async function buildServer({ config, db, logStream }: BuildServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: createLogger(config.logLevel, logStream) as FastifyBaseLogger,
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
  });

  const security = await createSecurity(config, app.log);
  app.addHook('onClose', async () => security.close());
  const services: AppServices = {
    db: db.db,
    dbKind: db.kind,
    config,
    tokens: createTokenService(config.jwt),
    security,
  };
  app.decorate('services', services);

  // Only JSON bodies are accepted (415 otherwise). Fastify's default text/plain parser would let a
  // foreign page POST here without a CORS preflight.
  app.removeContentTypeParser('text/plain');

  /**
   * One log line per refused or failed procedure call (tRPC and REST alike): internal errors with
   * their cause, validation failures with the names of the offending fields only (never values).
   */
  const logProcedureError = (error: TRPCError, procedurePath: string | undefined, ctx: Context | undefined) => {
    const log = ctx?.log ?? app.log;
    if (error.code === 'INTERNAL_SERVER_ERROR') {
      log.error({ err: error.cause ?? error, path: procedurePath }, 'procedure failed');
      return;
    }
    const cause: unknown = error.cause;
    const domainFields = domainErrorOf(error)?.fieldErrors;
    if (error.code === 'BAD_REQUEST' && (cause instanceof ZodError || domainFields)) {
      const fields =
        cause instanceof ZodError ? [...new Set(cause.issues.map((issue) => issue.path.join('.') || '(input)'))] : Object.keys(domainFields ?? {});
      log.info({ event: 'validation.failed', path: procedurePath, fields }, 'input validation failed');
      return;
    }
    log.info({ event: 'procedure.rejected', code: error.code, path: procedurePath }, error.message);
  };

  for (const warning of config.warnings) app.log.warn(warning);

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    // API answers carry personal data and credentials: never cache them anywhere.
    if (isApiPath(req.url)) reply.header('cache-control', 'no-store');
  });

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        // Component libraries set style attributes; scripts stay strict.
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });

  await app.register(cors, {
    // An allowlist of exact origins; anything else (including `null`) gets no CORS headers.
    origin: (origin, cb) => cb(null, origin !== undefined && config.corsOrigins.includes(origin)),
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-trpc-source'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });

  await app.register(rateLimit, {
    global: true,
    max: config.rateLimit.globalPerMinute,
    timeWindow: '1 minute',
    // Counted in the shared store: Redis with REDIS_URL, falling back to memory when it is down.
    store: fastifyStoreOf(security.counters),
    skipOnError: true,
    // The web client's fingerprinted files (one page load fetches dozens of chunks) are not counted:
    // otherwise a few staff behind one office IP exhaust the limit and pages fail to load. Only
    // files that exist have a route; a probe for a missing one is a 404 and still counted.
    allowList: (req) => req.method === 'GET' && (req.routeOptions.url ?? '').startsWith('/assets/'),
    // 404s are limited too: otherwise an attacker could probe URLs for free.
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: 'Too many requests',
      retryAfterSeconds: Math.ceil(context.ttl / 1000),
    }),
  });

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) {
      req.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: GENERIC_INTERNAL_MESSAGE, requestId: req.id });
    }
    req.log.info({ event: 'request.rejected', status, code: error.code }, error.message);
    // Fastify's own 4xx messages (body too large, bad JSON, poisoning) are safe to show.
    return reply.status(status).send({ error: status === 429 ? 'Too many requests' : error.message });
  });

  app.get('/api/health', { config: { rateLimit: false } }, async () => ({ status: 'ok' }));
  app.get('/api/ready', { config: { rateLimit: false } }, async (req, reply) => {
    try {
      await Promise.race([
        db.ping(),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS).unref()),
      ]);
      return { status: 'ready', database: db.kind };
    } catch (error) {
      req.log.warn({ err: error }, 'readiness check failed');
      return reply.status(503).send({ status: 'unavailable', error: 'Database is not answering' });
    }
  });

  await app.register(async (trpcScope) => {
    // The tRPC adapter takes JSON bodies as text and parses them itself, without Fastify's guard
    // against prototype poisoning; run that guard first (on the body and the `input` query).
    const guardedJson = trpcScope.getDefaultJsonParser('error', 'error');
    const checkJson = (req: FastifyRequest, text: string) =>
      new Promise<void>((resolve, reject) => guardedJson(req, text, (error) => (error ? reject(error) : resolve())));
    trpcScope.addHook('preHandler', async (req) => {
      if (typeof req.body === 'string' && req.body.length > 0) await checkJson(req, req.body);
      const query = req.query as Record<string, unknown> | undefined;
      if (typeof query?.input === 'string' && query.input.length > 0) await checkJson(req, query.input);
    });
    await trpcScope.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: {
        router: appRouter,
        createContext: ({ req, res }) => createHttpContext(services, req, res),
        maxBatchSize: MAX_BATCH_SIZE,
        // Retry-After of a limited call (the status stays tRPC's own).
        responseMeta: ({ ctx }) => ({ headers: ctx?.http.headers ?? {} }),
        onError: ({ error, path: procedurePath, ctx }) => logProcedureError(error, procedurePath, ctx),
      } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
    });
  });

  const openApiDocument = buildOpenApiDocument();
  app.get('/api/openapi.json', { config: { rateLimit: false } }, async () => openApiDocument);
  await app.register(swagger, { mode: 'static', specification: { document: openApiDocument as never } });
  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });

  // REST twins of the procedures. Error bodies are reshaped to the REST contract: {error, fieldErrors?, requestId?}.
  await app.register(async (rest) => {
    // A POST or PATCH without any body (`curl -X POST /api/auth/logout`) means an empty JSON
    // object, not a 415; a request that does carry a non-JSON body is still refused.
    rest.addHook('preHandler', async (req) => {
      const bodyless = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
      if (req.headers['content-type'] === undefined && req.body === undefined && bodyless) {
        req.headers['content-type'] = 'application/json';
      }
    });
    rest.addHook('onSend', async (req, reply, payload) => {
      if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
      try {
        const body = JSON.parse(payload) as { message?: string; data?: { fieldErrors?: unknown; requestId?: string } };
        if (typeof body.message !== 'string') return payload;
        // The adapter words validation failures its own way; say it as tRPC and the CSV routes do.
        const reshaped: Record<string, unknown> = { error: body.data?.fieldErrors ? 'Invalid input' : body.message };
        if (body.data?.fieldErrors) reshaped.fieldErrors = body.data.fieldErrors;
        if (reply.statusCode >= 500) reshaped.requestId = req.id;
        return JSON.stringify(reshaped);
      } catch {
        return payload;
      }
    });
    const restOptions: CreateOpenApiFastifyPluginOptions<AppRouter> = {
      basePath: '/api',
      router: appRouter,
      // The adapter hands over Fastify's own request and reply.
      createContext: ({ req, res }) => createHttpContext(services, req as FastifyRequest, res as FastifyReply),
      responseMeta: ({ ctx, errors }) =>
        errors.length === 0 && ctx ? { status: ctx.http.status ?? 200, headers: ctx.http.headers } : { headers: ctx?.http.headers ?? {} },
      onError: ({ error, path: procedurePath, ctx }) => logProcedureError(error, procedurePath, ctx),
    };
    await rest.register(fastifyTRPCOpenApiPlugin, restOptions);
  });
  // GET /api/leads/export, /api/customers/export: streamed CSV, same auth/permission/audit rules.
  await app.register(csvExportRoutes);
  // Suspends subscriptions past expiry + SUBSCRIPTION_GRACE_HOURS on a timer (off under NODE_ENV=test).
  await app.register(import('./modules/subscriptions/expiry-sweep'));
  await app.register(import('./modules/audit/plugin')); // signs audit rows with AUDIT_KEY; logs checkpoints (off under test)

  const webDist = config.webDistDir;
  const hasWeb = existsSync(path.join(webDist, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: webDist,
      wildcard: false,
      index: false,
      setHeaders: (res, filePath) => {
        // Vite fingerprints asset names, so they can be cached for good.
        res.setHeader('cache-control', filePath.includes(`${path.sep}assets${path.sep}`) ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });
    app.get('/', async (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  } else {
    app.log.warn(`web client not built (${webDist}); serving the API only`);
  }

  app.setNotFoundHandler(async (req, reply) => {
    const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.url) && !path.extname(req.url.split('?')[0] ?? '');
    if (hasWeb && wantsPage) {
      // Client-side routes (e.g. /leads/123) get the app shell; the router in the page takes over.
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send({ error: 'Not found' });
  });

  return app;
}
