// The docs name only audit actions the code emits: every `area.verb` the audit paragraphs of docs/ cite is either
// `query.<field>` / `mutation.<field>` of a GraphQL root field (the audit plugin's names) or a literal action that a
// recordAudit call in src/ writes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return p === join('src', 'db', 'generated') || e.name === 'python' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

const source = sourceFiles('src').map((f) => readFileSync(f, 'utf8'));
const emitted = new Set(source.flatMap((text) => [...text.matchAll(/\baction: '([a-z][A-Za-z0-9_.]*)'/g)].map((m) => m[1])));
const schema = readFileSync('schema.graphql', 'utf8');
const rootFields = (type: string): Set<string> => {
  const body = new RegExp(`type ${type} \\{([^}]*)\\}`).exec(schema)?.[1] ?? '';
  return new Set([...body.matchAll(/^\s+([a-zA-Z]+)[(:]/gm)].map((m) => m[1]));
};
const graphql = { query: rootFields('Query'), mutation: rootFields('Mutation') };

/** Actions cited in backticks in paragraphs that talk about auditing. */
function citedActions(): { doc: string; action: string }[] {
  return readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .flatMap((doc) =>
      readFileSync(join('docs', doc), 'utf8')
        .split(/\n\s*\n/)
        .filter((paragraph) => /audit/i.test(paragraph))
        .flatMap((paragraph) => [...paragraph.matchAll(/`([a-z]+\.[a-zA-Z<>]+)`/g)].map((m) => ({ doc, action: m[1] }))),
    );
}

describe('audit actions in the docs', () => {
  it('finds the emitted actions and the GraphQL root fields to check against', () => {
    expect([...emitted].sort()).toEqual(expect.arrayContaining(['dicomweb.search', 'export.submission', 'image.render']));
    expect(graphql.query.has('studies')).toBe(true);
    expect(graphql.mutation.has('runInference')).toBe(true);
  });

  it('cites only actions the code writes', () => {
    const cited = citedActions().filter(({ action }) => !/\.(ts|js|md|json|csv|graphql|py)$/.test(action));
    expect(cited.length).toBeGreaterThan(3);
    const unknown = cited.filter(({ action }) => {
      const [area, verb] = action.split('.');
      if (area === 'query' || area === 'mutation') return !(verb === '<field>' || verb === 'multiple' || graphql[area].has(verb));
      return !emitted.has(action);
    });
    expect(unknown).toEqual([]);
  });
});
