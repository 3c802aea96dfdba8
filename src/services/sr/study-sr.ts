// One study's results as a DICOM Comprehensive SR in the shape of TID 1500 (Measurement Report): per condition
// and level a measurement group with the finding, its site (and laterality), the graded severity as a coded
// concept, the three class probabilities as numeric measurements, the model set as algorithm identification,
// and the model's keypoints for that level as SCOORD points on the images they were found on.
import { createHash } from 'node:crypto';
import type { Condition, Level, Severity } from '../../domain/vocabulary.js';
import { SPINEGRAPH_VERSION } from '../../version.js';
import { encodePart10, type SrElement } from './dataset-writer.js';
import { CODES, CONDITION_CODES, LOCAL_SCHEME, CONDITION_SIDE, LEVEL_CODES, PROBABILITY_CODES, SEVERITY_CODES } from './sr-codes.js';
import { codeSequence, contentSequence, T, type ContentItem, type ImageRef } from './sr-content.js';

export const COMPREHENSIVE_SR = '1.2.840.10008.5.1.4.1.1.88.33';

export interface SrPrediction {
  readonly condition: Condition;
  readonly level: Level;
  readonly normalMild: number;
  readonly moderate: number;
  readonly severe: number;
  readonly severity: Severity;
}

export interface SrKeypoint {
  readonly level: Level;
  readonly side: 'NONE' | 'LEFT' | 'RIGHT';
  /** The series type the keypoint was found on: which conditions it belongs to. */
  readonly seriesType: string;
  readonly pixelX: number;
  readonly pixelY: number;
  readonly seriesUid: string;
  readonly image: ImageRef;
}

export interface StudySrInput {
  readonly studyKey: string;
  readonly studyInstanceUid: string;
  readonly modelSet: { readonly id: string; readonly name: string; readonly contentHash: string };
  readonly predictions: readonly SrPrediction[];
  readonly keypoints: readonly SrKeypoint[];
  /** True when the UIDs are the source's originals (linkage); false when they are spinegraph's pseudonyms. */
  readonly linked: boolean;
  /** What makes this SR's content differ from an earlier one (e.g. the latest prediction time): part of its UID. */
  readonly revision: string;
  readonly createdAt: Date;
}

export interface StudySr {
  readonly bytes: Buffer;
  readonly sopInstanceUid: string;
  readonly seriesInstanceUid: string;
  readonly studyInstanceUid: string;
}

/** A deterministic UID under 2.25 (UUID-derived root) from a name: the same content gives the same UID. */
export function uidFromName(name: string): string {
  const digest = createHash('sha256').update(`spinegraph-sr:${name}`).digest();
  digest[6] = (digest[6] & 0x0f) | 0x50; // a name-based UUID (version 5 layout)
  digest[8] = (digest[8] & 0x3f) | 0x80;
  return `2.25.${BigInt(`0x${digest.subarray(0, 16).toString('hex')}`).toString(10)}`;
}

/** Which series a condition is read on (the 9th-place pipeline's roles). */
const CONDITION_SERIES: Readonly<Record<Condition, string>> = {
  SPINAL_CANAL_STENOSIS: 'SAGITTAL_T2_STIR',
  LEFT_NEURAL_FORAMINAL_NARROWING: 'SAGITTAL_T1',
  RIGHT_NEURAL_FORAMINAL_NARROWING: 'SAGITTAL_T1',
  LEFT_SUBARTICULAR_STENOSIS: 'AXIAL_T2',
  RIGHT_SUBARTICULAR_STENOSIS: 'AXIAL_T2',
};

const dicomDate = (d: Date): string => d.toISOString().slice(0, 10).replace(/-/g, '');
const dicomTime = (d: Date): string => d.toISOString().slice(11, 19).replace(/:/g, '');

function group(input: StudySrInput, p: SrPrediction, sopInstanceUid: string): ContentItem {
  const side = CONDITION_SIDE[p.condition];
  const site: ContentItem = {
    type: 'CODE',
    rel: 'HAS CONCEPT MOD',
    name: CODES.findingSite,
    code: LEVEL_CODES[p.level],
    children:
      side === 'NONE'
        ? []
        : [{ type: 'CODE', rel: 'HAS CONCEPT MOD', name: CODES.laterality, code: side === 'LEFT' ? CODES.left : CODES.right }],
  };
  const points = input.keypoints.filter(
    (k) =>
      k.level === p.level && k.seriesType === CONDITION_SERIES[p.condition] && (side === 'NONE' || k.side === side || k.side === 'NONE'),
  );
  return {
    type: 'CONTAINER',
    rel: 'CONTAINS',
    name: CODES.measurementGroup,
    children: [
      { type: 'TEXT', rel: 'HAS OBS CONTEXT', name: CODES.trackingIdentifier, text: `${p.condition} ${p.level}` },
      {
        type: 'UIDREF',
        rel: 'HAS OBS CONTEXT',
        name: CODES.trackingUniqueIdentifier,
        uid: uidFromName(`${sopInstanceUid}:${p.condition}:${p.level}`),
      },
      { type: 'CODE', rel: 'CONTAINS', name: CODES.finding, code: CONDITION_CODES[p.condition] },
      site,
      { type: 'TEXT', rel: 'HAS CONCEPT MOD', name: CODES.algorithmName, text: input.modelSet.name },
      { type: 'TEXT', rel: 'HAS CONCEPT MOD', name: CODES.algorithmVersion, text: `sha256:${input.modelSet.contentHash}` },
      { type: 'CODE', rel: 'CONTAINS', name: CODES.severity, code: SEVERITY_CODES[p.severity] },
      { type: 'NUM', rel: 'CONTAINS', name: PROBABILITY_CODES.NORMAL_MILD, value: p.normalMild, unit: CODES.noUnits },
      { type: 'NUM', rel: 'CONTAINS', name: PROBABILITY_CODES.MODERATE, value: p.moderate, unit: CODES.noUnits },
      { type: 'NUM', rel: 'CONTAINS', name: PROBABILITY_CODES.SEVERE, value: p.severe, unit: CODES.noUnits },
      ...points.map((k): ContentItem => ({
        type: 'SCOORD',
        rel: 'CONTAINS',
        name: CODES.imageRegion,
        graphicType: 'POINT',
        points: [k.pixelX, k.pixelY],
        image: k.image,
      })),
    ],
  };
}

export function buildStudySr(input: StudySrInput): StudySr {
  const sopInstanceUid = uidFromName(`sr:${input.studyKey}:${input.modelSet.id}:${input.revision}:${input.linked}`);
  const seriesInstanceUid = uidFromName(`sr-series:${input.studyKey}:${input.modelSet.id}:${input.linked}`);
  const now = input.createdAt;
  const note = input.linked
    ? "UIDs in this report are the source archive's original UIDs (linkage enabled by the operator)."
    : 'UIDs in this report are pseudonyms assigned by spinegraph; they do not match the UIDs of the source archive.';
  const observer: ContentItem[] = [
    { type: 'CODE', rel: 'HAS OBS CONTEXT', name: CODES.observerType, code: CODES.device },
    { type: 'UIDREF', rel: 'HAS OBS CONTEXT', name: CODES.deviceObserverUid, uid: uidFromName(`model-set:${input.modelSet.id}`) },
    { type: 'TEXT', rel: 'HAS OBS CONTEXT', name: CODES.deviceObserverName, text: 'spinegraph' },
    { type: 'TEXT', rel: 'HAS OBS CONTEXT', name: CODES.deviceObserverModelName, text: input.modelSet.name },
  ];
  const groups = [...input.predictions]
    .sort((a, b) => a.condition.localeCompare(b.condition) || a.level.localeCompare(b.level))
    .map((p) => group(input, p, sopInstanceUid));
  const evidence = new Map<string, Map<string, ImageRef>>();
  for (const k of input.keypoints) {
    const series = evidence.get(k.seriesUid) ?? new Map<string, ImageRef>();
    series.set(k.image.sopInstanceUid, k.image);
    evidence.set(k.seriesUid, series);
  }
  const dataset: SrElement[] = [
    // The default repertoire unless a text (the model set's name) needs UTF-8.
    ...(/^[\x20-\x7e]*$/.test(input.modelSet.name) ? [] : [{ tag: 0x00080005, vr: 'CS', value: 'ISO_IR 192' } as const]),
    {
      tag: 0x00080110,
      vr: 'SQ',
      items: [
        [
          { tag: 0x00080102, vr: 'SH', value: LOCAL_SCHEME },
          { tag: 0x00080115, vr: 'ST', value: 'spinegraph local codes (docs/dicom-sr.md)' },
          { tag: 0x00080116, vr: 'ST', value: 'spinegraph' },
        ],
      ],
    },
    { tag: 0x00080012, vr: 'DA', value: dicomDate(now) },
    { tag: 0x00080013, vr: 'TM', value: dicomTime(now) },
    { tag: 0x00080016, vr: 'UI', value: COMPREHENSIVE_SR },
    { tag: 0x00080018, vr: 'UI', value: sopInstanceUid },
    { tag: 0x00080020, vr: 'DA', value: '' },
    { tag: 0x00080023, vr: 'DA', value: dicomDate(now) },
    { tag: 0x00080030, vr: 'TM', value: '' },
    { tag: 0x00080033, vr: 'TM', value: dicomTime(now) },
    { tag: 0x00080050, vr: 'SH', value: '' },
    { tag: 0x00080060, vr: 'CS', value: 'SR' },
    { tag: 0x00080070, vr: 'LO', value: 'spinegraph' },
    { tag: 0x00080090, vr: 'PN', value: '' },
    { tag: 0x0008103e, vr: 'LO', value: 'spinegraph lumbar spine severity' },
    { tag: 0x00081090, vr: 'LO', value: 'spinegraph' },
    { tag: 0x00081111, vr: 'SQ', items: [] },
    { tag: 0x00100010, vr: 'PN', value: '' },
    { tag: 0x00100020, vr: 'LO', value: '' },
    { tag: 0x00100030, vr: 'DA', value: '' },
    { tag: 0x00100040, vr: 'CS', value: '' },
    { tag: 0x00181020, vr: 'LO', value: `spinegraph ${SPINEGRAPH_VERSION}` },
    { tag: 0x0020000d, vr: 'UI', value: input.studyInstanceUid },
    { tag: 0x0020000e, vr: 'UI', value: seriesInstanceUid },
    { tag: 0x00200010, vr: 'SH', value: '' },
    { tag: 0x00200011, vr: 'IS', value: '9901' },
    { tag: 0x00200013, vr: 'IS', value: '1' },
    { tag: T.ValueType, vr: 'CS', value: 'CONTAINER' },
    codeSequence(T.ConceptNameCodeSequence, CODES.imagingMeasurementReport),
    { tag: T.ContinuityOfContent, vr: 'CS', value: 'SEPARATE' },
    { tag: 0x0040a372, vr: 'SQ', items: [] },
    {
      tag: 0x0040a375,
      vr: 'SQ',
      items: evidence.size
        ? [
            [
              { tag: 0x0020000d, vr: 'UI', value: input.studyInstanceUid },
              {
                tag: 0x00081115,
                vr: 'SQ',
                items: [...evidence].map(([seriesUid, images]) => [
                  { tag: 0x0020000e, vr: 'UI', value: seriesUid },
                  {
                    tag: T.ReferencedSOPSequence,
                    vr: 'SQ',
                    items: [...images.values()].map((i) => [
                      { tag: T.ReferencedSOPClassUID, vr: 'UI', value: i.sopClassUid },
                      { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: i.sopInstanceUid },
                    ]),
                  },
                ]),
              },
            ],
          ]
        : [],
    },
    { tag: 0x0040a491, vr: 'CS', value: 'COMPLETE' },
    { tag: 0x0040a493, vr: 'CS', value: 'UNVERIFIED' },
    {
      tag: 0x0040a504,
      vr: 'SQ',
      items: [
        [
          { tag: 0x00080105, vr: 'CS', value: 'DCMR' },
          { tag: 0x0040db00, vr: 'CS', value: '1500' },
        ],
      ],
    },
    contentSequence([
      ...observer,
      { type: 'TEXT', rel: 'CONTAINS', name: CODES.comment, text: note },
      { type: 'CONTAINER', rel: 'CONTAINS', name: CODES.imagingMeasurements, children: groups },
    ]),
  ];
  return {
    bytes: encodePart10(COMPREHENSIVE_SR, sopInstanceUid, dataset),
    sopInstanceUid,
    seriesInstanceUid,
    studyInstanceUid: input.studyInstanceUid,
  };
}
