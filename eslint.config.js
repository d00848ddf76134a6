// One lint configuration for the workspace: typescript-eslint's recommended rules plus the house
// rules from STYLE.md (no `any`, no non-null assertions, no process.env outside the config module).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    // The config module, CLI entry points, tests and build tooling are where the environment is read.
    files: ['apps/api/src/main.ts', 'apps/api/src/cli/**', '**/*.test.ts', '**/test/**', 'apps/web/e2e/**', 'apps/web/scripts/**', 'apps/api/bench/**', 'apps/api/src/config.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
