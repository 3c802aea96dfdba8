// The model manifest (docs/training-format.md, "Manifest", format version 1): the JSON the trainer writes beside
// each .onnx. It is the only thing the pipeline reads to drive a model. Descriptive fields (channel meanings,
// ROI centre descriptions) are kept but not interpreted; everything the pipeline acts on is validated here and
// turned into a ModelSpec.
import { z } from 'zod';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity, type Side } from '../domain/vocabulary.js';
import { MODEL_ROLES, ROLE_SPECS, type ModelRole } from './roles.js';
import { ROI_KIND_SIDES, ROI_KINDS, type RoiKind, type SliceSelect, type ViewSpec } from './view-presets.js';

export const MANIFEST_FORMAT_VERSION = 1;

/** The batch dimension must be dynamic: a symbolic name (e.g. "batch") or -1. */
const batchDim = z.union([z.string().min(1), z.literal(-1)]);
const size = z.number().int().positive();
const series = z.enum(['SAGITTAL_T1', 'SAGITTAL_T2_STIR', 'AXIAL_T2']);
const levelOffsets = z.record(z.enum(LEVELS), z.number());

const common = {
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  role: z.enum(MODEL_ROLES),
  /** Validation fold; null for a model trained on every fold. */
  fold: z.number().int().nonnegative().nullable(),
  architecture: z.string().min(1),
  /** Weight of this model's logits in the ensemble's weighted mean (pipeline/ensemble.ts); equal by default. */
  ensembleWeight: z.number().positive().finite().default(1),
  model: z.record(z.string(), z.unknown()).default({}),
  onnx: z.looseObject({
    file: z.string().min(1),
    sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
    check: z.string().min(1).optional(),
  }),
  provenance: z.record(z.string(), z.unknown()).default({}),
  metrics: z.record(z.string(), z.unknown()).optional(),
};
const basePreprocessing = { interpolation: z.literal('bicubic'), normalisation: z.literal('zscore-stack') };

const keypointSelection = z.discriminatedUnion('mode', [
  z.looseObject({ mode: z.literal('middle') }),
  z.looseObject({ mode: z.literal('offset-mm'), offsetMm: z.object({ LEFT: z.number(), RIGHT: z.number() }) }),
  z.looseObject({ mode: z.literal('nearest-to-projected-point'), maxDistanceMm: z.number().positive().default(5) }),
]);

const keypointManifest = z.looseObject({
  ...common,
  kind: z.literal('keypoints'),
  input: z.looseObject({ name: z.string().min(1), shape: z.tuple([batchDim, size, size, size]), series }),
  preprocessing: z.looseObject({ ...basePreprocessing, sliceSelection: keypointSelection }),
  output: z.looseObject({
    name: z.string().min(1),
    kind: z.literal('heatmap'),
    /** [batch, heatmaps, rows, cols]; rows x cols may differ from the input's (an output stride). */
    shape: z.tuple([batchDim, size, size, size]),
    channels: z.array(z.enum([...LEVELS, 'LEFT', 'RIGHT'])).min(1),
  }),
});

const roiSelection = z.discriminatedUnion('mode', [
  z.looseObject({ mode: z.literal('middle') }),
  z.looseObject({ mode: z.literal('offset-mm'), offsetMmByLevel: levelOffsets }),
  z.looseObject({ mode: z.literal('nearest-to-projected-point'), maxDistanceMm: z.number().positive().default(5) }),
]);

const classifierManifest = z.looseObject({
  ...common,
  kind: z.literal('classifier'),
  input: z.looseObject({
    name: z.string().min(1),
    /** [batch, ROI slots, slices, rows, cols]. */
    shape: z.tuple([batchDim, size, size, size, size]),
    variants: z.array(z.object({ rois: z.array(z.enum(ROI_KINDS)).min(1), conditions: z.array(z.enum(CONDITIONS)).min(1) })).min(1),
    /** A slot whose ROI is unavailable is fed zeros, as in training. */
    missingRoi: z.literal('zeros').default('zeros'),
    /** A sample none of whose ROIs is usable: `skip` leaves it out (its rows take the models that could grade them,
     *  else the prior); `zeros` runs it on an all-zero input, as the 9th-place seed does (its datasets return zero
     *  ROIs and every model grades every row), so an imported seed set combines exactly the seed's logits. */
    emptySample: z.enum(['skip', 'zeros']).default('skip'),
  }),
  preprocessing: z.looseObject({
    ...basePreprocessing,
    roiMm: z.number().positive(),
    rois: z.record(z.string(), z.looseObject({ series, sliceSelection: roiSelection, mirrored: z.boolean() })),
  }),
  output: z.looseObject({
    name: z.string().min(1),
    kind: z.literal('class-logits'),
    /** [batch, conditions x 3], condition-major. */
    shape: z.tuple([batchDim, size]),
    conditionCount: z.number().int().positive(),
    classes: z.array(z.enum(SEVERITIES)).length(3),
  }),
});

const manifestSchema = z.discriminatedUnion('kind', [keypointManifest, classifierManifest]);

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly (string | number)[];
}

export interface HeatmapLabel {
  readonly level: Level | undefined;
  readonly side: Side | undefined;
}

export interface KeypointModelSpec {
  readonly kind: 'keypoints';
  /** [batch, slices, rows, cols]. */
  readonly input: TensorSpec & { readonly slices: number; readonly rows: number; readonly cols: number };
  readonly view: ViewSpec;
  readonly output: TensorSpec & { readonly heatmaps: readonly HeatmapLabel[] };
}

export interface ClassifierVariant {
  /** Per input slot: the ROI kind and how to render it. */
  readonly slots: readonly { readonly kind: RoiKind; readonly view: ViewSpec }[];
  /** The conditions its logits grade, in output order. */
  readonly conditions: readonly Condition[];
}

export interface ClassifierModelSpec {
  readonly kind: 'classifier';
  /** [batch, slots, slices, rows, cols]. */
  readonly input: TensorSpec & { readonly slots: number; readonly slices: number; readonly rows: number; readonly cols: number };
  readonly variants: readonly ClassifierVariant[];
  readonly missingRoi: 'zeros';
  /** What happens to a sample with no usable ROI (manifest `input.emptySample`). */
  readonly emptySample: 'skip' | 'zeros';
  readonly roiMm: number;
  readonly output: TensorSpec & { readonly classes: readonly Severity[]; readonly conditionCount: number };
}

export type ModelSpec = KeypointModelSpec | ClassifierModelSpec;

export interface ModelManifest {
  readonly formatVersion: number;
  /** The manifest file's name without `.manifest.json` (e.g. `classifier-spinal-fold0`). */
  readonly name: string;
  readonly role: ModelRole;
  readonly fold: number | null;
  readonly architecture: string;
  readonly ensembleWeight: number;
  readonly onnxFile: string;
  readonly sha256: string;
  /** The trainer's check file (PyTorch output for a fixed input), when there is one. */
  readonly checkFile: string | undefined;
  readonly spec: ModelSpec;
  readonly provenance: Readonly<Record<string, unknown>>;
  readonly metrics: Readonly<Record<string, unknown>> | undefined;
  /** The JSON as read (what a registry stores). */
  readonly raw: unknown;
}

export type ManifestResult = { ok: true; manifest: ModelManifest } | { ok: false; issues: string[] };

function keypointSpec(m: z.infer<typeof keypointManifest>, issues: string[]): KeypointModelSpec | undefined {
  const role = ROLE_SPECS[m.role];
  if (role.stage !== 'keypoints') return void issues.push(`kind: ${m.role} is a classifier role`);
  if (m.input.series !== role.series) issues.push(`input.series: ${m.role} reads ${role.series}, got ${m.input.series}`);
  const sel = m.preprocessing.sliceSelection;
  const select: SliceSelect =
    sel.mode === 'middle'
      ? { mode: 'middle' }
      : sel.mode === 'offset-mm'
        ? { mode: 'offset-mm', offsetMm: { LEFT: sel.offsetMm.LEFT, RIGHT: sel.offsetMm.RIGHT } }
        : { mode: 'nearest-to-projection', maxDistanceMm: sel.maxDistanceMm };
  const perSide = role.samples.every((s) => s.side !== 'NONE');
  const perLevel = role.samples.every((s) => s.level !== undefined);
  if (select.mode === 'offset-mm' && !perSide)
    issues.push(`preprocessing.sliceSelection: offset-mm needs one run per side; ${m.role} has none`);
  if (select.mode === 'nearest-to-projection' && !perLevel)
    issues.push(`preprocessing.sliceSelection: ${sel.mode} needs one run per level; ${m.role} has none`);
  const channels = m.output.channels;
  if (channels.length !== m.output.shape[1]) issues.push(`output.channels: ${channels.length} labels for ${m.output.shape[1]} heatmaps`);
  channels.forEach((c, i) => {
    const isSide = c === 'LEFT' || c === 'RIGHT';
    if (isSide !== (role.heatmapsLocate === 'sides'))
      issues.push(`output.channels[${i}]: ${m.role} heatmaps locate ${role.heatmapsLocate}, got ${c}`);
  });
  if (new Set(channels).size !== channels.length) issues.push('output.channels: labels repeat');
  const [, slices, rows, cols] = m.input.shape;
  return {
    kind: 'keypoints',
    input: { name: m.input.name, shape: m.input.shape, slices, rows, cols },
    view: { series: m.input.series, side: perSide ? 'SAMPLE' : 'NONE', select, crop: 'full-slice', mirrored: false },
    output: {
      name: m.output.name,
      shape: m.output.shape,
      heatmaps: channels.map((c) => (c === 'LEFT' || c === 'RIGHT' ? { level: undefined, side: c } : { level: c, side: undefined })),
    },
  };
}

function roiView(
  kind: RoiKind,
  def: z.infer<typeof classifierManifest>['preprocessing']['rois'][string],
  at: string,
  issues: string[],
): ViewSpec {
  const { series, side } = ROI_KIND_SIDES[kind];
  if (def.series !== series) issues.push(`${at}.series: ROI kind ${kind} is cut from ${series}, got ${def.series}`);
  const sel = def.sliceSelection;
  const select: SliceSelect =
    sel.mode === 'middle'
      ? { mode: 'middle' }
      : sel.mode === 'offset-mm'
        ? { mode: 'offset-mm', offsetMm: { [side]: sel.offsetMmByLevel } }
        : { mode: 'nearest-to-projection', maxDistanceMm: sel.maxDistanceMm };
  return { series, side, select, crop: 'roi', mirrored: def.mirrored };
}

function classifierSpec(m: z.infer<typeof classifierManifest>, issues: string[]): ClassifierModelSpec | undefined {
  if (ROLE_SPECS[m.role].stage !== 'classifier') return void issues.push(`kind: ${m.role} is a keypoint role`);
  const [, slots, slices, rows, cols] = m.input.shape;
  const variants = m.input.variants.map((v, i): ClassifierVariant => {
    if (v.rois.length !== slots) issues.push(`input.variants[${i}].rois: ${v.rois.length} ROI kinds for ${slots} slots`);
    if (v.conditions.length !== m.output.conditionCount)
      issues.push(
        `input.variants[${i}].conditions: ${v.conditions.length} conditions, output.conditionCount is ${m.output.conditionCount}`,
      );
    return {
      slots: v.rois.map((kind) => {
        const def = m.preprocessing.rois[kind];
        if (!def) {
          issues.push(`preprocessing.rois.${kind}: ROI kind used by input.variants[${i}] is not defined`);
          return { kind, view: { ...ROI_KIND_SIDES[kind], select: { mode: 'middle' }, crop: 'roi', mirrored: false } };
        }
        return { kind, view: roiView(kind, def, `preprocessing.rois.${kind}`, issues) };
      }),
      conditions: v.conditions,
    };
  });
  const graded = variants.flatMap((v) => v.conditions);
  if (new Set(graded).size !== graded.length) issues.push('input.variants: a condition is graded by more than one variant');
  if (m.output.shape[1] !== m.output.conditionCount * 3)
    issues.push(
      `output.shape[1]: expected ${m.output.conditionCount * 3} logits (${m.output.conditionCount} conditions x 3 classes), got ${m.output.shape[1]}`,
    );
  if (new Set(m.output.classes).size !== 3) issues.push('output.classes: must list NORMAL_MILD, MODERATE and SEVERE once each');
  return {
    kind: 'classifier',
    input: { name: m.input.name, shape: m.input.shape, slots, slices, rows, cols },
    variants,
    missingRoi: m.input.missingRoi,
    emptySample: m.input.emptySample,
    roiMm: m.preprocessing.roiMm,
    output: { name: m.output.name, shape: m.output.shape, classes: m.output.classes, conditionCount: m.output.conditionCount },
  };
}

/** `name`: the model's name, by convention its manifest file name without `.manifest.json`. */
export function parseManifest(json: unknown, name: string): ManifestResult {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  const m = parsed.data;
  const issues: string[] = [];
  const spec = m.kind === 'keypoints' ? keypointSpec(m, issues) : classifierSpec(m, issues);
  if (!spec || issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    manifest: {
      formatVersion: m.formatVersion,
      name,
      role: m.role,
      fold: m.fold,
      architecture: m.architecture,
      ensembleWeight: m.ensembleWeight,
      onnxFile: m.onnx.file,
      sha256: m.onnx.sha256,
      checkFile: m.onnx.check,
      spec,
      provenance: m.provenance,
      metrics: m.metrics,
      raw: json,
    },
  };
}
