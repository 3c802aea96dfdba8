// What every subcommand receives: config and logger, each built on first use and imported only then (so `--help`
// loads neither zod nor pino: CLI start-up, see README).
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';

export interface CliContext {
  config(): Promise<Config>;
  logger(): Promise<Logger>;
}

export function cliContext(): CliContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  return {
    async config() {
      if (!config) {
        config = (await import('../config.js')).loadConfig();
        // Commands that read or write instances resolve their files against the configured data roots.
        (await import('../services/storage/storage-uri.js')).useStorageRoots(config.storageRoots);
      }
      return config;
    },
    async logger() {
      const level = (await this.config()).logLevel;
      logger ??= (await import('../logger.js')).createLogger(level);
      return logger;
    },
  };
}
