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
  /** DICOM Age String at the study date, e.g. "062Y" (the importer keeps only its 5-year band). */
  readonly age: string;
  readonly studyDate: string;
  readonly studyTime: string;
  readonly accessionNumber: string;
  readonly institutionName: string;
  readonly referringPhysicianName: string;
}

/** The scanner of the study: realistic vendor names as scanners write them, and field strengths in tesla. */
export interface ScannerIdentity {
  readonly manufacturer: string;
  readonly fieldStrength: number;
}

export interface StudyPlan {
  readonly request: StudyRequest;
  readonly grades: StudyGrades;
  readonly phantom: Phantom;
  readonly series: readonly SeriesPlan[];
  readonly appearance: ReadonlyMap<number, SeriesAppearance>;
  readonly identity: PatientIdentity;
  readonly scanner: ScannerIdentity;
  readonly studyInstanceUid: string;
  readonly frameOfReferenceUid: string;
  readonly labelCoordinates: readonly LabelCoordinate[];
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

function drawIdentity(rng: Random, request: StudyRequest): PatientIdentity {
  const number = pad(request.patientNumber, 4);
  const year = rng.int(2019, 2023);
  const birth = { year: rng.int(1940, 1999), month: rng.int(1, 12), day: rng.int(1, 28) };
  const sex = rng.next() < 0.5 ? 'F' : 'M';
  const study = { month: rng.int(1, 12), day: rng.int(1, 28) };
  const studyTime = `${pad(rng.int(7, 19), 2)}${pad(rng.int(0, 59), 2)}${pad(rng.int(0, 59), 2)}`;
  const accessionNumber = `SYN${pad(rng.int(0, 99999999), 8)}`;
  const referringPhysicianName = `SYNTH^REFERRER^${pad(rng.int(1, 99), 2)}`;
  const birthdayPassed = study.month > birth.month || (study.month === birth.month && study.day >= birth.day);
  const age = year - birth.year - (birthdayPassed ? 0 : 1);
  return {
    patientName: `SYNTH^PATIENT^${number}`,
    patientId: `SYNTH-${request.studyId}`,
    birthDate: `${birth.year}${pad(birth.month, 2)}${pad(birth.day, 2)}`,
    sex,
    age: `${pad(age, 3)}Y`,
    studyDate: `${year}${pad(study.month, 2)}${pad(study.day, 2)}`,
    studyTime,
    accessionNumber,
    institutionName: 'SYNTHETIC GENERAL HOSPITAL',
    referringPhysicianName,
  };
}

/** Vendors as their scanners spell Manufacturer, weighted roughly like an MR fleet, with the field strengths they sell. */
const SCANNERS: readonly { readonly manufacturer: string; readonly weight: number; readonly strengths: readonly number[] }[] = [
  { manufacturer: 'SIEMENS', weight: 0.4, strengths: [1.5, 3] },
  { manufacturer: 'GE MEDICAL SYSTEMS', weight: 0.3, strengths: [1.5, 3] },
  { manufacturer: 'Philips Medical Systems', weight: 0.2, strengths: [1.5, 3] },
  { manufacturer: 'TOSHIBA', weight: 0.07, strengths: [1.5] },
  { manufacturer: 'Hitachi Medical Corporation', weight: 0.03, strengths: [0.3, 1.2] },
];

function drawScanner(rng: Random): ScannerIdentity {
  let u = rng.next();
  const scanner = SCANNERS.find((s) => (u -= s.weight) < 0) ?? SCANNERS[0];
  // 1.5 T is still the more common field strength in spine imaging.
  const strength = scanner.strengths.length > 1 && rng.next() < 0.35 ? scanner.strengths[1] : scanner.strengths[0];
  return { manufacturer: scanner.manufacturer, fieldStrength: strength };
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
    scanner: drawScanner(new Random(seed, studyId, 'scanner')),
    studyInstanceUid: deterministicUid(seed, studyId, 'study'),
    frameOfReferenceUid: deterministicUid(seed, studyId, 'frame'),
    labelCoordinates: labelCoordinates(phantom, series),
  };
}
