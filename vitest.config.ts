import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 60_000,
    // Both cores: CLI tests run in-process, so the suite is CPU-bound (one worker: 75 s; two: ~52 s here).
    maxWorkers: 2,
  },
});
