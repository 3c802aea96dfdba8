// Limits per field: rate-limit tokens per mutation field, aggregate fields' costs, aliases counted, root fields
// found through fragments.
import { readFileSync } from 'node:fs';
import { buildSchema, getOperationAST, parse, specifiedRules, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { fragmentsOf } from '../../../src/api/limits/fragments.js';
import { countAliases, createAliasLimitRule } from '../../../src/api/limits/query-aliases.js';
import { measureComplexity } from '../../../src/api/limits/query-complexity.js';
import { createRateLimiter } from '../../../src/api/limits/rate-limiter.js';
import { rootFieldsOf } from '../../../src/api/limits/root-fields.js';

const schema = buildSchema(`
  type Query { evaluation: Evaluation! cohortSummary: Summary! version: String! }
  type Evaluation { score: Float }
  type Summary { studyCount: Int! }
  type Mutation { cancelJob(id: ID!): Boolean }
`);
describe('aggregate costs', () => {
  it('charges evaluation 1000 and cohortSummary 500 per execution, aliases each again', () => {
    const cost = (q: string) => measureComplexity(schema, parse(q), { maxListSize: 100 });
    expect(cost('{ evaluation { score } }')).toBe(1001);
    expect(cost('{ a: evaluation { score } b: evaluation { score } }')).toBe(2002);
    expect(cost('{ cohortSummary { studyCount } }')).toBe(501);
    expect(cost('{ version }')).toBe(1);
  });

  it('charges every aggregate root field of the real schema (schema.graphql), agreement and compareModelSets too', () => {
    const real = buildSchema(readFileSync(new URL('../../../schema.graphql', import.meta.url), 'utf8'));
    const cost = (q: string) => measureComplexity(real, parse(q), { maxListSize: 100 });
    expect(cost('{ agreement { studyCount } }')).toBe(1001);
    expect(cost('{ compareModelSets(a: "1", b: "2") { studyCount } }')).toBe(2001);
    expect(cost('{ evaluation { score } }')).toBe(1001);
    expect(cost('{ cohortSummary { studyCount } }')).toBe(501);
    // Aliased within the alias cap (30), they still exceed the default budget (20,000).
    const aliased = (n: number, field: string) => Array.from({ length: n }, (_, i) => `a${i}: ${field}`).join(' ');
    expect(cost(`{ ${aliased(25, 'agreement { studyCount }')} }`)).toBeGreaterThan(20_000);
    expect(cost(`{ ${aliased(10, 'compareModelSets(a: "1", b: "2") { studyCount }')} }`)).toBeGreaterThan(20_000);
  });

  it('honours a cost a field declares in its extensions', () => {
    const declared = buildSchema('type Query { agreement: Int }');
    (declared.getQueryType()?.getFields().agreement as { extensions: Record<string, unknown> }).extensions = { complexity: 700 };
    expect(measureComplexity(declared, parse('{ a: agreement b: agreement }'), { maxListSize: 100 })).toBe(1400);
  });
});

describe('aliases', () => {
  it('counts aliases through fragments, each spread again, and not a field aliased to its own name', () => {
    const doc = parse('{ a: version b: version version: version ...F ...F } fragment F on Query { c: version }');
    expect(countAliases((getOperationAST(doc) as OperationDefinitionNode).selectionSet, fragmentsOf(doc))).toBe(4);
  });

  it('refuses above the cap with QUERY_ALIASES', () => {
    const errors = validate(schema, parse('{ a: version b: version c: version }'), [...specifiedRules, createAliasLimitRule(2)]);
    expect(errors.map((e) => e.extensions)).toEqual([
      { code: 'BAD_USER_INPUT', details: { limit: 'QUERY_ALIASES', aliases: 3, maxAliases: 2 } },
    ]);
    expect(validate(schema, parse('{ a: version b: version }'), [...specifiedRules, createAliasLimitRule(2)])).toEqual([]);
  });
});

describe('root fields and per-field rate tokens', () => {
  it('finds every root field, aliases and fragments included', () => {
    const doc = parse(
      'mutation { a: cancelJob(id: "1") ...M ... on Mutation { c: cancelJob(id: "3") } } fragment M on Mutation { b: cancelJob(id: "2") }',
    );
    const fields = rootFieldsOf(getOperationAST(doc) as OperationDefinitionNode, fragmentsOf(doc));
    expect(fields.map((f) => f.alias?.value)).toEqual(['a', 'b', 'c']);
  });

  it('takes all of a request`s tokens or none, and says when there will be room', () => {
    let t = 0;
    const limiter = createRateLimiter({ perMinute: 5, now: () => t });
    expect(limiter.tryConsume('u', 3)).toEqual({ allowed: true, remaining: 2 });
    t = 10_000;
    expect(limiter.tryConsume('u', 3)).toEqual({ allowed: false, retryAfterSeconds: 50 });
    expect(limiter.tryConsume('u', 2)).toEqual({ allowed: true, remaining: 0 });
    expect(limiter.tryConsume('u', 6)).toEqual({ allowed: false, retryAfterSeconds: 60 });
    t = 60_000;
    // The first three left the window; the two at 10 s remain.
    expect(limiter.tryConsume('u', 3)).toEqual({ allowed: true, remaining: 0 });
  });
});
