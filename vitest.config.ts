import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

// Four projects, each with the time its kind of test may take. `vitest run` (so `npm test`) runs them all;
// `npm run test:unit` (`--project unit`) only the unit tests: no database, no Redis, no Python, no browser, seconds.
// A test that needs any of those belongs in tests/integration (or tests/security, tests/e2e).
const UNIT = ['tests/unit/**/*.test.ts'];
const BROWSER = ['tests/e2e/**/*.browser.test.ts'];
const E2E = ['tests/e2e/**/*.test.ts'];
// Needs ../shared/reference: `npm run test:parity` (vitest.parity.config.ts).
const EXCLUDED = ['tests/parity/**', '**/node_modules/**'];

export default defineConfig({
  resolve: {
    // One graphql realm: type-graphql and Apollo must see the same module instance.
    alias: { graphql: require.resolve('graphql') },
  },
  // Shared by the projects (`extends: true`); include, exclude and timeouts are each project's own (arrays would merge).
  test: {
    setupFiles: ['tests/setup.ts'],
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
    projects: [
      // In-memory code that runs in well under a second each on an idle machine: a test that needs 30 s, even on a busy
      // shared machine, does far too much for this project. Whole pipeline runs on ONNX sessions, decoding every DICOM
      // sample, generating datasets and ESLint with the program are CPU-heavy and live in tests/integration.
      // Not isolated: the files of a worker share one module graph, which halves the project's CPU time (importing the
      // source tree per file was most of it). Unit tests mock no modules and stub no globals or environment, so no
      // file can change what another sees; a test that needs that belongs in tests/integration.
      {
        extends: true,
        test: { name: 'unit', include: UNIT, exclude: EXCLUDED, isolate: false, testTimeout: 30_000, hookTimeout: 30_000 },
      },
      // Everything else that is not end to end: real PostgreSQL, Redis, worker processes, the trainer's Python,
      // DICOM fuzzing in child processes, the CPU-heavy in-memory tests (tests/integration, tests/security).
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          exclude: [...EXCLUDED, ...UNIT, ...E2E],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The real API server over HTTP and WebSocket, as a client sees it.
      {
        extends: true,
        test: { name: 'e2e', include: E2E, exclude: [...EXCLUDED, ...BROWSER], testTimeout: 60_000, hookTimeout: 120_000 },
      },
      // Real Chromium against the real server: page loads and screenshots.
      { extends: true, test: { name: 'browser', include: BROWSER, exclude: EXCLUDED, testTimeout: 120_000, hookTimeout: 180_000 } },
    ],
  },
});
