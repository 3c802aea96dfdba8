import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printAppSchema } from '../../src/cli/schema-emit.js';

describe('schema.graphql', () => {
  it('is the schema the code builds (run `npm run schema:emit` when this fails)', async () => {
    const committed = readFileSync(new URL('../../schema.graphql', import.meta.url), 'utf8');
    expect(await printAppSchema()).toBe(committed);
  });
});
