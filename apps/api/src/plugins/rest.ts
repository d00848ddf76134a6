/**
 * The REST twins of the procedures (trpc-to-openapi) under /api/v1 and, as an alias of v1, under
 * /api (see api-version.ts): the adapter is registered once per prefix, so every route, today's
 * and future ones, answers on both with the same handler, limits and error shape. The OpenAPI
 * document (server `/api/v1`) is at /api/v1/openapi.json and /api/openapi.json, the docs UI at
 * /api/docs. With API_DOCS=private (the production default) there is no docs UI (a browser page
 * cannot send a bearer token) and the document is for signed-in staff only.
 *
 * Query strings of GET routes are text; the contracts' query schemas (`queryInt`, `queryBoolean`)
 * parse them exactly. The adapter's own coercion is patched out (patches/trpc-to-openapi*.patch):
 * it switched the shared schemas themselves to coercion, loosening JSON bodies on both surfaces.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument, type CreateOpenApiFastifyPluginOptions } from 'trpc-to-openapi';
import { API_VERSION } from '../modules/health';
import { createHttpContext, sessionOf } from '../trpc/context';
import { appRouter, type AppRouter } from '../trpc/router';
import { API_ALIAS_PREFIX, API_V1_PREFIX, REST_PREFIXES } from './api-version';
import { csvExportOpenApiPaths } from './csv-exports';
import { logProcedureError } from './errors';
import { labelRoute, UNMATCHED_ROUTE } from './metrics';

export function buildOpenApiDocument() {
  return generateOpenApiDocument(appRouter, {
    title: 'NetFlow CRM API',
    version: API_VERSION,
    baseUrl: API_V1_PREFIX,
    description:
      `REST twins of the tRPC procedures, version 1, under \`${API_V1_PREFIX}\`. The unversioned \`${API_ALIAS_PREFIX}/...\` ` +
      `paths answer the same routes as an alias of v1. Authenticate with \`Authorization: Bearer <token>\` from ` +
      `POST ${API_V1_PREFIX}/auth/login.`,
    securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
    // CSV exports are plain Fastify routes (tRPC speaks JSON only); documented here by hand.
    paths: csvExportOpenApiPaths,
  });
}

/**
 * Names a REST request's route for the metrics from the document's templates (the adapter serves
 * every path through one wildcard route): `/api/v1/leads/:id`, never the raw URL.
 */
function routeTemplates(document: { paths?: Record<string, Record<string, unknown> | undefined> }) {
  const templates = Object.entries(document.paths ?? {}).map(([template, operations]) => ({
    // From the document's own templates (escaped), not from a request.
    // eslint-disable-next-line security/detect-non-literal-regexp
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^/}]+\}/g, '[^/]+')}$`),
    label: template.replace(/\{([^/}]+)\}/g, ':$1'),
    methods: new Set(Object.keys(operations ?? {}).map((method) => method.toUpperCase())),
  }));
  return (method: string, path: string): string | undefined => {
    const found = templates.find((t) => t.methods.has(method === 'HEAD' ? 'GET' : method) && t.pattern.test(path));
    return found?.label;
  };
}

const rest: FastifyPluginAsync = async (app) => {
  const { services } = app;
  const openApiDocument = buildOpenApiDocument();
  const docsArePublic = services.config.apiDocs === 'public';
  const templateOf = routeTemplates(openApiDocument as never);

  for (const prefix of REST_PREFIXES) {
    app.get(`${prefix}/openapi.json`, async (req, reply) => {
      if (!docsArePublic && !(await sessionOf(services, req))) {
        return reply.status(401).send({ error: 'Authentication required' });
      }
      return openApiDocument;
    });
  }
  if (docsArePublic) {
    await app.register(swagger, { mode: 'static', specification: { document: openApiDocument as never } });
    await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  }

  // Error bodies are reshaped to the REST contract: {error, fieldErrors?, requestId?}.
  const restRoutes = async (scope: Parameters<FastifyPluginAsync>[0], prefix: `/${string}`) => {
    scope.addHook('onRequest', async (req) => {
      const path = (req.url.split('?')[0] ?? '').slice(prefix.length);
      const template = templateOf(req.method, path);
      labelRoute(req, template ? `${prefix}${template}` : UNMATCHED_ROUTE);
    });
    // A POST or PATCH without any body (`curl -X POST /api/auth/logout`) means an empty JSON
    // object, not a 415; a request that does carry a non-JSON body is still refused.
    scope.addHook('preHandler', async (req) => {
      const bodyless = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
      if (req.headers['content-type'] === undefined && req.body === undefined && bodyless) {
        req.headers['content-type'] = 'application/json';
      }
    });
    scope.addHook('onSend', async (req, reply, payload) => {
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
    const options: CreateOpenApiFastifyPluginOptions<AppRouter> = {
      basePath: prefix,
      router: appRouter,
      // The adapter hands over Fastify's own request and reply.
      createContext: ({ req, res }) => createHttpContext(services, req as FastifyRequest, res as FastifyReply),
      responseMeta: ({ ctx, errors }) =>
        errors.length === 0 && ctx ? { status: ctx.http.status ?? 200, headers: ctx.http.headers } : { headers: ctx?.http.headers ?? {} },
      onError: ({ error, path, ctx, req }) => logProcedureError(ctx?.log ?? (req as FastifyRequest).log, error, path),
    };
    await scope.register(fastifyTRPCOpenApiPlugin, options);
  };
  // The same routes under each prefix: one adapter per prefix, `/api/v1/*` being the more specific.
  for (const prefix of REST_PREFIXES) await app.register((scope) => restRoutes(scope, prefix));
};

export default rest;
