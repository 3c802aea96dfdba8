// The layer rule is real: the project's own ESLint config rejects an upward import (and a module in no layer),
// and accepts the same file importing downwards. The files are linted in memory at paths inside src/.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { LAYERS, moduleOf } from '../../../eslint/layers.js';
import { TYPED_RULES_OFF } from '../../../eslint/typed-rules.js';

// The files linted here exist only in memory, so no TypeScript program knows them: lint without type information
// (the layer rule needs none; tests/integration/architecture/typed-lint.test.ts covers the typed rules).
const eslint = new ESLint({
  cwd: process.cwd(),
  overrideConfig: { languageOptions: { parserOptions: { projectService: false } }, rules: TYPED_RULES_OFF },
});

async function layerErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result.messages.filter((m) => m.ruleId === 'spinegraph/layers').map((m) => m.message);
}

describe('the spinegraph/layers lint rule', () => {
  it('fails a library importing the API layer', async () => {
    const errors = await layerErrors('src/dicom/upward.ts', "import { TOPICS } from '../api/pubsub.js';\nexport const t = TOPICS;\n");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^dicom may not import api \(\.\.\/api\/pubsub\.js\)/);
  });

  it('fails services importing the queue, also for type-only imports and re-exports', async () => {
    const code = [
      "import type { JobQueues } from '../queue/job-queues.js';",
      "export { createProcessors } from '../queue/processors.js';",
      'export type Q = JobQueues;',
      '',
    ].join('\n');
    const errors = await layerErrors('src/services/upward.ts', code);
    expect(errors).toHaveLength(2);
    expect(errors.every((e) => e.startsWith('services may not import queue'))).toBe(true);
  });

  it('fails a deep file importing upwards, and schema importing resolvers', async () => {
    expect(
      await layerErrors('src/training/export/upward.ts', "export { loadLabelledStudies } from '../../services/labelled-studies.js';\n"),
    ).toEqual([expect.stringMatching(/^training may not import services/)]);
    expect(await layerErrors('src/schema/upward.ts', "export { RESOLVERS } from '../resolvers/index.js';\n")).toEqual([
      expect.stringMatching(/^schema may not import resolvers/),
    ]);
  });

  it('fails a module that is in no layer', async () => {
    const errors = await layerErrors('src/newthing/x.ts', 'export const x = 1;\n');
    expect(errors).toEqual([expect.stringContaining('src/newthing is in no layer')]);
  });

  it('passes downward imports, imports inside a module and packages', async () => {
    const code = [
      "import { z } from 'zod';",
      "import type { JobKind } from '../domain/job.js';",
      "import type { Database } from '../db/client.js';",
      "import type { JobRow } from './job-store.js';",
      'export type T = [JobKind, Database, JobRow, typeof z];',
      '',
    ].join('\n');
    expect(await layerErrors('src/services/downward.ts', code)).toEqual([]);
  });

  it('knows every top-level module of src/', async () => {
    const { readdirSync } = await import('node:fs');
    const modules = readdirSync('src', { withFileTypes: true })
      .filter((e) => e.isDirectory() || /\.ts$/.test(e.name))
      .map((e) => moduleOf(`src/${e.name}`));
    expect(modules.filter((m) => m !== null && !(m in LAYERS))).toEqual([]);
  });
});
