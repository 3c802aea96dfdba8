// Executes operations with graphql-jit: each validated document is compiled once into JavaScript that resolves its
// fields directly, without graphql-js's per-field bookkeeping (argument maps, resolve info, path objects). A page of
// 50 studies with 25 predictions each is 7,500 fields; graphql-js spent most of the page's Node time on them.
//
// Apollo Server's place for a custom executor is its gateway interface (the `executor` option of AS3 became it).
// Apollo still parses, validates (with our depth and complexity rules), runs every plugin hook, and formats errors
// the same way; only the execution step changes. Subscriptions over graphql-ws keep graphql-js's `subscribe`.
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  execute,
  getVariableValues,
  GraphQLError,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type Source,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/** What a document compiled to, per operation name: a compiled query, or graphql-js when compilation failed. */
type Compiled = CompiledQuery | 'graphql-js';

export function jitGateway(schema: GraphQLSchema): Gateway {
  // Apollo keeps each validated document in its document store (a bounded LRU) and hands the same object back for
  // the same query text, so a WeakMap keyed on it compiles each query once and forgets it with the store.
  const compiled = new WeakMap<DocumentNode, Map<string, Compiled>>();

  const compiledFor = (document: DocumentNode, operationName: string | null): Compiled => {
    let byOperation = compiled.get(document);
    if (!byOperation) {
      byOperation = new Map();
      compiled.set(document, byOperation);
    }
    const key = operationName ?? '';
    let entry = byOperation.get(key);
    if (!entry) {
      // A document graphql-jit cannot compile (it answers with errors, or throws) still runs, on graphql-js.
      try {
        const result = compileQuery(schema, document, operationName ?? undefined);
        entry = isCompiledQuery(result) ? result : 'graphql-js';
      } catch {
        entry = 'graphql-js';
      }
      byOperation.set(key, entry);
    }
    return entry;
  };

  return {
    async load() {
      return {
        executor: async (request): Promise<ExecutionResult> => {
          const variables = request.request.variables ?? {};
          const entry = compiledFor(request.document, request.operationName);
          if (entry === 'graphql-js') {
            return execute({
              schema,
              document: request.document,
              contextValue: request.context,
              variableValues: variables,
              operationName: request.operationName,
            });
          }
          // Variables are checked by graphql-js first: its errors point at the variable definition, which is how Apollo
          // recognises them as BAD_USER_INPUT (HTTP 400); graphql-jit's own carry no such node.
          const coerced = getVariableValues(schema, request.operation.variableDefinitions ?? [], variables);
          if (coerced.errors) return { errors: coerced.errors };
          const result = await entry.query(undefined, request.context, variables);
          return result.errors?.length
            ? { ...result, errors: result.errors.map((e) => asGraphqlJsError(e, request.document.loc?.source)) }
            : result;
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      // One fixed schema; there is no federated supergraph behind it (only schema reporting would read its SDL).
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => undefined;
    },
    async stop() {},
  };
}

/**
 * graphql-jit's errors carry `extensions` only when the resolver's error had some; Apollo and our error formatting
 * expect graphql-js's own GraphQLError (extensions always an object, taken from the original error). Rebuilt as one,
 * with the same message, path, original error and source locations.
 */
function asGraphqlJsError(error: GraphQLError, source: Source | undefined): GraphQLError {
  const original = error.originalError ?? undefined;
  const positions = source && error.locations ? error.locations.map((l) => positionOf(source.body, l.line, l.column)) : undefined;
  return new GraphQLError(error.message, {
    source: positions ? source : undefined,
    positions,
    path: error.path,
    originalError: original,
    extensions: original ? undefined : error.extensions,
  });
}

/** The offset of a 1-based line and column in `body`. */
function positionOf(body: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = body.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return offset + column - 1;
}
