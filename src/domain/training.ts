export const TRAINING_CONFIGS = ['tiny', 'small', 'full'] as const;
export type TrainingConfig = (typeof TRAINING_CONFIGS)[number];

export function isTrainingConfig(value: string): value is TrainingConfig {
  return (TRAINING_CONFIGS as readonly string[]).includes(value);
}
