// The job runner runs every handler inside untilDatabaseAnswers (queue/job-runner.ts): an outage makes the job wait
// and carry on, anything else fails the attempt at once with its own reason. Issue 20: a DICOMweb archive refusing
// the connection (ECONNREFUSED in the cause of `fetch failed`) used to be taken for PostgreSQL being down.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { sourceUnreachable } from '../../../src/dicomweb/source-error.js';
import { AppError } from '../../../src/domain/errors.js';
import { untilDatabaseAnswers } from '../../../src/queue/database-wait.js';
import { silentLogger } from '../../support/silent-logger.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('untilDatabaseAnswers (the job runner around a handler)', () => {
  it('fails at once, with the archive as the reason, when an HTTP peer refuses the connection', async () => {
    const port = await closedPort();
    let calls = 0;
    const handler = async (): Promise<never> => {
      calls++;
      try {
        await fetch(`http://127.0.0.1:${port}/dicomweb/studies`);
      } catch (e) {
        // As the DICOMweb client would, and with the network error kept as the cause.
        throw new AppError(sourceUnreachable('pacs', e).code, sourceUnreachable('pacs', e).message, { retryable: true, cause: e });
      }
      throw new Error('unreachable');
    };
    const started = performance.now();
    await expect(untilDatabaseAnswers('run the job', handler, { logger: silentLogger, maxWaitMs: 60_000 })).rejects.toThrow(
      /DICOMweb source "pacs" is unreachable \(connection refused\)/,
    );
    expect(calls).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('waits through a database outage and carries on', async () => {
    let calls = 0;
    const outage = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const value = await untilDatabaseAnswers(
      'run the job',
      async () => {
        if (++calls < 3) throw outage;
        return 'done';
      },
      { logger: silentLogger, maxWaitMs: 60_000 },
    );
    expect(value).toBe('done');
    expect(calls).toBe(3);
  });
});
