// How a refused query leaves the API: a GraphQLError whose originalError is an AppError BAD_USER_INPUT, so the
// project's formatError reports `extensions.code = BAD_USER_INPUT` with `details.limit` naming the limit hit
// (Apollo itself relabels every validation error GRAPHQL_VALIDATION_FAILED; formatError looks through that).
import { GraphQLError, type ASTNode } from 'graphql';
import { AppError } from '../../domain/errors.js';

export type QueryLimit = 'QUERY_DEPTH' | 'QUERY_COMPLEXITY' | 'QUERY_ALIASES';

export function queryLimitError(
  limit: QueryLimit,
  message: string,
  details: Record<string, number>,
  nodes?: readonly ASTNode[],
): GraphQLError {
  const fullDetails = { limit, ...details };
  return new GraphQLError(message, {
    nodes,
    originalError: new AppError('BAD_USER_INPUT', message, { details: fullDetails }),
    extensions: { code: 'BAD_USER_INPUT', details: fullDetails },
  });
}
