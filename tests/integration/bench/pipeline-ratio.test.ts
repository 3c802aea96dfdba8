// bench/pipeline-ratio's model-only half: the recording set sees every model run of a pipeline run, keeps copies
// of the tensors (not the pipeline's buffers), and the replay runs exactly those on the real sessions.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantSet, recordingSet, replay, type RecordedRun } from '../../../bench/inference/recording-set.js';
import { loadModelSet, type LoadedModelSet } from '../../../src/inference/model-set.js';
import { runPipeline } from '../../../src/inference/pipeline/run.js';
import type { FloatTensor } from '../../../src/inference/runtime/onnx-session.js';
import { writeFixtureModelSet } from '../../fixtures/models/fixture-model-set.js';
import { syntheticStudy } from '../../unit/inference/support/synthetic-study.js';

let dir: string;
let set: LoadedModelSet;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'bench-ratio-'));
  await writeFixtureModelSet(join(dir, 'set'));
  set = await loadModelSet(join(dir, 'set'), { intraOpNumThreads: 1 });
});
afterAll(async () => {
  await set?.release();
  await rm(dir, { recursive: true, force: true });
});

describe('recordingSet and replay', () => {
  it('records each model run of the pipeline once, as copies, and replays exactly those runs', async () => {
    const studies = ['a', 'b'].map((id) => ({ studyId: id, stacks: syntheticStudy(id).stacks }));
    const runs: RecordedRun[] = [];
    const seen: { model: string; feeds: Readonly<Record<string, FloatTensor>> }[] = [];
    // Count the runs the real sessions get, underneath the recorder.
    const counted: LoadedModelSet = {
      ...set,
      models: set.models.map((m) => ({
        ...m,
        session: {
          ...m.session,
          run: (feeds: Readonly<Record<string, FloatTensor>>) => (seen.push({ model: m.manifest.name, feeds }), m.session.run(feeds)),
        },
      })),
    };
    await runPipeline(studies, recordingSet(counted, runs), { studiesPerBatch: 2 });
    expect(runs.length).toBeGreaterThanOrEqual(set.models.length);
    expect(runs.map((r) => r.model)).toEqual(seen.map((s) => s.model));
    for (const [i, r] of runs.entries()) {
      for (const [name, t] of Object.entries(r.feeds)) {
        const original = seen[i].feeds[name];
        expect(t.data).not.toBe(original.data);
        expect(t.dims).toEqual(original.dims);
        expect(
          Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).equals(
            Buffer.from(original.data.buffer, original.data.byteOffset, original.data.byteLength),
          ),
        ).toBe(true);
      }
    }
    // The replay goes to the sessions under the recorder (not through it again): nothing more is recorded.
    const before = runs.length;
    const ms = await replay(runs);
    expect(ms).toBeGreaterThan(0);
    expect(runs.length).toBe(before);
  });

  it('instantSet answers with the recorded outputs: the same results without a forward pass, and refuses a different run', async () => {
    const studies = ['c', 'd'].map((id) => ({ studyId: id, stacks: syntheticStudy(id).stacks }));
    const runs: RecordedRun[] = [];
    const real = await runPipeline(studies, recordingSet(set, runs), { studiesPerBatch: 2 });
    const instant = await runPipeline(studies, instantSet(set, runs), { studiesPerBatch: 2 });
    const strip = (r: (typeof real)[number]) => ({ ...r, timings: undefined });
    expect(instant.map(strip)).toEqual(real.map(strip));
    // One study per batch makes other tensors than those recorded at two: the set says so instead of answering.
    const diverged = await runPipeline(studies, instantSet(set, runs), { studiesPerBatch: 1 });
    expect(
      diverged.some((r) =>
        r.missingKeypoints.some((k) => k.reason.code === 'MODEL_ERROR' && /not the recorded one/.test(k.reason.message)),
      ),
    ).toBe(true);
  });
});
