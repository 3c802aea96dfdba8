// The whole stack the dashboard talks to, in-process: PostgreSQL database of its own, a synthetic cohort imported
// with a fixture model set, the API server (serve()), an inference worker, and Chromium driven by playwright-core.
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import type { Config } from '../../../src/config.js';
import { serve, type RunningServer } from '../../../src/server.js';
import { runWorker, type RunningWorker } from '../../../src/worker.js';
import { createCohortFixture, type CohortFixture } from '../../support/cohort-fixture.js';
import { silentLogger } from '../../support/silent-logger.js';
import { testConfig } from '../../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../../support/test-database.js';
import { deleteKeysWithPrefix, uniquePrefix } from '../../support/test-redis.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export const hasChromium = (): boolean => existsSync(CHROMIUM);

export interface DashboardStack {
  readonly tdb: TestDatabase;
  readonly cohort: CohortFixture;
  readonly config: Config;
  readonly server: RunningServer;
  readonly worker: RunningWorker;
  readonly browser: Browser;
  /** http://host:port (no path). */
  readonly base: string;
  /** Destroys every open WebSocket connection from the server side, as a network drop would. */
  dropWebSockets(): number;
  close(): Promise<void>;
}

export async function startDashboardStack(options: { studies: number; seed: number; size: number }): Promise<DashboardStack> {
  const prefix = uniquePrefix();
  const tdb = await createTestDatabase();
  const cohort = await createCohortFixture(tdb.db, {
    studies: options.studies,
    seed: options.seed,
    size: options.size,
    project: 'dashboard-e2e',
  });
  const config = testConfig({ DATABASE_URL: tdb.url, QUEUE_PREFIX: prefix });
  const server = await serve({ config, logger: silentLogger, db: tdb.db, port: 0 });
  const base = server.api.url.replace(/\/graphql$/, '');
  const sockets = new Set<Socket>();
  server.api.httpServer.on('upgrade', (_req, socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const worker = await runWorker({ config, logger: silentLogger, queues: ['inference'], concurrency: 1 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  return {
    tdb,
    cohort,
    config,
    server,
    worker,
    browser,
    base,
    dropWebSockets() {
      const n = sockets.size;
      for (const s of sockets) s.destroy();
      return n;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await worker.stop();
      await server.stop();
      await tdb.drop();
      await cohort.cleanup();
      await deleteKeysWithPrefix(prefix);
    },
  };
}
