// The limits that need the request (its variables, who sends it) as Apollo Server plugins. They run after
// validation, once the operation is known, and answer with HTTP 429 / 400 and the usual `extensions.code`.
import { HeaderMap, type ApolloServerPlugin, type BaseContext } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { AppError } from '../../domain/errors.js';
import { fragmentsOf } from './fragments.js';
import { queryLimitError } from './limit-error.js';
import { measureComplexity, type ComplexityLimitOptions } from './query-complexity.js';
import type { AsyncRateLimiter } from './redis-rate-limiter.js';
import { rootFieldsOf } from './root-fields.js';

/**
 * Counts every mutation field a request runs (each alias, and each field of a fragment, is one more) against
 * `limiter` under the key `keyOf(context)` (the user id); a `null` key is not limited. All of a request's fields
 * are counted or none: over the limit the whole request is refused with RATE_LIMITED, HTTP 429 and Retry-After.
 */
export function createMutationRateLimitPlugin<TContext extends BaseContext>(
  limiter: AsyncRateLimiter,
  keyOf: (context: TContext) => string | null,
): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation?.operation !== 'mutation') return;
          const key = keyOf(contextValue);
          if (key === null) return;
          const fields = rootFieldsOf(operation, fragmentsOf(document)).length;
          const decision = await limiter.tryConsume(key, fields);
          if (decision.allowed) return;
          const message =
            fields > limiter.perMinute
              ? `Too many mutations: this request runs ${fields} mutation fields and at most ${limiter.perMinute} per minute are allowed; send fewer`
              : `Too many mutations: at most ${limiter.perMinute} per minute; retry in ${decision.retryAfterSeconds} s`;
          const details = { retryAfterSeconds: decision.retryAfterSeconds, limitPerMinute: limiter.perMinute, fields };
          throw new GraphQLError(message, {
            originalError: new AppError('RATE_LIMITED', message, { retryable: true, details }),
            extensions: {
              code: 'RATE_LIMITED',
              details,
              http: { status: 429, headers: new HeaderMap([['retry-after', String(decision.retryAfterSeconds)]]) },
            },
          });
        },
      };
    },
  };
}

/**
 * Complexity with the request's real variables (the validation rule must assume the page-size cap for a
 * `first: $n` without default). Over the limit: BAD_USER_INPUT (details.limit QUERY_COMPLEXITY), HTTP 400.
 */
export function createComplexityPlugin<TContext extends BaseContext>(options: ComplexityLimitOptions): ApolloServerPlugin<TContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const complexity = measureComplexity(schema, document, options, { operationName, variables: request.variables });
          if (complexity <= options.maxComplexity) return;
          const refused = queryLimitError(
            'QUERY_COMPLEXITY',
            `Operation has complexity ${complexity}; the limit is ${options.maxComplexity} (ask for smaller pages)`,
            { complexity, maxComplexity: options.maxComplexity },
          );
          throw new GraphQLError(refused.message, {
            originalError: refused.originalError ?? undefined,
            extensions: { ...refused.extensions, http: { status: 400, headers: new HeaderMap() } },
          });
        },
      };
    },
  };
}
