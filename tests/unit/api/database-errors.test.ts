// What a database error means to a client: an outage is SERVICE_UNAVAILABLE, a value PostgreSQL cannot read as its
// column type is BAD_USER_INPUT, anything else an internal error, whichever door (pg, Prisma's adapter) it came by.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorCodeOf, formatError } from '../../../src/api/errors.js';
import { openDatabase } from '../../../src/db/client.js';
import { isDatabaseUnavailable, isInvalidValue } from '../../../src/db/database-errors.js';
import { AppError } from '../../../src/domain/errors.js';

/** What a call rejects with. */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('expected a rejection');
    },
    (e: unknown) => e,
  );
}

/** A port on 127.0.0.1 where nothing listens: a listener bound and closed again. */
async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const pgError = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });
const wrapped = (cause: unknown): GraphQLError => new GraphQLError('boom', { originalError: cause as Error });

describe('database errors', () => {
  it.each([
    ['connection refused', pgError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['admin shutdown', pgError('57P01', 'terminating connection due to administrator command')],
    ['starting up', pgError('57P03', 'the database system is starting up')],
    ['connection exception class', pgError('08006')],
    ['a connection cut', new Error('Connection terminated unexpectedly')],
    ['Prisma, cannot reach', Object.assign(new Error('x'), { code: 'P1001' })],
    [
      'Prisma adapter kind',
      Object.assign(new Error('x'), {
        name: 'PrismaClientKnownRequestError',
        clientVersion: '7.10.0',
        meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } },
      }),
    ],
    ['a failed result write wrapping an outage', new AppError('SERVICE_UNAVAILABLE', 'writing failed', { cause: pgError('57P01') })],
  ])('%s is an outage: SERVICE_UNAVAILABLE', (_what, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
    expect(errorCodeOf(wrapped(error))).toBe('SERVICE_UNAVAILABLE');
    expect(formatError({ message: 'boom' }, wrapped(error), false)).toMatchObject({ extensions: { code: 'SERVICE_UNAVAILABLE' } });
  });

  it('a malformed value is BAD_USER_INPUT, without the SQL wording', () => {
    const error = pgError('22P02', 'invalid input syntax for type uuid: "x\' OR 1=1--"');
    expect(isInvalidValue(error)).toBe(true);
    const formatted = formatError({ message: 'boom' }, wrapped(error), false);
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT' });
    expect(formatted.message).not.toContain('invalid input syntax');
  });

  it('anything else stays an internal error', () => {
    const error = pgError('42P01', 'relation "Keypoint" does not exist');
    expect(isDatabaseUnavailable(error) || isInvalidValue(error)).toBe(false);
    expect(formatError({ message: 'boom' }, wrapped(error), false)).toEqual({
      message: 'Internal server error',
      locations: undefined,
      path: undefined,
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  // Issue 20: ECONNREFUSED only means "database down" when the database client raised it. A DICOMweb archive (any
  // HTTP peer) refusing must fail its job with its own reason, not make the job runner wait for PostgreSQL.
  it('real connection refusals: PostgreSQL through pg and Prisma is an outage, an HTTP peer is not', async () => {
    const port = await closedPort();
    const db = await openDatabase({ kind: 'postgres', url: `postgresql://nobody@127.0.0.1:${port}/nothing?connect_timeout=5` });
    try {
      const viaPg = await rejection(db.sql.query('SELECT 1'));
      const viaPrisma = await rejection(db.prisma.user.count());
      expect(isDatabaseUnavailable(viaPg)).toBe(true);
      expect(isDatabaseUnavailable(viaPrisma)).toBe(true);
    } finally {
      await db.close();
    }
    const viaFetch = await rejection(fetch(`http://127.0.0.1:${port}/dicomweb/studies`));
    // The shape that used to be misread: the refusal sits in the cause of a TypeError('fetch failed').
    expect((viaFetch as { cause?: { code?: string } }).cause?.code).toBe('ECONNREFUSED');
    expect(isDatabaseUnavailable(viaFetch)).toBe(false);
    expect(isDatabaseUnavailable(new AppError('SERVICE_UNAVAILABLE', 'DICOMweb source "pacs" is unreachable', { cause: viaFetch }))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(new Error('pull failed', { cause: viaFetch }))).toBe(false);
    expect(isDatabaseUnavailable(new Error('wrapped elsewhere', { cause: pgError('ECONNREFUSED') }))).toBe(false);
  });
});
