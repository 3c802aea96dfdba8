// `npm run test:parity`: the tests that compare spinegraph with the 9th-place solution's own code in
// ../shared/reference (not shipped; a fresh clone's `npm test` never needs it).
import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: { alias: { graphql: require.resolve('graphql') } },
  test: {
    include: ['tests/parity/**/*.test.ts'],
    setupFiles: ['tests/setup.ts', 'tests/parity/support/require-reference.ts'],
    // Also checks Debian's Python packages the seed's code imports, naming what is missing.
    globalSetup: ['tests/parity/global-setup.ts'],
    testTimeout: 1_200_000,
    hookTimeout: 3_600_000,
    pool: 'forks',
    fileParallelism: false,
    maxWorkers: 1,
  },
});
