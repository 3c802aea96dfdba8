// The jit executor must be invisible to clients: the same operations, sent to one Apollo Server executing with
// graphql-js and to one executing with graphql-jit (the API's), give the same responses and HTTP statuses: data,
// error messages, codes, paths and locations, null propagation, variable coercion errors, mutations in order.
import { ApolloServer, type GraphQLResponse } from '@apollo/server';
import { GraphQLError, buildSchema, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatError } from '../../../src/api/errors.js';
import { jitGateway } from '../../../src/api/jit-gateway.js';
import { AppError } from '../../../src/domain/errors.js';

const SDL = `
  enum Severity { NORMAL_MILD MODERATE SEVERE }
  type Prediction { level: String! severity: Severity! severe: Float! fallback: String }
  type Study { id: ID! externalId: String! predictions: [Prediction!]! broken: String! optional: String }
  type Query {
    studies(first: Int!): [Study!]!
    study(id: ID!): Study
    failing: String
    internal: String
  }
  type Mutation { append(value: String!): [String!]! }
`;

interface Ctx {
  log: string[];
}

function withResolvers(schema: GraphQLSchema): GraphQLSchema {
  const study = (n: number) => ({
    id: `s${n}`,
    externalId: `ext-${n}`,
    predictions: ['L1_L2', 'L4_L5'].map((level, i) => ({
      level,
      severity: i ? 'SEVERE' : 'NORMAL_MILD',
      severe: i ? 0.7 : 0.1,
      fallback: null,
    })),
  });
  const query = schema.getQueryType()!;
  const fields = query.getFields();
  fields.studies.resolve = (_root, args: { first: number }) => Array.from({ length: args.first }, (_, n) => study(n));
  fields.study.resolve = async (_root, args: { id: string }) => {
    if (args.id === 'missing') throw new AppError('NOT_FOUND', 'Study missing was not found');
    return args.id === 'none' ? null : study(1);
  };
  fields.failing.resolve = () => {
    throw new AppError('BAD_USER_INPUT', 'That filter is not valid', { details: { field: 'filter' } });
  };
  fields.internal.resolve = () => {
    throw new Error('relation "Secret" does not exist');
  };
  const studyFields = (schema.getType('Study') as ReturnType<typeof schema.getQueryType> & object).getFields();
  studyFields.broken.resolve = () => null;
  const mutation = schema.getMutationType()!.getFields();
  mutation.append.resolve = async (_root, args: { value: string }, ctx: Ctx) => {
    await new Promise((r) => setTimeout(r, args.value === 'first' ? 20 : 0));
    ctx.log.push(args.value);
    return [...ctx.log];
  };
  return schema;
}

const servers: Record<'graphqlJs' | 'jit', ApolloServer<Ctx>> = {} as never;

beforeAll(async () => {
  const schema = withResolvers(buildSchema(SDL));
  const options = { formatError: (formatted: Parameters<typeof formatError>[0], error: unknown) => formatError(formatted, error, false) };
  servers.graphqlJs = new ApolloServer<Ctx>({ schema, ...options });
  servers.jit = new ApolloServer<Ctx>({ gateway: jitGateway(schema), ...options });
  await Promise.all(Object.values(servers).map((s) => s.start()));
});

afterAll(async () => {
  await Promise.all(Object.values(servers).map((s) => s.stop()));
});

async function both(query: string, variables?: Record<string, unknown>): Promise<{ graphqlJs: unknown; jit: unknown }> {
  const run = async (server: ApolloServer<Ctx>) => {
    const response: GraphQLResponse = await server.executeOperation({ query, variables }, { contextValue: { log: [] } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return { status: response.http.status ?? 200, body: JSON.parse(JSON.stringify(response.body.singleResult)) as unknown };
  };
  return { graphqlJs: await run(servers.graphqlJs), jit: await run(servers.jit) };
}

describe('jit gateway', () => {
  it.each([
    [
      'a list of objects with enums, floats and nulls',
      '{ studies(first: 3) { id externalId predictions { level severity severe fallback } } }',
    ],
    [
      'aliases and fragments',
      '{ a: study(id: "x") { ...S } b: study(id: "none") { ...S } } fragment S on Study { id predictions { severity } }',
    ],
    ['an AppError with its code, details and path', '{ ok: studies(first: 1) { id } failing }'],
    ['NOT_FOUND from an async resolver, beside data', '{ study(id: "missing") { id } other: study(id: "x") { externalId } }'],
    ['an internal error, hidden', '{ internal }'],
    ['null in a non-null field, propagated to the nullable parent', '{ study(id: "x") { id broken } }'],
    ['null in a non-null field inside a non-null list, up to the root field', '{ studies(first: 2) { id broken } }'],
    [
      'introspection and __typename',
      '{ __typename __schema { queryType { name } types { name kind } } __type(name: "Study") { fields { name type { name kind ofType { name } } } } }',
    ],
    ['@skip and @include', 'query { studies(first: 1) { id @skip(if: true) externalId @include(if: true) optional } }'],
  ])('%s', async (_name, query) => {
    const { graphqlJs, jit } = await both(query);
    expect(jit).toEqual(graphqlJs);
  });

  it('reports bad variables as graphql-js does (BAD_USER_INPUT, HTTP 400)', async () => {
    for (const variables of [{ first: 'three' }, {}, { first: null }]) {
      const { graphqlJs, jit } = await both('query Q($first: Int!) { studies(first: $first) { id } }', variables);
      expect(jit).toEqual(graphqlJs);
      expect(jit).toMatchObject({ status: 400, body: { errors: [{ extensions: { code: 'BAD_USER_INPUT' } }] } });
    }
  });

  it('runs the operation named, and the same document again from its compiled form', async () => {
    const document = 'query A { studies(first: 1) { id } } query B { study(id: "x") { externalId } }';
    for (const operationName of ['A', 'B', 'A']) {
      const [graphqlJs, jit] = await Promise.all(
        [servers.graphqlJs, servers.jit].map(async (server) => {
          const r = await server.executeOperation({ query: document, operationName }, { contextValue: { log: [] } });
          return r.body.kind === 'single' ? r.body.singleResult : null;
        }),
      );
      expect(jit).toEqual(graphqlJs);
    }
  });

  it('runs mutation fields one after another, in order', async () => {
    const { graphqlJs, jit } = await both('mutation { a: append(value: "first") b: append(value: "second") }');
    expect(jit).toEqual(graphqlJs);
    expect(jit).toMatchObject({ body: { data: { a: ['first'], b: ['first', 'second'] } } });
  });

  it('gives graphql-js errors to Apollo, with the original error inside', async () => {
    const seen: unknown[] = [];
    const server = new ApolloServer<Ctx>({
      gateway: jitGateway(withResolvers(buildSchema(SDL))),
      plugins: [{ requestDidStart: async () => ({ didEncounterErrors: async ({ errors }) => void seen.push(...errors) }) }],
    });
    await server.start();
    try {
      await server.executeOperation({ query: '{ failing }' }, { contextValue: { log: [] } });
    } finally {
      await server.stop();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeInstanceOf(GraphQLError);
    expect((seen[0] as GraphQLError).originalError).toBeInstanceOf(AppError);
    expect((seen[0] as GraphQLError).extensions).toEqual({});
  });
});
