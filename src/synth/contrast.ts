// Tissue signal per pulse sequence, as fractions of the brightest tissue. T1: fat and marrow bright, CSF dark.
// T2 (fast spin echo): CSF and healthy nuclei bright, fat still fairly bright. STIR: like T2 with fat suppressed.
import { TISSUE, TISSUE_COUNT } from './tissue.js';
import type { Random } from './random.js';

export type Sequence = 'T1' | 'T2' | 'STIR';

type Signal = Readonly<Record<Exclude<keyof typeof TISSUE, 'NUCLEUS_FIRST'>, number>>;

const SIGNAL: Readonly<Record<Sequence, Signal>> = {
  T1: {
    AIR: 0,
    SUBCUTANEOUS_FAT: 0.95,
    MUSCLE: 0.33,
    VISCERA: 0.38,
    VESSEL: 0.05,
    MARROW: 0.68,
    CORTEX: 0.06,
    ANNULUS: 0.24,
    CSF: 0.12,
    NEURAL: 0.34,
    EPIDURAL_FAT: 0.88,
    LIGAMENT: 0.2,
    POSTERIOR_BONE: 0.62,
    FORAMEN_FAT: 0.9,
    FACET_FLUID: 0.28,
    PARASPINAL_FAT: 0.85,
  },
  T2: {
    AIR: 0,
    SUBCUTANEOUS_FAT: 0.72,
    MUSCLE: 0.2,
    VISCERA: 0.42,
    VESSEL: 0.05,
    MARROW: 0.45,
    CORTEX: 0.05,
    ANNULUS: 0.14,
    CSF: 1,
    NEURAL: 0.3,
    EPIDURAL_FAT: 0.66,
    LIGAMENT: 0.12,
    POSTERIOR_BONE: 0.4,
    FORAMEN_FAT: 0.68,
    FACET_FLUID: 0.7,
    PARASPINAL_FAT: 0.62,
  },
  STIR: {
    AIR: 0,
    SUBCUTANEOUS_FAT: 0.08,
    MUSCLE: 0.22,
    VISCERA: 0.45,
    VESSEL: 0.05,
    MARROW: 0.16,
    CORTEX: 0.04,
    ANNULUS: 0.16,
    CSF: 1,
    NEURAL: 0.35,
    EPIDURAL_FAT: 0.1,
    LIGAMENT: 0.12,
    POSTERIOR_BONE: 0.15,
    FORAMEN_FAT: 0.1,
    FACET_FLUID: 0.8,
    PARASPINAL_FAT: 0.09,
  },
};

/** Nucleus signal of a healthy and of a fully degenerated disc. */
const NUCLEUS: Readonly<Record<Sequence, readonly [number, number]>> = {
  T1: [0.36, 0.28],
  T2: [0.88, 0.3],
  STIR: [0.92, 0.32],
};

/**
 * Signal of every tissue id for one series. Each tissue is jittered per study (scanner and patient variation);
 * nucleus j gets the signal of its disc's degeneration.
 */
export function contrastTable(sequence: Sequence, nucleusDegeneration: Float64Array, rng: Random): Float32Array {
  const table = new Float32Array(TISSUE_COUNT);
  const signal = SIGNAL[sequence];
  for (const [name, value] of Object.entries(signal) as [keyof Signal, number][]) {
    table[TISSUE[name]] = value * rng.uniform(0.9, 1.1);
  }
  const [healthy, degenerated] = NUCLEUS[sequence];
  for (let j = 0; j < nucleusDegeneration.length; j++) {
    const d = nucleusDegeneration[j];
    table[TISSUE.NUCLEUS_FIRST + j] = (healthy + (degenerated - healthy) * d) * rng.uniform(0.93, 1.07);
  }
  return table;
}

/** Texture modulation per tissue: organs and muscle are heterogeneous, marrow mottled, fluids uniform. */
export function textureStrengths(): Float32Array {
  const strength = new Float32Array(TISSUE_COUNT).fill(0.04);
  strength[TISSUE.AIR] = 0;
  strength[TISSUE.VISCERA] = 0.35;
  strength[TISSUE.MUSCLE] = 0.15;
  strength[TISSUE.MARROW] = 0.12;
  strength[TISSUE.POSTERIOR_BONE] = 0.12;
  strength[TISSUE.SUBCUTANEOUS_FAT] = 0.06;
  strength[TISSUE.PARASPINAL_FAT] = 0.08;
  strength[TISSUE.CSF] = 0.02;
  return strength;
}
