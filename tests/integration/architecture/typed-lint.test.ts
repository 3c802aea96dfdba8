// The type-aware rules are real: the project's own ESLint config (eslint.config.js) fails a floating promise, an async
// callback where a void one is expected and a non-exhaustive switch, and passes the same code written correctly. The
// fixtures are ignored by `npm run lint` (they are wrong on purpose) and have their own small tsconfig, so the
// program built for them is two files, not the whole project.
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TYPED_RULES } from '../../../eslint/typed-rules.js';

const FIXTURES = 'tests/fixtures/lint';
const eslint = new ESLint({ cwd: process.cwd(), ignore: false });

/** The 1-based line after the comment `// MARKER`. */
function lineAfter(file: string, marker: string): number {
  const lines = readFileSync(`${FIXTURES}/${file}`, 'utf8').split('\n');
  const at = lines.findIndex((l) => l.trim() === `// ${marker}`);
  if (at < 0) throw new Error(`${file} has no // ${marker}`);
  return at + 2;
}

describe('type-aware lint', () => {
  it('turns the three rules on as errors', () => {
    expect(TYPED_RULES).toEqual({
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
    });
  });

  it('fails a floating promise, a misused async callback and a non-exhaustive switch', { timeout: 120_000 }, async () => {
    const [result] = await eslint.lintFiles([`${FIXTURES}/unsafe-promises.ts`]);
    const found = result.messages.map((m) => ({ rule: m.ruleId, line: m.line, severity: m.severity }));
    expect(found).toEqual([
      { rule: '@typescript-eslint/no-floating-promises', line: lineAfter('unsafe-promises.ts', 'FLOATING'), severity: 2 },
      { rule: '@typescript-eslint/no-misused-promises', line: lineAfter('unsafe-promises.ts', 'MISUSED'), severity: 2 },
      { rule: '@typescript-eslint/switch-exhaustiveness-check', line: lineAfter('unsafe-promises.ts', 'SWITCH'), severity: 2 },
    ]);
    expect(result.messages[2].message).toContain('"DONE"');
  });

  it('passes the same code awaited, voided on purpose and with every case', { timeout: 120_000 }, async () => {
    const [result] = await eslint.lintFiles([`${FIXTURES}/safe-promises.ts`]);
    expect(result.messages).toEqual([]);
  });
});
