/**
 * The per-request limit (RATE_LIMIT_GLOBAL_PER_MINUTE), counted per client: a signed-in request
 * counts against its user, anything else against its client address. An office of thirty staff
 * behind one NAT address therefore shares nothing but its unauthenticated traffic (the sign-in
 * page), while a flood without a valid session (no token, a garbage or forged one, a revoked one)
 * is still limited per address. Procedures add their own per-call limits on top (`user` for every
 * signed-in call, batched calls included; `auth` for sign-in and registration).
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { countRateLimitRefusal } from '../lib/metrics';
import { clientKey, fastifyStoreOf } from '../security/rate-limits';
import { sessionOf } from '../trpc/context';

/** Static files the limit does not count (see `allowList`). */
const isUncountedFile = (req: FastifyRequest) => {
  const route = req.routeOptions.url ?? '';
  return req.method === 'GET' && (route.startsWith('/assets/') || route === '/favicon.ico' || route === '/favicon.svg');
};

const rateLimits: FastifyPluginAsync = async (app) => {
  const { services } = app;

  /** Whose budget a request spends. A session that cannot be checked (database down) counts as none. */
  const limitKey = async (req: FastifyRequest) => {
    const session = req.headers.authorization ? await sessionOf(services, req).catch(() => null) : null;
    return session ? `user:${session.user.id}` : `ip:${clientKey(req.ip)}`;
  };

  await app.register(rateLimit, {
    global: true,
    max: services.config.rateLimit.globalPerMinute,
    timeWindow: '1 minute',
    keyGenerator: limitKey,
    // Counted in the shared store: Redis with REDIS_URL, falling back to memory when it is down.
    store: fastifyStoreOf(services.security.counters),
    skipOnError: true,
    // The web client's fingerprinted files (one page load fetches dozens of chunks) and its icon
    // are not counted, so a page load costs one request. Only files that exist have a route; a
    // probe for a missing one is a 404 and still counted.
    allowList: (req) => isUncountedFile(req),
    onExceeded: () => countRateLimitRefusal('global'),
    // 404s are limited too: otherwise an attacker could probe URLs for free.
    errorResponseBuilder: (_req, context) => ({
      statusCode: 429,
      error: 'Too many requests',
      retryAfterSeconds: Math.ceil(context.ttl / 1000),
    }),
  });
};

export default fp(rateLimits, { name: 'rate-limits', dependencies: ['errors'] });
