import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    // Sized from measured durations with both cores shared with other work (load 15-20): the
    // slowest ordinary test took 16 s, the slowest beforeAll (a database and an app) under 20 s.
    // Tests that spawn processes or build extra apps (each with its own database) set their own.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // A worker runs its test files one after another in one module graph instead of a fresh one
    // per file: measured on this 2-core machine, that halves the suite's CPU time (imports and JIT
    // warm-up were paid again for every file). Test files therefore must not rely on fresh module
    // state: no vi.mock/vi.stubEnv/vi.stubGlobal without undoing it, no module-level caches that a
    // test mutates (counters such as passwordWork are compared as before/after deltas).
    isolate: false,
    // Two cores here: more workers only thrash.
    maxWorkers: 2,
    globalSetup: ['src/test/global-setup.ts'],
    // argon2 at its floor cost in tests (see src/modules/auth/passwords.ts).
    setupFiles: ['src/test/setup.ts'],
  },
});
