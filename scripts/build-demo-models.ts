// Regenerates the bundled demo model set (models/demo) and its report (docs/demo-models.md):
//   npx tsx scripts/build-demo-models.ts [--studies N] [--seed S] [--holdout M] [--folds F] [--train-folds 0,1]
//                                        [--epochs RUN=E,...] [--size PX] [--work DIR] [--stage train|eval|all]
// A synthetic training cohort is imported into an embedded database, exported with the training exporter, trained
// with config `small`, copied into models/demo, then scored on a separate held-out synthetic cohort against a
// prevalence-only baseline. Every step is seeded; the work folder caches generated cohorts and the database.
import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { openReadyDatabase } from '../src/db/migrate-database.js';
import type { Database } from '../src/db/client.js';
import { ensureProject } from '../src/services/projects.service.js';
import { importStudies } from '../src/services/import/import-studies.js';
import { generateDataset } from '../src/synth/index.js';
import { foldCountFor } from '../src/training/folds.js';
import { CONFIG_LAYOUT_SIZES } from '../src/training/request.js';
import type { TrainerEvent } from '../src/training/trainer-process.js';
import {
  copyModelFiles,
  exportCohortTensors,
  loadTrainingCohort,
  resolveTrainFolds,
  runTrainingRun,
} from '../src/services/training-orchestration.js';
import { MODEL_ROLES, type ModelRole } from '../src/inference/index.js';
import { patientToPixel } from '../src/dicom/geometry.js';
import {
  CONDITION_INFO,
  CONDITIONS,
  LEVELS,
  SEVERITIES,
  severityArgmax,
  type Condition,
  type Level,
  type Severity,
} from '../src/domain/vocabulary.js';
import { evaluate } from '../src/services/evaluation.service.js';
import { geometryOf } from '../src/services/instance-geometry.js';
import { runInference } from '../src/services/inference/run-inference.js';
import { openModelSet, registerModelSet } from '../src/services/model-registry.service.js';

const { values: args } = parseArgs({
  options: {
    studies: { type: 'string', default: '80' },
    holdout: { type: 'string', default: '30' },
    seed: { type: 'string', default: '2024' },
    folds: { type: 'string', default: '5' },
    'train-folds': { type: 'string', default: '0' },
    // Per-run epoch overrides, e.g. keypoints-sagittal-t2=15,keypoints-axial=5,classifiers=6 (default: the config's).
    epochs: { type: 'string', default: '' },
    size: { type: 'string', default: '256' },
    work: { type: 'string' },
    stage: { type: 'string', default: 'all' },
    python: { type: 'string', default: process.env.TRAINER_PYTHON ?? '/usr/bin/python3' },
    out: { type: 'string', default: 'models/demo' },
    doc: { type: 'string', default: 'docs/demo-models.md' },
  },
});

const seed = Number(args.seed);
const studies = Number(args.studies);
const holdout = Number(args.holdout);
const size = Number(args.size);
const work = resolve(args.work ?? `/tmp/spinegraph-demo-${seed}-${studies}`);
const outDir = resolve(args.out);
const trainFolds = args['train-folds'] === 'all' ? undefined : args['train-folds'].split(',').map(Number);
// Training and held-out cohorts: same generator, disjoint study ids, different seeds (different patients).
export const TRAIN_FIRST_ID = 100_000;
export const HOLDOUT_FIRST_ID = 900_000;

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);

async function importCohort(
  db: Database,
  name: string,
  root: string,
  n: number,
  cohortSeed: number,
  firstStudyId: number,
): Promise<string[]> {
  if (!existsSync(join(root, 'train.csv'))) {
    log(`generating ${n} ${name} studies (seed ${cohortSeed}, ids from ${firstStudyId}, ${size} px)`);
    await generateDataset({ outDir: root, studies: n, seed: cohortSeed, size, firstStudyId });
  }
  const project = await ensureProject(db, name);
  const result = await importStudies(db, { root, projectId: project.id, secret: 'spinegraph-demo' });
  log(
    `imported ${name}: ${result.studies.total} studies, ${result.instances.total} instances, ${result.labels} labels, ${result.coordinates} coordinates`,
  );
  const rows = await db.prisma.study.findMany({ where: { projectId: project.id }, select: { id: true }, orderBy: { externalId: 'asc' } });
  return rows.map((r) => r.id);
}

async function train(db: Database): Promise<void> {
  const ids = await importCohort(db, 'demo-train', join(work, 'train-data'), studies, seed, TRAIN_FIRST_ID);
  const cohort = await loadTrainingCohort(db, ids, { seed, foldCount: (labelled) => foldCountFor(labelled, Number(args.folds)) });
  if (trainFolds) resolveTrainFolds(cohort.foldCount, trainFolds);
  const tensorDir = join(work, 'tensors');
  if (!existsSync(join(tensorDir, 'index.json'))) {
    const t0 = performance.now();
    const exported = await exportCohortTensors(cohort, {
      outDir: tensorDir,
      sizes: CONFIG_LAYOUT_SIZES.small,
      meta: { cohort: `synthetic-${studies}`, synthSeed: seed, imageSize: size, folds: cohort.foldCount },
      onStudy: (d, n) => d % 10 === 0 && log(`exported ${d}/${n} studies`),
    });
    log(`exported tensors in ${((performance.now() - t0) / 1000).toFixed(0)} s: ${JSON.stringify(exported)}`);
  }
  // One run per keypoint role and one for the classifiers: the request has a single epoch override for all its
  // roles, and the time budget differs per role (the axial model sees five samples per study).
  for (const g of trainingRuns()) {
    const runDir = join(work, `run-${g.name}`);
    if (existsSync(join(runDir, 'run-summary.json'))) {
      log(`${g.name}: already trained in ${runDir}`);
      continue;
    }
    await mkdir(runDir, { recursive: true });
    await runTrainingRun({
      python: args.python,
      requestPath: join(work, `request-${g.name}.json`),
      request: {
        outputDir: runDir,
        config: 'small',
        seed,
        tensorIndex: join(tensorDir, 'index.json'),
        roles: g.roles,
        device: 'auto',
        ...(trainFolds ? { folds: trainFolds } : {}),
        ...(g.epochs !== undefined ? { epochs: g.epochs } : {}),
      },
      onRequest: (request) => log(`training ${g.name}: ${JSON.stringify(request)}`),
      onEvent: (e) => reportEvent(g.name, e),
      onLog: (l) => console.error(`  ${l}`),
    });
  }
  await copyModels();
}

const EPOCHS = Object.fromEntries(
  args.epochs
    .split(',')
    .filter(Boolean)
    .map((kv) => kv.split('=') as [string, string])
    .map(([k, v]) => [k, Number(v)]),
) as Record<string, number>;

export function trainingRuns(): { name: string; roles: ModelRole[]; epochs: number | undefined }[] {
  return [
    ...MODEL_ROLES.filter((r) => r.startsWith('keypoints-')).map((r) => ({ name: r, roles: [r], epochs: EPOCHS[r] })),
    { name: 'classifiers', roles: MODEL_ROLES.filter((r) => r.startsWith('classifier-')), epochs: EPOCHS.classifiers },
  ];
}

function reportEvent(group: string, e: TrainerEvent): void {
  if (e.event === 'epoch' || e.event === 'fold' || e.event === 'start' || e.event === 'done' || e.event === 'export') {
    const { event, role, fold, epoch, epochs, loss, valMetric, eta_s, progress } = e;
    log(`${group} ${event} ${JSON.stringify({ role, fold, epoch, epochs, loss, valMetric, progress, eta_s })}`);
  }
}

/** The manifest with a note of how this build departs from the config (folds trained, epochs per role). */
async function withDemoNote(manifestPath: string): Promise<string> {
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as { provenance?: Record<string, unknown> };
  manifest.provenance = {
    ...manifest.provenance,
    demoBuild: {
      script: 'scripts/build-demo-models.ts',
      cohort: `${studies} synthetic studies, seed ${seed}, ${size} px`,
      folds: `${args.folds} folds by study; trained validation fold(s): ${args['train-folds']}`,
      epochs: EPOCHS,
      note: "epochs set per role (not the small config's), one fold trained, to fit a shared 2-core build machine; see docs/demo-models.md",
    },
  };
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

async function copyModels(): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const summaries: Record<string, unknown> = {};
  for (const { name: g } of trainingRuns()) {
    const runDir = join(work, `run-${g}`);
    await copyModelFiles(runDir, outDir, { withRunRecords: false, rewriteManifest: withDemoNote });
    summaries[g] = JSON.parse(await readFile(join(runDir, 'run-summary.json'), 'utf8'));
  }
  await writeFile(
    join(outDir, 'model-set.json'),
    `${JSON.stringify({ name: 'demo', description: 'config small trained on synthetic studies by scripts/build-demo-models.ts; see docs/demo-models.md' }, null, 2)}\n`,
  );
  await writeFile(join(outDir, 'training-summary.json'), `${JSON.stringify(summaries, null, 2)}\n`);
  log(`copied the demo set into ${outDir}`);
}

async function main(): Promise<void> {
  await mkdir(work, { recursive: true });
  const db = await openReadyDatabase({ kind: 'pglite', dir: join(work, 'db') });
  try {
    if (args.stage === 'train' || args.stage === 'all') await train(db);
    if (args.stage === 'eval' || args.stage === 'all') {
      const holdoutIds = await importCohort(db, 'demo-holdout', join(work, 'holdout-data'), holdout, seed + 1, HOLDOUT_FIRST_ID);
      const trainProject = await ensureProject(db, 'demo-train');
      await evaluateDemo(db, {
        modelsDir: outDir,
        holdoutStudyIds: holdoutIds,
        trainProjectId: trainProject.id,
        docPath: resolve(args.doc),
        settings: { studies, holdout, seed, size, folds: Number(args.folds), trainFolds: args['train-folds'], epochs: EPOCHS },
        log,
      });
    }
  } finally {
    await db.close();
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Held-out evaluation: the demo set against a prevalence-only baseline on a cohort it never saw.

interface EvalOptions {
  readonly modelsDir: string;
  readonly holdoutStudyIds: readonly string[];
  readonly trainProjectId: string;
  readonly docPath: string;
  readonly settings: Record<string, unknown>;
  readonly log: (msg: string) => void;
}

type Triple = readonly [number, number, number];

/** Training-set class frequencies per condition (+1 smoothed so no class gets probability 0). */
async function prevalence(db: Database, projectId: string): Promise<Record<Condition, Triple>> {
  const rows = await db.sql.query<{ condition: Condition; severity: Severity; n: string }>(
    `SELECT l.condition::text AS condition, l.severity::text AS severity, count(*)::text AS n
     FROM "Label" l JOIN "Study" s ON s.id = l."studyId" WHERE s."projectId" = $1::uuid GROUP BY 1, 2`,
    [projectId],
  );
  return Object.fromEntries(
    CONDITIONS.map((c) => {
      const counts = SEVERITIES.map((sev) => 1 + Number(rows.find((r) => r.condition === c && r.severity === sev)?.n ?? 0));
      const total = counts.reduce((a, b) => a + b, 0);
      return [c, counts.map((n) => n / total) as unknown as Triple];
    }),
  ) as Record<Condition, Triple>;
}

/** Stores the baseline as predictions of its own model set, so the same SQL metric scores both. */
async function storeBaseline(db: Database, studyIds: readonly string[], prior: Record<Condition, Triple>): Promise<string> {
  const set = await db.prisma.modelSet.upsert({
    where: { name: 'prevalence-baseline' },
    create: {
      name: 'prevalence-baseline',
      contentHash: 'prevalence-baseline',
      description: 'training-set class frequencies per condition',
    },
    update: {},
  });
  await db.prisma.prediction.deleteMany({ where: { modelSetId: set.id } });
  await db.prisma.prediction.createMany({
    data: studyIds.flatMap((studyId) =>
      CONDITIONS.flatMap((condition) =>
        LEVELS.map((level) => {
          const [normalMild, moderate, severe] = prior[condition];
          return {
            studyId,
            condition,
            level,
            normalMild,
            moderate,
            severe,
            severity: severityArgmax(prior[condition]),
            modelSetId: set.id,
          };
        }),
      ),
    ),
  });
  return set.id;
}

interface PointRow {
  studyId: string;
  condition: Condition;
  level: Level;
  x: number;
  y: number;
  rows: number;
  columns: number;
  pixelSpacing: number[];
  imagePositionPatient: number[];
  imageOrientationPatient: number[];
}

async function labelPoints(db: Database, where: string, param: unknown): Promise<PointRow[]> {
  return db.sql.query<PointRow & Record<string, unknown>>(
    `SELECT c."studyId", c.condition::text AS condition, c.level::text AS level, c.x, c.y, i.rows, i.columns, i."pixelSpacing",
            i."imagePositionPatient", i."imageOrientationPatient"
     FROM "LabelCoordinate" c JOIN "Instance" i ON i.id = c."instanceId" JOIN "Study" s ON s.id = c."studyId" WHERE ${where}`,
    [param],
  );
}

const KEYPOINT_CONDITION = (role: string, side: string): Condition | undefined =>
  role === 'keypoints-sagittal-t2'
    ? 'SPINAL_CANAL_STENOSIS'
    : role === 'keypoints-sagittal-t1'
      ? (`${side}_NEURAL_FORAMINAL_NARROWING` as Condition)
      : role === 'keypoints-axial'
        ? (`${side}_SUBARTICULAR_STENOSIS` as Condition)
        : undefined;

const ROLE_OF: Record<string, string> = {
  spinal: 'keypoints-sagittal-t2',
  foraminal: 'keypoints-sagittal-t1',
  subarticular: 'keypoints-axial',
};

/**
 * In-plane error (mm) of each predicted keypoint against its label: the prediction projected onto the label's
 * slice, distance in that slice's pixel grid times its pixel spacing. The baseline predicts, for every study, the
 * training labels' mean position (as a fraction of the image) for that condition and level.
 */
async function keypointErrors(db: Database, modelSetId: string, holdout: readonly string[], trainProjectId: string) {
  const truth = await labelPoints(db, 's.id = ANY($1::uuid[])', holdout);
  const train = await labelPoints(db, 's."projectId" = $1::uuid', trainProjectId);
  const predicted = await db.prisma.keypoint.findMany({
    where: { modelSetId, source: 'MODEL', studyId: { in: [...holdout] } },
    select: { studyId: true, role: true, side: true, level: true, patientX: true, patientY: true, patientZ: true },
  });
  const meanFrac = new Map<string, { fx: number; fy: number; n: number }>();
  for (const t of train) {
    const k = `${t.condition}|${t.level}`;
    const m = meanFrac.get(k) ?? { fx: 0, fy: 0, n: 0 };
    m.fx += (Number(t.x) + 0.5) / t.columns;
    m.fy += (Number(t.y) + 0.5) / t.rows;
    m.n++;
    meanFrac.set(k, m);
  }
  const model: Record<string, number[]> = {};
  const baseline: Record<string, number[]> = {};
  let missing = 0;
  for (const t of truth) {
    const g = geometryOf(t);
    if (!g) continue; // a label on an instance without patient geometry cannot be projected onto
    const role = ROLE_OF[CONDITION_INFO[t.condition].core];
    const dist = (px: number, py: number) => Math.hypot((px - Number(t.x)) * g.pixelSpacing[1], (py - Number(t.y)) * g.pixelSpacing[0]);
    const p = predicted.find((k) => k.studyId === t.studyId && k.level === t.level && KEYPOINT_CONDITION(k.role, k.side) === t.condition);
    if (p) {
      const onSlice = patientToPixel(g, [p.patientX, p.patientY, p.patientZ]);
      (model[role] ??= []).push(dist(onSlice.x, onSlice.y));
    } else missing++;
    const m = meanFrac.get(`${t.condition}|${t.level}`);
    if (m) (baseline[role] ??= []).push(dist((m.fx / m.n) * t.columns - 0.5, (m.fy / m.n) * t.rows - 0.5));
  }
  return { model, baseline, missing, labels: truth.length };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : Number.NaN;
};
const fmt = (x: unknown, d = 3) => (typeof x === 'number' && Number.isFinite(x) ? x.toFixed(d) : 'n/a');

async function evaluateDemo(db: Database, o: EvalOptions): Promise<void> {
  const { set } = await registerModelSet(db, o.modelsDir, { activate: true, name: 'demo' });
  const loaded = await openModelSet(db, set, { provider: 'cpu', threads: 2 });
  const t0 = performance.now();
  let summary;
  try {
    summary = await runInference(db, {
      studyIds: o.holdoutStudyIds,
      modelSetId: set.id,
      modelSet: loaded,
      pipeline: { studiesPerBatch: 4 },
    });
  } finally {
    await loaded.release();
  }
  const inferS = (performance.now() - t0) / 1000;
  o.log(
    `inference on ${o.holdoutStudyIds.length} held-out studies: ${inferS.toFixed(0)} s, ${summary.predictions} predictions, fallbacks ${JSON.stringify(summary.fallbacks)}`,
  );
  const holdoutProject = await ensureProject(db, 'demo-holdout');
  const scope = { kind: 'projects', projectIds: [holdoutProject.id] } as const;
  const demo = await evaluate(db, { scope, modelSetId: set.id });
  const prior = await prevalence(db, o.trainProjectId);
  const baselineId = await storeBaseline(db, o.holdoutStudyIds, prior);
  const base = await evaluate(db, { scope, modelSetId: baselineId });
  const kp = await keypointErrors(db, set.id, o.holdoutStudyIds, o.trainProjectId);
  o.log(`held-out metric: demo ${fmt(demo.score)} vs prevalence ${fmt(base.score)}`);
  const training = JSON.parse(await readFile(join(o.modelsDir, 'training-summary.json'), 'utf8')) as Record<string, RunSummary>;
  const onnxBytes = (await readdir(o.modelsDir)).filter((f) => f.endsWith('.onnx'));
  let totalBytes = 0;
  for (const f of await readdir(o.modelsDir)) totalBytes += (await stat(join(o.modelsDir, f))).size;
  const results = {
    demo,
    baseline: base,
    keypoints: kp,
    prior,
    inference: { seconds: inferS, ...summary },
    onnxFiles: onnxBytes.length,
    totalBytes,
  };
  await writeFile(join(o.modelsDir, 'holdout-evaluation.json'), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(o.docPath, renderReport(o, results, training));
  o.log(`wrote ${o.docPath}`);
}

interface RunSummary {
  durationS?: number;
  onnxBytes?: number;
  folds?: number[];
  request?: { epochs?: number };
  cv?: {
    keypoints?: Record<string, { meanPxError?: number; medianPxError?: number; meanMmError?: number; samples?: number }>;
    classifiers?: Record<string, Record<string, number | null> & { baseline?: Record<string, number | null> }> & {
      roles?: Record<string, { weightedLogLoss?: number; rows?: number }>;
    };
  };
}

function renderReport(
  o: EvalOptions,
  r: {
    demo: Awaited<ReturnType<typeof evaluate>>;
    baseline: Awaited<ReturnType<typeof evaluate>>;
    keypoints: Awaited<ReturnType<typeof keypointErrors>>;
    inference: { seconds: number };
    totalBytes: number;
  },
  training: Record<string, RunSummary>,
): string {
  const parts = ['score', 'spinal', 'foraminal', 'subarticular', 'anySevereSpinal'] as const;
  const lines: string[] = [];
  const s = o.settings;
  lines.push('# The demo model set (models/demo)', '');
  lines.push(
    'spinegraph ships a small model set trained here, on synthetic studies, so that the pipeline shows real predictions',
    'on a fresh clone. It is a demonstration of the pipeline, not a clinical model: it has only seen the synthetic',
    'generator of `src/synth`. Regenerate it with:',
    '',
    '```sh',
    `npx tsx scripts/build-demo-models.ts --studies ${s.studies} --holdout ${s.holdout} --seed ${s.seed} --folds ${s.folds} --train-folds ${s.trainFolds} --epochs ${Object.entries(
      s.epochs as Record<string, number>,
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(',')}`,
    '```',
    '',
  );
  lines.push('## How it was trained', '');
  lines.push(
    `- Cohort: ${s.studies} synthetic studies (\`generateDataset\`, seed ${s.seed}, study ids from ${TRAIN_FIRST_ID}, ${s.size} px images), imported into an embedded database and exported with the training exporter (\`src/training/export\`, ROIs centred on the label coordinates).`,
    `- Folds: ${s.folds} folds by study, stratified by any severe label; **only fold(s) ${s.trainFolds} trained** (one model per role, validated on that fold), because the build had to fit a shared 2-core machine (about 50 minutes of training at load ~20). The CV numbers below are therefore one fold's out-of-fold predictions, not a 5-fold mean.`,
    `- Config \`small\` (DeepLabV3+/ResNet34 at width 12, decoder 32, 256 px inputs, heatmap std 10 px at 256; ResNet18 width 16 + bidirectional GRU 64 on 64 px ROIs), with **epochs set per role** instead of the config's 30/30/15 (keypoints) and 6 (classifiers): ${JSON.stringify(s.epochs)}. The manifests carry the same note in \`provenance.demoBuild\` and the trainer's own \`model.shrunk\` list.`,
    `- Size: ${(r.totalBytes / 2 ** 20).toFixed(1)} MiB for the whole folder (7 models).`,
    '',
  );
  lines.push('## Cross-validated metric (trainer, out-of-fold on the validation fold)', '');
  lines.push(
    '| role | mean px error (256 px input) | median px | mean mm | samples | epochs | train time |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [run, sum] of Object.entries(training)) {
    for (const [role, k] of Object.entries(sum.cv?.keypoints ?? {}))
      lines.push(
        `| ${role} | ${fmt(k.meanPxError, 1)} | ${fmt(k.medianPxError, 1)} | ${fmt(k.meanMmError, 1)} | ${k.samples ?? ''} | ${sum.request?.epochs ?? 'config'} | ${fmt(sum.durationS, 0)} s (${run}) |`,
      );
  }
  const cls = training.classifiers?.cv?.classifiers;
  if (cls) {
    lines.push(
      '',
      '| classifiers (competition metric, lower is better) | score | spinal | foraminal | subarticular | any severe spinal | rows |',
      '|---|---|---|---|---|---|---|',
    );
    for (const key of ['split', 'global', 'ensemble']) {
      const m = cls[key];
      if (!m) continue;
      lines.push(
        `| ${key} | ${fmt(m.score)} | ${fmt(m.spinal)} | ${fmt(m.foraminal)} | ${fmt(m.subarticular)} | ${fmt(m.anySevereSpinal)} | ${m.rows ?? ''} |`,
      );
      if (m.baseline)
        lines.push(
          `| ${key}: prevalence baseline, same rows | ${fmt(m.baseline.score)} | ${fmt(m.baseline.spinal)} | ${fmt(m.baseline.foraminal)} | ${fmt(m.baseline.subarticular)} | ${fmt(m.baseline.anySevereSpinal)} | |`,
        );
    }
    lines.push(
      '',
      'The classifier CV is scored on ROIs centred on the label coordinates (as the trainer sees them); the held-out run below uses the model keypoints end to end.',
    );
  }
  lines.push(
    '',
    `## Held-out synthetic cohort (${o.holdoutStudyIds.length} studies, seed ${Number(s.seed) + 1}, ids from ${HOLDOUT_FIRST_ID})`,
    '',
  );
  lines.push(
    'The full pipeline (`runInference` with the registered set: keypoints -> projection -> ROIs -> classifiers -> ensemble), scored with',
    '`evaluation.service.ts` (the competition metric, lower is better). The baseline predicts, for every row, the training',
    "cohort's class frequencies of that condition (+1 smoothed), stored as its own model set and scored by the same SQL.",
    '',
    '| predictor | score | spinal | foraminal | subarticular | any severe spinal | rows |',
    '|---|---|---|---|---|---|---|',
  );
  for (const [name, e] of [
    ['demo set', r.demo],
    ['prevalence baseline', r.baseline],
  ] as const)
    lines.push(`| ${name} | ${parts.map((p) => fmt(e[p])).join(' | ')} | ${e.rowCount} |`);
  const gain = r.baseline.score && r.demo.score ? (1 - r.demo.score / r.baseline.score) * 100 : Number.NaN;
  lines.push(
    '',
    `Relative improvement of the score over the baseline: ${fmt(gain, 1)} %. Inference took ${fmt(r.inference.seconds, 0)} s for the cohort on this machine.`,
    '',
  );
  lines.push(
    "Keypoint error on the held-out cohort, in the plane of the labelled slice (mm); the baseline puts every point at the training labels' mean position for that condition and level:",
    '',
  );
  lines.push('| keypoint model | mean mm | median mm | baseline mean mm | points |', '|---|---|---|---|---|');
  for (const role of Object.keys(r.keypoints.baseline))
    lines.push(
      `| ${role} | ${fmt(mean(r.keypoints.model[role] ?? []), 1)} | ${fmt(median(r.keypoints.model[role] ?? []), 1)} | ${fmt(mean(r.keypoints.baseline[role]), 1)} | ${(r.keypoints.model[role] ?? []).length} |`,
    );
  lines.push('', `${r.keypoints.missing} of ${r.keypoints.labels} labelled points had no predicted keypoint.`, '');
  lines.push('Raw numbers: `models/demo/holdout-evaluation.json`, `models/demo/training-summary.json` (both trainer run summaries).', '');
  return lines.join('\n');
}

await main();
