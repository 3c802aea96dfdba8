// What a database error means to a client: an outage is SERVICE_UNAVAILABLE, a value PostgreSQL cannot read as its
// column type is BAD_USER_INPUT, anything else an internal error, whichever door (pg, Prisma's adapter) it came by.
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { errorCodeOf, formatError } from '../../../src/api/errors.js';
import { isDatabaseUnavailable, isInvalidValue } from '../../../src/db/database-errors.js';

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
    ['Prisma adapter kind', Object.assign(new Error('x'), { meta: { driverAdapterError: { cause: { kind: 'DatabaseNotReachable' } } } })],
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
});
