/**
 * Headers on every answer, errors and 404s included: the request id, `Cache-Control: no-store` on
 * the API, helmet's set (HSTS, a strict CSP with `frame-ancestors 'none'`, nosniff, no referrer, no
 * X-Powered-By) and CORS for an allowlist of exact origins only.
 */
import cors from '@fastify/cors';
import helmet from '@fastify/helmet';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

export const isApiPath = (url: string) =>
  url.startsWith('/api/') || url === '/api' || url.startsWith('/trpc') || url === '/metrics' || url.startsWith('/metrics?');

const securityHeaders: FastifyPluginAsync = async (app) => {
  const { corsOrigins } = app.services.config;

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
    origin: (origin, cb) => cb(null, origin !== undefined && corsOrigins.includes(origin)),
    credentials: false,
    methods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'x-trpc-source'],
    exposedHeaders: ['x-request-id', 'retry-after'],
    maxAge: 600,
  });
};

export default fp(securityHeaders, { name: 'security-headers' });
