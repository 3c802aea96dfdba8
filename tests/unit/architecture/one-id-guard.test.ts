// One id guard: whether a string is a UUID is decided by src/domain/ids.ts (isUuid, requireUuid) and nowhere else,
// so every entry point (GraphQL, REST routes, the CLI) accepts and refuses the same ids. A copy of the pattern
// elsewhere in src/ fails here.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const GUARD = path.join('src', 'domain', 'ids.ts');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return p === path.join('src', 'db', 'generated') || e.name === 'python' ? [] : sourceFiles(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

/** A regular expression literal matching the 8-4-4-4-12 hex groups of a UUID, however its groups are spelled. */
const UUID_PATTERN = /\[0-9a-f(?:A-F)?\]\{8\}-?\[0-9a-f(?:A-F)?\]\{4\}/i;

describe('the UUID guard', () => {
  it('finds a copied pattern (the check can fail)', () => {
    expect(UUID_PATTERN.test('const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;')).toBe(true);
    expect(UUID_PATTERN.test('z.string().regex(/[0-9a-fA-F]{8}-[0-9a-fA-F]{4}/)')).toBe(true);
  });

  it('is spelled only in src/domain/ids.ts', () => {
    const files = sourceFiles('src');
    expect(files).toContain(GUARD);
    expect(files.filter((f) => f !== GUARD && UUID_PATTERN.test(readFileSync(f, 'utf8')))).toEqual([]);
    expect(UUID_PATTERN.test(readFileSync(GUARD, 'utf8'))).toBe(true);
  });
});
