// Every server-side error of a GraphQL request is logged once, with the request id: INTERNAL_SERVER_ERROR (a bug,
// or a dependency failing in a way we did not foresee) at error level with its stack, SERVICE_UNAVAILABLE (an outage
// we answered as such) at warn. The caller's mistakes (BAD_USER_INPUT, NOT_FOUND, FORBIDDEN, ...) are not server
// errors and are not logged here; the access log has their status. No PHI: ids, codes, messages and stacks only
// (resolver messages never carry DICOM attributes or file paths).
import type { ApolloServerPlugin } from '@apollo/server';
import type { GraphQLError } from 'graphql';
import type { Logger } from '../logger.js';
import { errorCodeOf } from './errors.js';

const SERVER_CODES = new Set(['INTERNAL_SERVER_ERROR', 'SERVICE_UNAVAILABLE']);

/** The innermost error: the one with the stack worth reading. */
function rootCause(error: GraphQLError): Error {
  let current: unknown = error;
  for (let depth = 0; depth < 5; depth++) {
    const next = (current as { originalError?: unknown }).originalError;
    if (!(next instanceof Error)) break;
    current = next;
  }
  return current as Error;
}

export function errorLogPlugin<TContext extends { requestId: string }>(logger: Logger): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue, operationName }) {
          for (const error of errors) {
            const code = errorCodeOf(error);
            if (!SERVER_CODES.has(code)) continue;
            const cause = rootCause(error);
            const entry = {
              requestId: contextValue.requestId,
              code,
              operation: operationName ?? null,
              path: error.path?.join('.') ?? null,
              err: cause,
            };
            if (code === 'SERVICE_UNAVAILABLE') logger.warn(entry, 'request answered SERVICE_UNAVAILABLE');
            else logger.error(entry, 'request failed with an internal error');
          }
        },
      };
    },
  };
}
