import { createLogger, type Logger } from '../../src/logger.js';

export const silentLogger: Logger = createLogger('silent');
