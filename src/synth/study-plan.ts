// Everything about one synthetic study that is cheap to decide: its labels, phantom, acquisition geometry, series
// appearance, patient identity, UIDs and label coordinates. Rendering and writing files come after (study-files.ts).
// All draws come from streams keyed by (seed, study id), so a study is the same whichever worker plans it.
import { planAcquisition, type SeriesIds, type SeriesPlan } from './acquisition.js';
import { contrastTable, textureStrengths } from './contrast.js';
import { labelCoordinates, type LabelCoordinate } from './labels.js';
import { createPhantom, spineToPatient, type Phantom } from './phantom.js';
import { Random } from './random.js';
import type { BiasField, SeriesAppearance, TextureField } from './render.js';
import { drawStudyGrades, type SeverityOverrides, type StudyGrades } from './severity.js';
import { deterministicUid } from './uid.js';

export interface StudyRequest {
  readonly seed: number;
  readonly studyId: number;
  readonly seriesIds: SeriesIds;
  /** Rows and columns of every image. */
  readonly size: number;
  /** 1-based position in the dataset; names the synthetic patient. */
  readonly patientNumber: number;
  readonly overrides?: SeverityOverrides;
}

/** Identifying attributes written into the files, all synthetic; importers must strip them. */
export interface PatientIdentity {
  readonly patientName: string;
  readonly patientId: string;
  readonly birthDate: string;
  readonly sex: 'F' | 'M';
  readonly studyDate: string;
  readonly studyTime: string;
  readonly accessionNumber: string;
  readonly institutionName: string;
  readonly referringPhysicianName: string;
}

export interface StudyPlan {
  readonly request: StudyRequest;
  readonly grades: StudyGrades;
  readonly phantom: Phantom;
  readonly series: readonly SeriesPlan[];
  readonly appearance: ReadonlyMap<number, SeriesAppearance>;
  readonly identity: PatientIdentity;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly labelCoordinates: readonly LabelCoordinate[];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function drawIdentity(rng: Random, request: StudyRequest): PatientIdentity {
  const number = pad(request.patientNumber, 4);
  const year = rng.int(2019, 2023);
  return {
    patientName: `SYNTH^PATIENT^${number}`,
    patientId: `SYNTH-${request.studyId}`,
    birthDate: `${rng.int(1940, 1999)}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`,
    sex: rng.next() < 0.5 ? 'F' : 'M',
    studyDate: `${year}${pad(rng.int(1, 12), 2)}${pad(rng.int(1, 28), 2)}`,
    studyTime: `${pad(rng.int(7, 19), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`,
    accessionNumber: `SYN${pad(rng.int(0, 99999999), 8)}`,
    institutionName: 'SYNTHETIC GENERAL HOSPITAL',
    referringPhysicianName: `SYNTH^REFERRER^${pad(rng.int(1, 99), 2)}`,
  };
}

export function planStudy(request: StudyRequest): StudyPlan {
  const { seed, studyId } = request;
  const grades = drawStudyGrades(new Random(seed, studyId, 'grades'), request.overrides);
  const phantom = createPhantom(new Random(seed, studyId, 'anatomy'), grades);
  const series = planAcquisition(phantom, new Random(seed, studyId, 'acquisition'), request.size, request.seriesIds);

  const looks = new Random(seed, studyId, 'appearance');
  const studyScale = looks.uniform(1400, 2600);
  const anatomy = phantom.anatomy;
  // The receive coil lies under the patient's back: signal falls off anteriorly, with some tilt and curvature.
  const bias: BiasField = {
    centre: spineToPatient(phantom, 0, anatomy.posteriorWall, anatomy.discCentre[4]),
    gradient: [looks.uniform(-0.12, 0.12), looks.uniform(0.15, 0.4), looks.uniform(-0.12, 0.12)],
    curvature: looks.uniform(-0.2, -0.02),
  };
  // Heterogeneity: blobs of about 2.5 cm and 1 cm, shared by all series of the study.
  const texture: TextureField = {
    seed: looks.nextUint32(),
    octaves: [
      { cellMm: looks.uniform(20, 30), amplitude: looks.uniform(0.5, 0.8) },
      { cellMm: looks.uniform(9, 13), amplitude: looks.uniform(0.3, 0.5) },
    ],
  };
  const textureStrength = textureStrengths();
  const appearance = new Map<number, SeriesAppearance>();
  for (const plan of series) {
    appearance.set(plan.seriesId, {
      contrast: contrastTable(plan.sequence, anatomy.nucleusDegeneration, looks),
      textureStrength,
      intensityScale: studyScale * looks.uniform(0.8, 1.2),
      noise: looks.uniform(0.015, 0.04),
      bias,
      texture,
    });
  }
  return {
    request,
    grades,
    phantom,
    series,
    appearance,
    identity: drawIdentity(new Random(seed, studyId, 'identity'), request),
    studyInstanceUid: deterministicUid(seed, studyId, 'study'),
    frameOfReferenceUid: deterministicUid(seed, studyId, 'frame'),
    labelCoordinates: labelCoordinates(phantom, series),
  };
}
