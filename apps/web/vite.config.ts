import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.NETFLOW_API_ORIGIN ?? 'http://127.0.0.1:9000';

export default defineConfig({
  plugins: [react()],
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
