// The committed demo set (models/demo): complete, within its size budget, and every ONNX file reproduces the
// PyTorch outputs recorded in its check file when run in onnxruntime-node.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelSet, MODEL_ROLES } from '../../../src/inference/index.js';

const DIR = join(import.meta.dirname, '../../../models/demo');

describe('the demo model set', () => {
  it('holds one model per role, named demo, within 25 MB', async () => {
    const files = await readdir(DIR);
    let bytes = 0;
    for (const f of files) bytes += (await stat(join(DIR, f))).size;
    expect(bytes).toBeLessThanOrEqual(25_000_000);
    expect(JSON.parse(await readFile(join(DIR, 'model-set.json'), 'utf8'))).toMatchObject({ name: 'demo' });
    expect(files.filter((f) => f.endsWith('.onnx')).sort()).toEqual(MODEL_ROLES.map((r) => `${r}-fold0.onnx`).sort());
  });

  it('loads, matches its manifests, and agrees with the trainer check files', async () => {
    const set = await loadModelSet(DIR, { verifyChecks: true, intraOpNumThreads: 1 });
    try {
      expect(set.name).toBe('demo');
      expect(set.models.map((m) => m.manifest.role).sort()).toEqual([...MODEL_ROLES].sort());
      for (const m of set.models) expect((m.manifest.raw as { provenance: { demoBuild?: unknown } }).provenance.demoBuild).toBeDefined();
    } finally {
      await set.release();
    }
  }, 120_000);
});
