import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import react from '@vitejs/plugin-react';
import { defineConfig, type Plugin } from 'vite';

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/**
 * Brotli and gzip copies of every text file the browser loads (`x.js.br`, `x.js.gz` next to
 * `x.js`), made once at build time at the highest levels, so the server sends them as they are
 * (@fastify/static `preCompressed`) instead of compressing on every request or not at all.
 * Source maps and the manifest are not fetched by browsers on a normal load; they stay as they are.
 */
function precompress(): Plugin {
  let outDir = 'dist';
  return {
    name: 'netflow:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async writeBundle(_options, bundle) {
      const files = [...Object.keys(bundle), 'index.html'].filter((f) => /\.(js|css|html|svg|json)$/.test(f) && !f.startsWith('.vite/'));
      await Promise.all(
        [...new Set(files)].map(async (file) => {
          const full = path.join(outDir, file);
          const raw = await readFile(full);
          // Too small to gain anything over the request's own overhead.
          if (raw.length < 1024) return;
          const [br, gzipped] = await Promise.all([
            brotli(raw, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              },
            }),
            gz(raw, { level: 9 }),
          ]);
          await Promise.all([writeFile(`${full}.br`, br), writeFile(`${full}.gz`, gzipped)]);
        }),
      );
    },
  };
}

const api = process.env.NETFLOW_API_ORIGIN ?? 'http://127.0.0.1:9000';

export default defineConfig({
  plugins: [react(), precompress()],
  server: {
    // `pnpm dev`: the page is served by Vite, the API by the Fastify server; same origin for the browser.
    proxy: { '/trpc': api, '/api': api },
  },
  build: {
    sourcemap: true,
    // scripts/bundle-size.mjs walks it to measure what each first paint needs.
    manifest: true,
    // The server's CSP forbids inline scripts; keep Vite from inlining any.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    target: 'es2022',
    rollupOptions: {
      treeshake: {
        // The contracts package only declares schemas and data. Saying so lets a page that needs
        // the sign-in schema leave out the schemas of every other module.
        moduleSideEffects: (id, external) => external || !/[\\/]packages[\\/]contracts[\\/]src[\\/]/.test(id),
      },
    },
  },
});
