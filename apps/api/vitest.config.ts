import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Each file gets its own database; embedded PostgreSQL start-up and argon2 take a moment.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores here: more workers only thrash.
    maxWorkers: 2,
    globalSetup: ['src/test/global-setup.ts'],
  },
});
