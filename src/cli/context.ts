// What every subcommand receives: config and logger, each built on first use (so `--help` needs neither).
import { loadConfig, type Config } from '../config.js';
import { createLogger, type Logger } from '../logger.js';

export interface CliContext {
  config(): Config;
  logger(): Logger;
}

export function cliContext(): CliContext {
  let config: Config | undefined;
  let logger: Logger | undefined;
  return {
    config() {
      config ??= loadConfig();
      return config;
    },
    logger() {
      logger ??= createLogger(this.config().logLevel);
      return logger;
    },
  };
}
