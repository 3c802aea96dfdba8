// The model manifest: the JSON beside each .onnx that tells the pipeline everything about the model.
// src/inference/README.md documents it field by field.
import { z } from 'zod';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level, type Severity, type Side } from '../domain/vocabulary.js';
import { MODEL_ROLES, ROLE_SPECS, type ModelRole } from './roles.js';
import { VIEW_PRESET_NAMES, VIEW_PRESETS, type ViewSpec } from './view-presets.js';

export const MANIFEST_FORMAT_VERSION = 1;

/** The batch dimension must be dynamic: a symbolic name (e.g. "batch") or -1. */
const batchDim = z.union([z.string().min(1), z.literal(-1)]);
const size = z.number().int().positive();
const levelOffsets = z.record(z.enum(LEVELS), z.number());

const sliceSelect = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('middle') }),
  z.object({ mode: z.literal('offset-mm'), offsetMm: z.union([z.number(), levelOffsets]) }),
  z.object({ mode: z.literal('nearest-to-projection') }),
]);

const imageInput = z.object({
  name: z.string().min(1),
  kind: z.literal('image'),
  /** [batch, slices, rows, cols]: slices are the channels. */
  shape: z.tuple([batchDim, size, size, size]),
  channels: z.literal('slices').default('slices'),
  view: z.enum(VIEW_PRESET_NAMES).optional(),
  series: z.enum(['SAGITTAL_T1', 'SAGITTAL_T2_STIR', 'AXIAL_T2']).optional(),
  side: z.enum(['NONE', 'LEFT', 'RIGHT', 'SAMPLE']).optional(),
  select: sliceSelect.optional(),
  crop: z.enum(['full-slice', 'roi']).optional(),
  mirror: z.enum(['none', 'right-side']).optional(),
});

const levelOneHot = z.object({
  name: z.string().min(1),
  kind: z.literal('level-onehot'),
  shape: z.tuple([batchDim, z.literal(LEVELS.length)]),
});
/** [left, right]; a sample without a side is all zero. */
const sideOneHot = z.object({ name: z.string().min(1), kind: z.literal('side-onehot'), shape: z.tuple([batchDim, z.literal(2)]) });

const heatmapsOutput = z.object({
  name: z.string().min(1),
  kind: z.literal('heatmaps'),
  /** [batch, heatmaps, rows, cols]; rows x cols may differ from the input's (an output stride). */
  shape: z.tuple([batchDim, size, size, size]),
  /** What each heatmap locates: a level (sagittal models) or a side (axial model). */
  heatmaps: z.array(z.enum([...LEVELS, 'LEFT', 'RIGHT'])).min(1),
});

const logitsOutput = z.object({
  name: z.string().min(1),
  kind: z.literal('logits'),
  /** [batch, conditions x classes], condition-major. */
  shape: z.tuple([batchDim, size]),
  classes: z.array(z.enum(SEVERITIES)).length(3),
  /** Required for classifier-global; absent for split models (the sample decides the condition). */
  conditions: z.array(z.enum(CONDITIONS)).min(1).optional(),
});

const manifestSchema = z.object({
  formatVersion: z.literal(MANIFEST_FORMAT_VERSION),
  name: z.string().min(1),
  role: z.enum(MODEL_ROLES),
  /** The model file beside the manifest; default: the manifest's name with .onnx. */
  onnx: z.string().min(1).optional(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lowercase hex digits'),
  backbone: z.string().min(1),
  architecture: z.string().min(1).optional(),
  /** Cross-validation fold; null for a model trained on everything. */
  fold: z.number().int().nonnegative().nullable(),
  inputs: z.array(z.discriminatedUnion('kind', [imageInput, levelOneHot, sideOneHot])).min(1),
  outputs: z.array(z.discriminatedUnion('kind', [heatmapsOutput, logitsOutput])).length(1),
  preprocessing: z.object({
    interpolation: z.literal('bicubic'),
    normalisation: z.literal('zscore-stack'),
    /** Side of the square ROI, mm (classifiers). */
    roiMm: z.number().positive().optional(),
    /** An axial slice farther than this from the projected Sag T2 point is no match. */
    axialMatchMaxMm: z.number().positive().default(5),
  }),
  provenance: z.record(z.string(), z.unknown()).default({}),
});

type RawManifest = z.infer<typeof manifestSchema>;

export interface ImageInput {
  readonly kind: 'image';
  readonly name: string;
  readonly shape: readonly [string | number, number, number, number];
  readonly slices: number;
  readonly rows: number;
  readonly cols: number;
  readonly view: ViewSpec;
}
export interface OneHotInput {
  readonly kind: 'level-onehot' | 'side-onehot';
  readonly name: string;
  readonly shape: readonly [string | number, number];
}
export type ModelInput = ImageInput | OneHotInput;

export interface HeatmapLabel {
  readonly level: Level | undefined;
  readonly side: Side | undefined;
}
export interface HeatmapsOutput {
  readonly kind: 'heatmaps';
  readonly name: string;
  readonly shape: readonly [string | number, number, number, number];
  readonly heatmaps: readonly HeatmapLabel[];
}
export interface LogitsOutput {
  readonly kind: 'logits';
  readonly name: string;
  readonly shape: readonly [string | number, number];
  readonly classes: readonly Severity[];
  readonly conditions: readonly Condition[] | undefined;
}
export type ModelOutput = HeatmapsOutput | LogitsOutput;

export interface ModelManifest {
  readonly formatVersion: number;
  readonly name: string;
  readonly role: ModelRole;
  readonly onnx: string | undefined;
  readonly sha256: string;
  readonly backbone: string;
  readonly architecture: string | undefined;
  readonly fold: number | null;
  readonly inputs: readonly ModelInput[];
  readonly output: ModelOutput;
  readonly preprocessing: {
    readonly interpolation: 'bicubic';
    readonly normalisation: 'zscore-stack';
    readonly roiMm: number | undefined;
    readonly axialMatchMaxMm: number;
  };
  readonly provenance: Readonly<Record<string, unknown>>;
}

export type ManifestResult = { ok: true; manifest: ModelManifest } | { ok: false; issues: string[] };

function resolveView(input: z.infer<typeof imageInput>, at: string, issues: string[]): ViewSpec | undefined {
  const base: Partial<ViewSpec> = input.view ? VIEW_PRESETS[input.view] : {};
  const view = {
    series: input.series ?? base.series,
    side: input.side ?? base.side,
    select: input.select ?? base.select,
    crop: input.crop ?? base.crop,
    mirror: input.mirror ?? base.mirror ?? 'none',
  };
  const missing = (['series', 'side', 'select', 'crop'] as const).filter((k) => view[k] === undefined);
  if (missing.length > 0) {
    issues.push(`${at}: needs "view" or ${missing.map((m) => `"${m}"`).join(', ')}`);
    return undefined;
  }
  return view as ViewSpec;
}

function heatmapLabel(label: Level | 'LEFT' | 'RIGHT'): HeatmapLabel {
  return label === 'LEFT' || label === 'RIGHT' ? { level: undefined, side: label } : { level: label, side: undefined };
}

/** Checks that only make sense for the role: what it outputs and what its inputs may ask for. */
function roleIssues(m: RawManifest, inputs: readonly ModelInput[]): string[] {
  const issues: string[] = [];
  const spec = ROLE_SPECS[m.role];
  const out = m.outputs[0];
  const images = inputs.filter((i): i is ImageInput => i.kind === 'image');
  const samplesHaveLevels = spec.samples.every((s) => s.level !== undefined);
  const samplesHaveSides = spec.samples.every((s) => s.side !== 'NONE');
  if (images.length === 0) issues.push('inputs: at least one image input is needed');
  images.forEach((img) => {
    const at = `inputs[${inputs.indexOf(img)}]`;
    if (img.view.side === 'SAMPLE' && !samplesHaveSides) issues.push(`${at}.side: SAMPLE, but ${m.role} samples have no side`);
    if (img.view.select.mode === 'nearest-to-projection' && !samplesHaveLevels)
      issues.push(`${at}.select: nearest-to-projection needs per-level samples, ${m.role} has none`);
    if (img.view.select.mode === 'offset-mm' && typeof img.view.select.offsetMm !== 'number' && !samplesHaveLevels)
      issues.push(`${at}.select.offsetMm: per-level offsets need per-level samples`);
    if (spec.stage === 'keypoints' && img.view.crop !== 'full-slice') issues.push(`${at}.crop: keypoint models take full slices`);
    if (img.view.crop === 'roi' && m.preprocessing.roiMm === undefined) issues.push('preprocessing.roiMm: required by ROI inputs');
  });
  if (spec.stage === 'keypoints') {
    if (images.length !== 1) issues.push('inputs: a keypoint model takes exactly one image input');
    if (out.kind !== 'heatmaps') return [...issues, `outputs[0].kind: ${m.role} outputs heatmaps`];
    if (out.heatmaps.length !== out.shape[1])
      issues.push(`outputs[0].heatmaps: ${out.heatmaps.length} labels for ${out.shape[1]} heatmaps`);
    const wanted = samplesHaveLevels ? 'sides' : 'levels';
    out.heatmaps.forEach((h, i) => {
      const isSide = h === 'LEFT' || h === 'RIGHT';
      if (isSide !== (wanted === 'sides')) issues.push(`outputs[0].heatmaps[${i}]: ${m.role} heatmaps locate ${wanted}, got ${h}`);
    });
    if (new Set(out.heatmaps).size !== out.heatmaps.length) issues.push('outputs[0].heatmaps: labels repeat');
    return issues;
  }
  if (out.kind !== 'logits') return [...issues, `outputs[0].kind: ${m.role} outputs logits`];
  if (new Set(out.classes).size !== 3) issues.push('outputs[0].classes: must list NORMAL_MILD, MODERATE and SEVERE once each');
  if (spec.covers === 'from-manifest') {
    if (!out.conditions) issues.push(`outputs[0].conditions: required for ${m.role}`);
    else if (new Set(out.conditions).size !== out.conditions.length) issues.push('outputs[0].conditions: conditions repeat');
  } else if (out.conditions && (out.conditions.length !== 1 || !spec.covers.includes(out.conditions[0]))) {
    issues.push(`outputs[0].conditions: a ${m.role} model grades one of ${spec.covers.join(', ')} per sample`);
  }
  const conditionCount = spec.covers === 'from-manifest' ? (out.conditions?.length ?? 0) : 1;
  if (conditionCount > 0 && out.shape[1] !== conditionCount * 3)
    issues.push(
      `outputs[0].shape[1]: expected ${conditionCount * 3} logits (${conditionCount} conditions x 3 classes), got ${out.shape[1]}`,
    );
  return issues;
}

export function parseManifest(json: unknown): ManifestResult {
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`) };
  const m = parsed.data;
  const issues: string[] = [];
  const inputs: ModelInput[] = [];
  m.inputs.forEach((input, i) => {
    if (input.kind !== 'image') return void inputs.push({ kind: input.kind, name: input.name, shape: input.shape });
    const view = resolveView(input, `inputs[${i}]`, issues);
    if (view)
      inputs.push({
        kind: 'image',
        name: input.name,
        shape: input.shape,
        slices: input.shape[1],
        rows: input.shape[2],
        cols: input.shape[3],
        view,
      });
  });
  const names = m.inputs.map((i) => i.name);
  if (new Set(names).size !== names.length) issues.push('inputs: names repeat');
  if (issues.length === 0) issues.push(...roleIssues(m, inputs));
  if (issues.length > 0) return { ok: false, issues };
  const out = m.outputs[0];
  const output: ModelOutput =
    out.kind === 'heatmaps'
      ? { kind: 'heatmaps', name: out.name, shape: out.shape, heatmaps: out.heatmaps.map(heatmapLabel) }
      : { kind: 'logits', name: out.name, shape: out.shape, classes: out.classes, conditions: out.conditions };
  return {
    ok: true,
    manifest: {
      formatVersion: m.formatVersion,
      name: m.name,
      role: m.role,
      onnx: m.onnx,
      sha256: m.sha256,
      backbone: m.backbone,
      architecture: m.architecture,
      fold: m.fold,
      inputs,
      output,
      preprocessing: { ...m.preprocessing, roiMm: m.preprocessing.roiMm },
      provenance: m.provenance,
    },
  };
}
