// Bundles the API and the workspace packages it uses (they ship TypeScript source) into dist/;
// third-party packages stay external and load from node_modules.
import { readFileSync } from 'node:fs';
import { build } from 'esbuild';

const manifest = JSON.parse(readFileSync('package.json', 'utf8'));
const thirdParty = Object.keys(manifest.dependencies).filter((name) => !name.startsWith('@netflow/'));

await build({
  entryPoints: ['src/main.ts', 'src/cli/*.ts'],
  outdir: 'dist',
  outbase: 'src',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: [...thirdParty, ...thirdParty.map((name) => `${name}/*`)],
  // Some CommonJS dependencies call require(); give the ESM bundle one.
  banner: { js: "import { createRequire as __nfCreateRequire } from 'node:module'; const require = __nfCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
