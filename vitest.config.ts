import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**', 'test/bench/**', 'test/fixtures/**'],
    // Many tests spawn the real CLI, which starts Node, tsx and a worker: seconds, not milliseconds,
    // on a loaded two-core machine.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
