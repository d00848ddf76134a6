// One lint configuration for the workspace: typescript-eslint's recommended rules plus the house
// rules from STYLE.md (no `any`, no non-null assertions, no process.env outside the config module).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Module faces: inside apps/api/src/modules, another module is imported through its index
// (`../customers`), never its files (`../customers/service`); services know nothing of the transport.
const deepModuleImport = {
  regex: '^\\.\\./[^./][^/]*/',
  message: 'Import another module through its face (`../<module>`, its index.ts), not its files.',
};
const transportImports = [
  { regex: '^(\\.\\./)+trpc(/|$)', message: 'Only router.ts files (and tests) may use the tRPC layer; services take an Actor and throw domain errors (lib/errors.ts).' },
  { regex: '^@trpc/', message: 'Only router.ts files (and tests) may use tRPC; services throw domain errors (lib/errors.ts).' },
];
// From outside the modules, only a module's face or its router (composed by trpc/router.ts).
const deepImportFromOutside = {
  regex: '(^|/)modules/[^/]+/(?!router$)[^/]+',
  message: 'Import a module through its face (`modules/<module>`, its index.ts); only trpc/router.ts composes routers.',
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/.cache/**', '**/node_modules/**', '**/migrations/**', '**/*.mjs', '**/*.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-non-null-assertion': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
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
    // The config module, CLI entry points, tests and build tooling are where the environment is read.
    files: ['apps/api/src/main.ts', 'apps/api/src/cli/**', '**/*.test.ts', '**/test/**', 'apps/web/e2e/**', 'apps/web/scripts/**', 'apps/api/bench/**', 'apps/api/src/config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
