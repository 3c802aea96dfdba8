import { describe, expect, it } from 'vitest';
import { getIntrospectionQuery, parse, specifiedRules, validate, type GraphQLError, type GraphQLFormattedError } from 'graphql';
import { formatError } from '../../../src/api/errors.js';
import { createDepthLimitRule, measureDepth } from '../../../src/api/limits/query-depth.js';
import { fragmentsOf } from '../../../src/api/limits/fragments.js';
import { limitsSchema } from './limits-schema.js';

function depthOf(query: string): number {
  const document = parse(query);
  const operation = document.definitions.find((d) => d.kind === 'OperationDefinition');
  if (!operation || operation.kind !== 'OperationDefinition') throw new Error('no operation');
  return measureDepth(operation.selectionSet, fragmentsOf(document));
}

function errorsOf(query: string, maxDepth: number): readonly GraphQLError[] {
  return validate(limitsSchema, parse(query), [...specifiedRules, createDepthLimitRule(maxDepth)]);
}

describe('measureDepth', () => {
  it('counts nested fields along the deepest path', () => {
    expect(depthOf('{ study(id: "1") { id } }')).toBe(2);
    expect(depthOf('{ study(id: "1") { id project { name } } projects { id } }')).toBe(3);
    expect(depthOf('{ studies { edges { node { series { instances { id } } } } } }')).toBe(6);
  });

  it('expands fragments and inline fragments without adding depth for them', () => {
    const query = `{ studies { ...Page } }
      fragment Page on StudyConnection { nodes { ...StudyDeep } }
      fragment StudyDeep on Study { project { studies { nodes { ... on Study { id } } } } }`;
    // studies > nodes > project > studies > nodes > id
    expect(depthOf(query)).toBe(6);
  });

  it('does not count __typename or introspection against the application depth', () => {
    expect(depthOf('{ study(id: "1") { __typename project { __typename } } }')).toBe(2);
    expect(depthOf(getIntrospectionQuery())).toBe(0);
    expect(depthOf('{ projects { id } __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toBe(2);
  });

  it('measures a fragment bomb in linear time', () => {
    // F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^40 paths if fragments were re-walked at every spread.
    const fragments = Array.from(
      { length: 40 },
      (_, i) =>
        `fragment F${i} on Study { a: project { studies { nodes { ...F${i + 1} } } } b: project { studies { nodes { ...F${i + 1} } } } }`,
    );
    const query = `{ study(id: "1") { ...F0 } } ${fragments.join(' ')} fragment F40 on Study { id }`;
    const started = performance.now();
    expect(depthOf(query)).toBe(1 + 40 * 3 + 1);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('stops at fragment cycles instead of recursing forever', () => {
    expect(depthOf('{ study(id: "1") { ...A } } fragment A on Study { project { studies { nodes { ...A } } } }')).toBe(4);
  });
});

describe('createDepthLimitRule', () => {
  const deep = '{ studies { edges { node { series { instances { id } } } } } }';

  it('lets operations at the limit through and refuses deeper ones', () => {
    expect(errorsOf(deep, 6)).toEqual([]);
    const errors = errorsOf(deep, 5);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('Operation is nested 6 deep; the limit is 5');
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { limit: 'QUERY_DEPTH', depth: 6, maxDepth: 5 } });
  });

  it('checks each operation of a document on its own', () => {
    const errors = errorsOf(`query Shallow { projects { id } } query Deep ${deep.slice(1).replace(/^/, '{')}`, 3);
    expect(errors.map((e) => e.message)).toEqual(['Operation "Deep" is nested 6 deep; the limit is 3']);
  });

  it('allows the standard introspection query under a small limit; hostile introspection is refused by graphql-js', () => {
    expect(errorsOf(getIntrospectionQuery(), 3)).toEqual([]);
    const nested = Array.from({ length: 10 }, () => 'fields { type {').join(' ') + ' name ' + '} }'.repeat(10);
    const errors = errorsOf(`{ __type(name: "Study") { ${nested} } }`, 12);
    expect(errors.map((e) => e.message)).toEqual(['Maximum introspection depth exceeded']);
  });

  it('reaches clients as BAD_USER_INPUT with details through the API error formatter', () => {
    const [error] = errorsOf(deep, 2);
    // Apollo relabels validation errors (GRAPHQL_VALIDATION_FAILED) but keeps originalError; formatError reads it.
    const relabelled = { message: error?.message ?? '', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } } satisfies GraphQLFormattedError;
    const formatted = formatError(relabelled, error?.originalError ?? error, false);
    expect(formatted.extensions).toEqual({ code: 'BAD_USER_INPUT', details: { limit: 'QUERY_DEPTH', depth: 6, maxDepth: 2 } });
  });
});
