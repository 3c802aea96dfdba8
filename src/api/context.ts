import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { Loaders } from './loaders.js';
import type { AppServices } from './services.js';
import type { Viewer } from '../auth/viewer.js';

/** What every resolver receives. Built per request (HTTP) or per operation (WebSocket). */
export interface RequestContext {
  readonly config: Config;
  readonly db: Database;
  readonly logger: Logger;
  readonly requestId: string;
  readonly viewer: Viewer;
  readonly loaders: Loaders;
  readonly services: AppServices;
}
