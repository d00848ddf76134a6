/**
 * GET /api/health (liveness) and GET /api/ready (each also under /api/v1) (readiness: the database answers within 2 s, else
 * 503) for load balancers and monitors; neither is rate limited. Details beyond `status` (which
 * database engine) are shown only where API_DOCS=public or to a signed-in caller.
 */
import type { DatabaseHandle } from '@netflow/db';
import type { FastifyPluginAsync } from 'fastify';
import { sessionOf } from '../trpc/context';
import { REST_PREFIXES } from './api-version';

const READY_TIMEOUT_MS = 2000;

const health: FastifyPluginAsync<{ db: DatabaseHandle }> = async (app, { db }) => {
  const { services } = app;

  for (const prefix of REST_PREFIXES) {
    app.get(`${prefix}/health`, { config: { rateLimit: false } }, async () => ({ status: 'ok' }));

    app.get(`${prefix}/ready`, { config: { rateLimit: false } }, async (req, reply) => {
      try {
        await Promise.race([
          db.ping(),
          new Promise((_, reject) => setTimeout(() => reject(new Error('database ping timed out')), READY_TIMEOUT_MS).unref()),
        ]);
      } catch (error) {
        req.log.warn({ err: error }, 'readiness check failed');
        return reply.status(503).send({ status: 'unavailable', error: 'Database is not answering' });
      }
      const detailed = services.config.apiDocs === 'public' || (await sessionOf(services, req).catch(() => null)) !== null;
      return detailed ? { status: 'ready', database: db.kind } : { status: 'ready' };
    });
  }
};

export default health;
