import { defineConfig } from 'vitest/config';

/** End-to-end suite: the built app, served by the real server, driven in Debian's Chromium. */
export default defineConfig({
  test: {
    include: ['e2e/**/*.e2e.ts'],
    // Per test: its own API setup, browser context and page loads (measured below 15 s each with
    // both cores busy); a step's own waits time out at 20 s, so a test fails on its first stuck step.
    testTimeout: 90_000,
    // beforeAll starts the server (see FIRST_START_TIMEOUT_MS in e2e/server.ts) and Chromium.
    hookTimeout: 300_000,
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['verbose'],
  },
});
