// The versioned request JSON that tells the trainer what to train (docs/training-format.md, section 1).
// Built and checked here so a bad request fails before a child process is started.
import { writeFile } from 'node:fs/promises';
import { TRAINING_CONFIGS, type TrainingConfig } from '../domain/training.js';
import { MODEL_ROLES, type ModelRole } from '../inference/index.js';

export const TRAINING_REQUEST_VERSION = 1;
/** spinegraph's torchvision backbones (configs tiny/small) and the seed's timm backbones (config full). */
export const CLASSIFIER_BACKBONES = ['resnet18', 'convnext_tiny', 'swin_t', 'swin_tiny_patch4_window7_224', 'convnext_nano'] as const;
export type ClassifierBackbone = (typeof CLASSIFIER_BACKBONES)[number];
export type PretrainedBackbone = 'resnet34' | ClassifierBackbone;

export interface TrainingRequest {
  readonly version: typeof TRAINING_REQUEST_VERSION;
  readonly outputDir: string;
  readonly config: TrainingConfig;
  readonly seed: number;
  readonly folds?: readonly number[];
  readonly roles?: readonly ModelRole[];
  readonly tensorIndex: string;
  readonly pretrained?: Readonly<Partial<Record<PretrainedBackbone, string>>>;
  readonly device: 'auto' | 'cpu' | 'cuda';
  readonly classifierBackbone?: ClassifierBackbone;
  readonly epochs?: number;
  readonly threads?: number;
}

export type TrainingRequestInput = Omit<TrainingRequest, 'version' | 'seed' | 'device'> & {
  readonly seed?: number;
  readonly device?: TrainingRequest['device'];
};

const isPositiveInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n > 0;

/** Validates and fills defaults; throws RangeError naming every problem. */
export function buildTrainingRequest(input: TrainingRequestInput): TrainingRequest {
  const problems: string[] = [];
  if (!TRAINING_CONFIGS.includes(input.config))
    problems.push(`config must be one of ${TRAINING_CONFIGS.join(', ')}, got ${String(input.config)}`);
  const seed = input.seed ?? 0;
  if (!Number.isInteger(seed) || seed < 0) problems.push(`seed must be a non-negative integer, got ${seed}`);
  if (!input.outputDir) problems.push('outputDir is required');
  if (!input.tensorIndex) problems.push('tensorIndex is required');
  if (input.folds !== undefined) {
    if (input.folds.length === 0) problems.push('folds, when given, must name at least one fold');
    if (input.folds.some((f) => !Number.isInteger(f) || f < 0))
      problems.push(`folds must be non-negative integers, got ${input.folds.join(', ')}`);
    if (new Set(input.folds).size !== input.folds.length) problems.push('folds must not repeat');
  }
  if (input.roles !== undefined) {
    if (input.roles.length === 0) problems.push('roles, when given, must name at least one role');
    for (const r of input.roles) if (!MODEL_ROLES.includes(r)) problems.push(`unknown role ${r}`);
  }
  if (input.epochs !== undefined && !isPositiveInt(input.epochs)) problems.push(`epochs must be a positive integer, got ${input.epochs}`);
  if (input.threads !== undefined && !isPositiveInt(input.threads))
    problems.push(`threads must be a positive integer, got ${input.threads}`);
  if (input.classifierBackbone !== undefined && !CLASSIFIER_BACKBONES.includes(input.classifierBackbone))
    problems.push(`classifierBackbone must be one of ${CLASSIFIER_BACKBONES.join(', ')}`);
  if (problems.length) throw new RangeError(`Invalid training request: ${problems.join('; ')}`);
  // Roles in the trainer's order (keypoints first), as it would sort them anyway; undefined fields are left out
  // because the trainer rejects unknown or null fields.
  const roles = input.roles ? MODEL_ROLES.filter((r) => input.roles!.includes(r)) : undefined;
  const request: TrainingRequest = {
    version: TRAINING_REQUEST_VERSION,
    outputDir: input.outputDir,
    config: input.config,
    seed,
    tensorIndex: input.tensorIndex,
    device: input.device ?? 'auto',
    ...(input.folds ? { folds: [...input.folds].sort((a, b) => a - b) } : {}),
    ...(roles ? { roles } : {}),
    ...(input.pretrained ? { pretrained: input.pretrained } : {}),
    ...(input.classifierBackbone ? { classifierBackbone: input.classifierBackbone } : {}),
    ...(input.epochs !== undefined ? { epochs: input.epochs } : {}),
    ...(input.threads !== undefined ? { threads: input.threads } : {}),
  };
  return request;
}

export async function writeTrainingRequest(path: string, request: TrainingRequest): Promise<void> {
  await writeFile(path, `${JSON.stringify(request, null, 2)}\n`);
}

/** The seed trains its Swin-T and ConvNeXt-nano classifiers on 224 px ROIs (Swin's window grid needs 224). */
export function layoutSizesFor(config: TrainingConfig, backbone?: ClassifierBackbone): { keypointSize: number; roiSize: number } {
  const sizes = CONFIG_LAYOUT_SIZES[config];
  return config === 'full' && (backbone === 'swin_tiny_patch4_window7_224' || backbone === 'convnext_nano')
    ? { ...sizes, roiSize: 224 }
    : sizes;
}

/** Input sizes the exporter renders for each config (docs/training-format.md, "Sizes per config"). */
export const CONFIG_LAYOUT_SIZES: Readonly<Record<TrainingConfig, { readonly keypointSize: number; readonly roiSize: number }>> = {
  tiny: { keypointSize: 64, roiSize: 32 },
  small: { keypointSize: 256, roiSize: 64 },
  full: { keypointSize: 512, roiSize: 128 },
};
