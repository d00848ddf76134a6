// One lint configuration for the workspace: typescript-eslint's type-aware recommended rules, the
// React hooks rules for the web client, and the house rules (no `any`, no non-null assertions, no
// process.env outside the config module). Formatting is Prettier's job (`pnpm format`), not lint's.
import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

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
    files: ['apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: reactHooks.configs.recommended.rules,
  },
  {
    // Tests read JSON answers (`res.json()` is untyped) and assert on their shape; the assertions
    // are the type check there.
    files: ['**/*.test.ts', '**/*.e2e.ts', '**/test/**'],
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
    files: ['apps/api/src/main.ts', 'apps/api/src/cli/**', '**/*.test.ts', '**/test/**', 'apps/web/e2e/**', 'apps/web/scripts/**', 'apps/api/bench/**', 'apps/api/src/config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
