/**
 * The built web client (apps/web/dist) at /, and the answer for unknown paths: the app shell for a
 * page URL (client-side routes such as /leads/123), a JSON 404 for anything else. Vite fingerprints
 * the files under /assets, so they are cached for good; the icon for a day; index.html never
 * without revalidation, so a deploy shows at once. Text files are sent as the brotli or gzip copy
 * the build made beside them (`x.js.br`, `x.js.gz`; see apps/web/vite.config.ts), chosen by the
 * request's Accept-Encoding; the answer varies with that header, so caches keep one per encoding.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { isApiPath } from './security-headers';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const ONE_DAY = 'public, max-age=86400';

/** The file a precompressed copy stands for (`x.js.br` → `x.js`). */
const originalOf = (filePath: string) => filePath.replace(/\.(br|gz)$/, '');

function cacheControlOf(filePath: string): string {
  if (filePath.includes(`${path.sep}assets${path.sep}`)) return IMMUTABLE;
  if (/[\\/]favicon\.(ico|svg)$/.test(originalOf(filePath))) return ONE_DAY;
  return 'no-cache';
}

/** The kinds of file the build precompresses (apps/web/vite.config.ts). */
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

const webApp: FastifyPluginAsync<{ distDir: string }> = async (app, { distDir }) => {
  const hasWeb = existsSync(path.join(distDir, 'index.html'));
  if (hasWeb) {
    await app.register(fastifyStatic, {
      root: distDir,
      // One route per file that exists at start-up: a probe for anything else is a (counted) 404.
      wildcard: false,
      index: false,
      // Off, or `send` adds its own `public, max-age=0` after setHeaders and wins.
      cacheControl: false,
      // `x.js.br` / `x.js.gz` by Accept-Encoding (br first), the plain file otherwise.
      preCompressed: true,
      setHeaders: (res, filePath) => {
        res.setHeader('cache-control', cacheControlOf(filePath));
      },
    });
    // The body depends on Accept-Encoding. Added as the reply is sent, beside whatever else the
    // answer varies on (CORS sets `Vary: Origin`, which would replace a header set on the file).
    app.addHook('onSend', async (req, reply, payload) => {
      const file = req.url.split('?')[0] ?? '';
      if ((req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.url) && (COMPRESSIBLE.test(file) || !path.extname(file))) {
        const vary = reply.getHeader('vary');
        const current = Array.isArray(vary) ? vary.join(', ') : vary === undefined ? '' : String(vary);
        if (!/accept-encoding/i.test(current)) reply.header('vary', current ? `${current}, Accept-Encoding` : 'Accept-Encoding');
      }
      return payload;
    });
    app.get('/', async (_req, reply) => reply.header('cache-control', 'no-cache').sendFile('index.html'));
  } else {
    app.log.warn(`web client not built (${distDir}); serving the API only`);
  }

  app.setNotFoundHandler(async (req, reply) => {
    const wantsPage = (req.method === 'GET' || req.method === 'HEAD') && !isApiPath(req.url) && !path.extname(req.url.split('?')[0] ?? '');
    if (hasWeb && wantsPage) {
      return reply.header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply.status(404).send({ error: 'Not found' });
  });
};

// Not encapsulated: the 404 answer is the whole app's.
export default fp(webApp, { name: 'web-app' });
