#!/usr/bin/env node
/**
 * Prints the gzip size of the JavaScript a browser must download before the first paint of the
 * sign-in page and of the dashboard: the entry chunk, every chunk it imports statically, and the
 * route's lazy chunks (the signed-in shell and the page) with their static imports (from Vite's build manifest). Chunks loaded later
 * (e.g. the dashboard's chart, fetched after the figures render) are listed apart.
 *
 * Exits 1 when a first paint is over budget. Run after `vite build`: pnpm --filter @netflow/web run size
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 200;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const manifestPath = path.join(dist, '.vite', 'manifest.json');
if (!existsSync(manifestPath)) {
  console.error(`No build manifest at ${manifestPath}; run \`pnpm --filter @netflow/web run build\` first.`);
  process.exit(2);
}
/** @type {Record<string, {file: string, isEntry?: boolean, imports?: string[], dynamicImports?: string[], css?: string[]}>} */
const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));

const gzipCache = new Map();
function gzipBytes(file) {
  if (!gzipCache.has(file)) gzipCache.set(file, gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length);
  return gzipCache.get(file);
}

/** The chunk keys reachable from `key` through static imports (including itself). */
function staticClosure(key, seen = new Set()) {
  if (seen.has(key)) return seen;
  const chunk = manifest[key];
  if (!chunk) throw new Error(`manifest has no chunk ${key}`);
  seen.add(key);
  for (const dep of chunk.imports ?? []) staticClosure(dep, seen);
  return seen;
}

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entryKey) throw new Error('no entry chunk in the manifest');

function routeKey(suffix) {
  const key = Object.keys(manifest).find((k) => k.endsWith(suffix));
  if (!key) throw new Error(`no chunk for ${suffix} in the manifest`);
  return key;
}

const kb = (bytes) => (bytes / 1024).toFixed(1);

function report(label, routeSuffixes, laterSuffixes = []) {
  const keys = new Set(staticClosure(entryKey));
  for (const suffix of routeSuffixes) staticClosure(routeKey(suffix), keys);
  const files = [...keys].map((k) => manifest[k].file).filter((f) => f.endsWith('.js'));
  const total = files.reduce((sum, f) => sum + gzipBytes(f), 0);
  console.log(`\n${label}: ${kb(total)} KB gzip (budget ${BUDGET_KB} KB) ${total / 1024 <= BUDGET_KB ? 'OK' : 'OVER BUDGET'}`);
  for (const f of files.sort((a, b) => gzipBytes(b) - gzipBytes(a))) console.log(`  ${kb(gzipBytes(f)).padStart(7)} KB  ${f}`);
  for (const later of laterSuffixes) {
    const extra = [...staticClosure(routeKey(later))]
      .filter((k) => !keys.has(k))
      .map((k) => manifest[k].file)
      .filter((f) => f.endsWith('.js'));
    const extraTotal = extra.reduce((sum, f) => sum + gzipBytes(f), 0);
    console.log(`  (loaded after first paint: ${later} +${kb(extraTotal)} KB gzip in ${extra.length} chunk(s))`);
  }
  return total / 1024 <= BUDGET_KB;
}

const ok = [
  report('Sign-in first paint', ['src/pages/SignInPage.tsx']),
  // The signed-in shell is a lazy chunk too; the dashboard needs it for its first paint.
  report(
    'Dashboard first paint',
    ['src/layout/AppLayout.tsx', 'src/pages/dashboard/DashboardPage.tsx'],
    ['src/pages/dashboard/DashboardCharts.tsx'],
  ),
].every(Boolean);
process.exit(ok ? 0 : 1);
