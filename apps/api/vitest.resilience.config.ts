import { defineConfig } from 'vitest/config';

/**
 * The resilience suite (`pnpm test:resilience`): each file starts its own PostgreSQL (initdb +
 * pg_ctl on a free port) and Redis, stops and starts them under load, and checks what clients saw
 * and what the database holds afterwards. One file at a time: they load the machine on purpose.
 */
export default defineConfig({
  test: {
    include: ['src/resilience/**/*.resilience.ts'],
    // Measured per file below 60 s with the other core busy; a stuck recovery fails on its own
    // `eventually` bound (30 s) long before this.
    testTimeout: 240_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: false,
    setupFiles: ['src/test/setup.ts'],
  },
});
