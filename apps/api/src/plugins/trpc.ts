/**
 * The tRPC endpoint at /trpc/<module>.<procedure>, batching on (at most MAX_BATCH_SIZE calls per
 * request, each counted by the per-user limit inside its procedure).
 */
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import type { FastifyPluginAsync } from 'fastify';
import { createHttpContext } from '../trpc/context';
import { appRouter, type AppRouter } from '../trpc/router';
import { logProcedureError } from './errors';
import { guardedJsonParser } from './json-bodies';

/** tRPC batches larger than this are refused with 400. */
export const MAX_BATCH_SIZE = 20;

const trpc: FastifyPluginAsync = async (app) => {
  const { services } = app;
  // The tRPC adapter takes JSON bodies as text and parses them itself, without Fastify's guards
  // (prototype poisoning, nesting depth); run them first, on the body and on the `input` query.
  const checkJson = guardedJsonParser(app);
  app.addHook('preHandler', async (req) => {
    if (typeof req.body === 'string' && req.body.length > 0) await checkJson(req, req.body);
    const query = req.query as Record<string, unknown> | undefined;
    if (typeof query?.input === 'string' && query.input.length > 0) await checkJson(req, query.input);
  });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req, res }) => createHttpContext(services, req, res),
      maxBatchSize: MAX_BATCH_SIZE,
      // Retry-After of a limited call (the status stays tRPC's own).
      responseMeta: ({ ctx }) => ({ headers: ctx?.http.headers ?? {} }),
      onError: ({ error, path, ctx, req }) => logProcedureError(ctx?.log ?? req.log, error, path),
    } satisfies FastifyTRPCPluginOptions<AppRouter>['trpcOptions'],
  });
};

export default trpc;
