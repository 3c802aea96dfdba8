import { describe, expect, it } from 'vitest';
import { getIntrospectionQuery, parse, specifiedRules, validate } from 'graphql';
import { createComplexityRule, measureComplexity } from '../../../src/api/limits/query-complexity.js';
import { limitsSchema } from './limits-schema.js';

const options = { maxListSize: 100 };
const cost = (query: string, variables?: Record<string, unknown>) => measureComplexity(limitsSchema, parse(query), options, { variables });
const ruleErrors = (query: string, maxComplexity: number) =>
  validate(limitsSchema, parse(query), [...specifiedRules, createComplexityRule({ ...options, maxComplexity })]);

const NESTED = '{ projects { studies(first: 20) { nodes { series { instances(first: 50) { id } } } } } }';

describe('measureComplexity (hand-computed)', () => {
  it('costs 1 per field', () => {
    expect(cost('{ study(id: "1") { id externalId } }')).toBe(3);
    expect(cost('mutation { importStudies(dir: "x") }')).toBe(1);
  });

  it('multiplies a connection by first once, not again for its edges or nodes', () => {
    // studies: 1 + 50 x (edges: 1 + (node: 1 + id 1))
    expect(cost('{ studies(first: 50) { edges { node { id } } } }')).toBe(151);
    expect(cost('{ studies(first: 50) { nodes { id } } }')).toBe(101);
  });

  it('uses the schema default of a page argument, else 10, and 10 for plain lists', () => {
    expect(cost('{ study(id: "1") { predictions { id } } }')).toBe(27);
    expect(cost('{ studies { totalCount } }')).toBe(11);
    expect(cost('{ projects { name } }')).toBe(11);
  });

  it('multiplies nested lists', () => {
    // instances 1+50=51; series 1+10x51=511; nodes 1+511=512; studies 1+20x512=10241; projects 1+10x10241
    expect(cost(NESTED)).toBe(102_411);
  });

  it('expands fragments to the same cost as inline selections', () => {
    const withFragments = `{ projects { ...P } }
      fragment P on Project { studies(first: 20) { nodes { ...S } } }
      fragment S on Study { series { instances(first: 50) { id } } }`;
    expect(cost(withFragments)).toBe(102_411);
  });

  it('sums the branches of a union', () => {
    expect(cost('{ search { ... on Study { id externalId } ... on Project { name } } }')).toBe(31);
  });

  it('caps each multiplier at maxListSize', () => {
    expect(cost('{ studies(first: 100000) { nodes { id } } }')).toBe(201);
  });

  it('reads page sizes from variables, their defaults, or assumes the cap when unknown', () => {
    const query = 'query($n: Int) { studies(first: $n) { nodes { id } } }';
    expect(cost(query, { n: 5 })).toBe(11);
    expect(cost('query($n: Int = 7) { studies(first: $n) { nodes { id } } }', {})).toBe(15);
    expect(cost(query, {})).toBe(21);
    // The validation rule has no variables: 1 + 100 x 2.
    expect(ruleErrors(query, 200)[0]?.extensions.details).toEqual({ limit: 'QUERY_COMPLEXITY', complexity: 201, maxComplexity: 200 });
    expect(ruleErrors('query($n: Int = 7) { studies(first: $n) { nodes { id } } }', 15)).toEqual([]);
  });

  it('counts introspection fields once each, without multiplying', () => {
    expect(cost('{ __schema { types { name fields { name } } } }')).toBe(5);
    const standard = cost(getIntrospectionQuery());
    expect(standard).toBeGreaterThan(50);
    expect(standard).toBeLessThan(500);
  });

  it('prices a fragment bomb quickly', () => {
    const fragments = Array.from(
      { length: 40 },
      (_, i) =>
        `fragment F${i} on Study { a: project { ...P${i} } b: project { ...P${i} } } fragment P${i} on Project { studies(first: 2) { nodes { ...F${i + 1} } } }`,
    );
    const query = `{ study(id: "1") { ...F0 } } ${fragments.join(' ')} fragment F40 on Study { id }`;
    const started = performance.now();
    expect(cost(query)).toBeGreaterThan(2 ** 40);
    expect(performance.now() - started).toBeLessThan(200);
  });
});

describe('createComplexityRule', () => {
  it('lets operations at the limit through and refuses costlier ones with BAD_USER_INPUT', () => {
    expect(ruleErrors(NESTED, 102_411)).toEqual([]);
    const errors = ruleErrors(NESTED, 102_410);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toBe('Operation has complexity 102411; the limit is 102410 (ask for smaller pages)');
    expect(errors[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', details: { limit: 'QUERY_COMPLEXITY' } });
    expect(errors[0]?.originalError).toMatchObject({ code: 'BAD_USER_INPUT' });
  });
});
