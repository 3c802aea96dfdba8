// Resolvers stay thin: arguments in, one service call, a mapper out. Each method's body (the lines between its
// braces) is at most MAX_BODY_LINES; a use case that needs more belongs in src/services.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const MAX_BODY_LINES = 8;

function longMethods(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isMethodDeclaration(node) || ts.isFunctionDeclaration(node)) && node.body && node.name) {
      const open = source.getLineAndCharacterOfPosition(node.body.getStart(source)).line;
      const close = source.getLineAndCharacterOfPosition(node.body.getEnd()).line;
      const lines = close - open - 1;
      if (lines > MAX_BODY_LINES) found.push(`${file}: ${node.name.getText(source)} has ${lines} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

describe('resolvers', () => {
  it('flags a long method (the check can fail)', () => {
    const body = Array.from({ length: MAX_BODY_LINES + 1 }, (_, i) => `    const a${i} = ${i};`).join('\n');
    expect(longMethods('x.ts', `class R {\n  m() {\n${body}\n  }\n}\n`)).toEqual([`x.ts: m has ${MAX_BODY_LINES + 1} lines`]);
  });

  it(`have methods of at most ${MAX_BODY_LINES} lines`, () => {
    const dir = path.join('src', 'resolvers');
    const files = readdirSync(dir).filter((f) => f.endsWith('.resolver.ts'));
    expect(files.length).toBeGreaterThan(5);
    expect(files.flatMap((f) => longMethods(path.join(dir, f), readFileSync(path.join(dir, f), 'utf8')))).toEqual([]);
  });
});
