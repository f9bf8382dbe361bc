import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The CLI tests run the built code: dist/ is brought up to date once per run.
    globalSetup: ['test/global-setup.ts'],
    globals: true,
    // better-sqlite3 is a native addon: separate processes are the safe pool for it.
    pool: 'forks',
    // Two cores on the CI machine; the media tests spawn ffmpeg, so more workers only queue.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
