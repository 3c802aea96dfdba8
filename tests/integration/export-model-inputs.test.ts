// `spinegraph export model-inputs` as a user runs it (child processes, embedded database): one float32 C-order .npy
// per sample, index.json with the documented fields, coordinates.csv in generate_coords.py's format for predicted
// coordinates. (Parity with the seed's own datasets: tests/parity/seed-inputs.test.ts, `npm run test:parity`.)
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = resolve('bin/spinegraph.js');
let work: string;

async function cli(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', DATA_DIR: join(work, 'data') },
    maxBuffer: 1 << 24,
    timeout: 600_000,
  });
  return stdout;
}

/** numpy .npy v1.0: header dict and float32 data. */
function readNpy(bytes: Buffer): { descr: string; fortran: boolean; shape: number[]; data: Float32Array } {
  expect(bytes.subarray(0, 6).toString('latin1')).toBe('\x93NUMPY');
  const headerLength = bytes.readUInt16LE(8);
  expect((10 + headerLength) % 64).toBe(0);
  const header = bytes.subarray(10, 10 + headerLength).toString('latin1');
  const shape = /'shape': \(([^)]*)\)/
    .exec(header)![1]
    .split(',')
    .filter((s) => s.trim())
    .map(Number);
  const body = bytes.subarray(10 + headerLength);
  return {
    descr: /'descr': '([^']+)'/.exec(header)![1],
    fortran: /'fortran_order': True/.test(header),
    shape,
    data: new Float32Array(body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength)),
  };
}

interface Index {
  coordinates: string;
  samples: {
    file: string;
    role: string;
    studyExternalId: string;
    level: string | null;
    side: string | null;
    shape: number[];
    slots: { roi: string | null; seriesExternalId: string | null; instanceNumbers: (number | null)[] }[];
  }[];
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sg-model-inputs-'));
  await cli(['synth', '--out', join(work, 'cohort'), '--studies', '1', '--seed', '5', '--size', '128']);
  await cli(['import', join(work, 'cohort')]);
}, 900_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('spinegraph export model-inputs', () => {
  it('writes one .npy per sample and an index with the documented fields (label coordinates)', async () => {
    const out = join(work, 'labels');
    const said = await cli(['export', 'model-inputs', '--out', out, '--keypoint-size', '64', '--roi-size', '32']);
    expect(said).toMatch(/wrote \d+ samples of 1 studies \(labels coordinates/);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Index;
    expect(index.coordinates).toBe('labels');
    const roles = new Set(index.samples.map((s) => s.role));
    expect([...roles].sort()).toEqual([
      'classifier-foraminal',
      'classifier-global',
      'classifier-spinal',
      'classifier-subarticular',
      'keypoints-axial',
      'keypoints-sagittal-t1',
      'keypoints-sagittal-t2',
    ]);
    for (const s of index.samples) {
      const npy = readNpy(await readFile(join(out, s.file)));
      expect(npy.descr).toBe('<f4');
      expect(npy.fortran).toBe(false);
      expect(npy.shape).toEqual(s.shape);
      expect(npy.data.length).toBe(s.shape.reduce((a, b) => a * b, 1));
      expect(npy.data.every(Number.isFinite)).toBe(true);
      const channels = s.role.startsWith('keypoints') ? s.shape[0] : s.shape[1];
      for (const slot of s.slots) {
        expect(slot.instanceNumbers).toHaveLength(channels);
        for (const n of slot.instanceNumbers) expect(n === null || Number.isInteger(n)).toBe(true);
      }
    }
    const t1 = index.samples.filter((s) => s.role === 'keypoints-sagittal-t1');
    expect(t1.map((s) => s.side).sort()).toEqual(['LEFT', 'RIGHT']);
    expect(t1[0].shape).toEqual([3, 64, 64]);
    const global = index.samples.find((s) => s.role === 'classifier-global' && s.level === 'L3_L4')!;
    expect(global.shape).toEqual([5, 5, 32, 32]);
    expect(global.slots.map((s) => s.roi)).toEqual(['SAG_T2_SPINAL', 'SAG_T1_LEFT', 'SAG_T1_RIGHT', 'AXIAL_LEFT', 'AXIAL_RIGHT']);
    const foraminal = index.samples.filter((s) => s.role === 'classifier-foraminal' && s.level === 'L3_L4');
    expect(foraminal.map((s) => s.side).sort()).toEqual(['LEFT', 'RIGHT']);
  });

  it("renders around the model set's keypoints and writes them in generate_coords.py's format (predicted)", async () => {
    const out = join(work, 'predicted');
    await cli(['export', 'model-inputs', '--out', out, '--coordinates', 'predicted', '--keypoint-size', '64', '--roi-size', '32']);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Index;
    expect(index.coordinates).toBe('predicted');
    expect(index.samples.length).toBeGreaterThan(0);
    const csv = (await readFile(join(out, 'coordinates.csv'), 'utf8')).trim().split('\n');
    expect(csv[0]).toBe('study_id,series_id,condition,level,x_norm,y_norm,instance_number,row_id');
    expect(csv).toHaveLength(1 + 25);
    const spinal = csv.find((l) => l.endsWith('spinal_canal_stenosis_l3_l4'))!.split(',');
    expect(spinal[2]).toBe('Spinal Canal Stenosis');
    expect(spinal[3]).toBe('L3/L4');
    expect(Number(spinal[4])).toBeGreaterThanOrEqual(0);
    expect(Number(spinal[4])).toBeLessThan(1);
    expect(spinal[6]).toBe('');
  });

  it("renders the named set's own input layouts when no size is given, for the studies named", async () => {
    const study = (JSON.parse(await readFile(join(work, 'labels', 'index.json'), 'utf8')) as Index).samples[0].studyExternalId;
    const out = join(work, 'by-set');
    const said = await cli(['export', 'model-inputs', '--out', out, '--model-set', 'demo', '--study', study]);
    expect(said).toMatch(/wrote \d+ samples of 1 studies \(labels coordinates/);
    const index = JSON.parse(await readFile(join(out, 'index.json'), 'utf8')) as Index;
    expect(index.coordinates).toBe('labels');
    expect(new Set(index.samples.map((s) => s.studyExternalId))).toEqual(new Set([study]));
    // Each sample has its role's input shape in the bundled demo set's manifests (batch axis dropped), not the
    // reference layout's 512/128.
    const demo = resolve('models/demo');
    const manifestShape = new Map<string, number[]>();
    for (const file of (await readdir(demo)).filter((f) => f.endsWith('.manifest.json'))) {
      const m = JSON.parse(await readFile(join(demo, file), 'utf8')) as { role: string; input: { shape: (number | string)[] } };
      manifestShape.set(m.role, m.input.shape.slice(1) as number[]);
    }
    expect(manifestShape.size).toBe(7);
    expect(new Set(index.samples.map((s) => s.role))).toEqual(new Set(manifestShape.keys()));
    for (const s of index.samples) expect(s.shape).toEqual(manifestShape.get(s.role));
    expect(index.samples.some((s) => s.shape.includes(512) || s.shape.includes(128))).toBe(false);
    await expect(cli(['export', 'model-inputs', '--out', join(work, 'y'), '--model-set', 'no-such-set'])).rejects.toThrow(/no-such-set/);
  });

  it('says which study it cannot find', async () => {
    await expect(cli(['export', 'model-inputs', '--out', join(work, 'x'), '--study', 'no-such-study'])).rejects.toThrow(
      /No study with external id no-such-study/,
    );
  });
});
