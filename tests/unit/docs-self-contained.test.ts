// The documentation travels with the repository: every relative link resolves to a file in it, and no page sends a
// reader to a path outside it (a sibling checkout, a machine's own folders).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAGES = [
  'README.md',
  'CONTRIBUTING.md',
  'BENCHMARKS.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];

describe.each(PAGES)('%s', (page) => {
  const text = readFileSync(join(ROOT, page), 'utf8');

  it('links only to files inside the repository that exist', () => {
    const broken: string[] = [];
    for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^(https?:|mailto:|#)/.test(target)) continue;
      const path = resolve(dirname(join(ROOT, page)), target.split('#')[0]);
      if (relative(ROOT, path).startsWith('..') || !existsSync(path)) broken.push(target);
    }
    expect(broken).toEqual([]);
  });

  // BENCHMARKS.md records where measured inputs came from on the machine that measured them; it is a log, not a guide.
  it.skipIf(page === 'BENCHMARKS.md')('names no path outside the repository', () => {
    // The README may say that `npm run test:parity` needs ../shared/reference beside the clone; docs/ stands alone.
    const outside = page.startsWith('docs/') ? /(\.\.\/shared\b|\/work\/[\w.-]+)/g : /\/work\/[\w.-]+/g;
    expect(text.match(outside) ?? []).toEqual([]);
  });
});
