// One lint configuration for the workspace: typescript-eslint's type-aware recommended rules, the React
// hooks rules for the web client, module faces, a static security lint for the API, and the house rules
// (no `any`, no non-null assertions, no process.env outside the config module). Formatting is Prettier's
// job (`pnpm format`; `pnpm lint` checks it), not lint's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import security from 'eslint-plugin-security';
import tseslint from 'typescript-eslint';

// Module faces: inside apps/api/src/modules, another module is imported through its index
// (`../customers`), never its files (`../customers/service`); services know nothing of the transport.
const deepModuleImport = {
  regex: '^\\.\\./[^./][^/]*/',
  message: 'Import another module through its face (`../<module>`, its index.ts), not its files.',
};
const transportImports = [
  {
    regex: '^(\\.\\./)+trpc(/|$)',
    message: 'Only router.ts files (and tests) may use the tRPC layer; services take an Actor and throw domain errors (lib/errors.ts).',
  },
  { regex: '^@trpc/', message: 'Only router.ts files (and tests) may use tRPC; services throw domain errors (lib/errors.ts).' },
];
// From outside the modules, only a module's face or its router (composed by trpc/router.ts).
const deepImportFromOutside = {
  regex: '(^|/)modules/[^/]+/(?!router$)[^/]+',
  message: 'Import a module through its face (`modules/<module>`, its index.ts); only trpc/router.ts composes routers.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.cache/**', '**/node_modules/**', '**/migrations/**', '**/*.mjs', '**/*.config.ts', '**/*.config.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Each file is checked with the tsconfig of the package it belongs to.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Form libraries hand React `onSubmit={handleSubmit(async …)}`; React ignores the promise and
      // the handlers report their own errors.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // Fastify plugins and interface implementations are async by contract, with or without an await.
      '@typescript-eslint/require-await': 'off',
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[object.name='process'][property.name='env']",
          message: 'Read configuration through apps/api/src/config.ts only.',
        },
      ],
    },
  },
  {
    files: ['apps/api/src/modules/**/*.ts'],
    ignores: ['apps/api/src/modules/*/router.ts', '**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepModuleImport, ...transportImports] }] },
  },
  {
    files: ['apps/api/src/modules/*/router.ts', 'apps/api/src/modules/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepModuleImport] }] },
  },
  {
    files: ['apps/api/src/**/*.ts', 'apps/api/bench/**/*.ts'],
    ignores: ['apps/api/src/modules/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [deepImportFromOutside] }] },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tests read JSON answers (`res.json()` is untyped) and assert on their shape; the assertions are
    // the type check there.
    files: ['**/*.test.ts', '**/*.e2e.ts', '**/test/**', 'apps/api/src/resilience/**'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The config module, CLI entry points, tests and build tooling are where the environment is read.
    files: [
      'apps/api/src/main.ts',
      'apps/api/src/cli/**',
      '**/*.test.ts',
      '**/test/**',
      'apps/api/src/resilience/**',
      'apps/web/e2e/**',
      'apps/web/scripts/**',
      'apps/api/bench/**',
      'apps/api/src/config.ts',
    ],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // Static security lint for the API (eslint-plugin-security), as errors so `pnpm lint` fails on them.
  {
    files: ['apps/api/**/*.ts'],
    plugins: { security },
    rules: {
      ...Object.fromEntries(Object.keys(security.configs.recommended.rules).map((rule) => [rule, 'error'])),
      // Flags every `obj[key]`: all 51 findings were keys from typed field lists, enums or array
      // indices. Request input reaches the services only through Zod schemas (enums, allowlists).
      'security/detect-object-injection': 'off',
    },
  },
  {
    // Paths here come from the operator (config, command line, build, WEB_DIST_DIR), never from a request; the
    // rule stays on for the request-handling code (modules, trpc, security, lib).
    files: [
      'apps/api/src/config.ts',
      'apps/api/src/main.ts',
      'apps/api/src/server.ts',
      'apps/api/src/plugins/web-app.ts',
      'apps/api/src/cli/**',
      'apps/api/src/ops/**',
      'apps/api/src/test/**',
      'apps/api/**/*.test.ts',
      'apps/api/src/resilience/**',
      'apps/api/bench/**',
    ],
    rules: { 'security/detect-non-literal-fs-filename': 'off' },
  },
  {
    // config.ts compares a secret only with the public .env.example placeholder, once at start-up:
    // there is no oracle to time.
    files: ['apps/api/src/config.ts'],
    rules: { 'security/detect-possible-timing-attacks': 'off' },
  },
);
