// SR content items (PS3.3 C.17.3) as plain data, and their encoding as nested Content Sequence items.
import type { Code } from './sr-codes.js';
import { ds, type SrElement } from './dataset-writer.js';

export type Relationship = 'CONTAINS' | 'HAS CONCEPT MOD' | 'HAS OBS CONTEXT' | 'SELECTED FROM' | 'HAS PROPERTIES';

export interface ImageRef {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
}

export type ContentItem =
  | { readonly type: 'CONTAINER'; readonly rel: Relationship; readonly name: Code; readonly children: readonly ContentItem[] }
  | {
      readonly type: 'CODE';
      readonly rel: Relationship;
      readonly name: Code;
      readonly code: Code;
      readonly children?: readonly ContentItem[];
    }
  | { readonly type: 'TEXT'; readonly rel: Relationship; readonly name: Code; readonly text: string }
  | { readonly type: 'UIDREF'; readonly rel: Relationship; readonly name: Code; readonly uid: string }
  | { readonly type: 'NUM'; readonly rel: Relationship; readonly name: Code; readonly value: number; readonly unit: Code }
  | {
      readonly type: 'SCOORD';
      readonly rel: Relationship;
      readonly name: Code;
      readonly graphicType: 'POINT';
      readonly points: readonly number[];
      readonly image: ImageRef;
    }
  | { readonly type: 'IMAGE'; readonly rel: Relationship; readonly image: ImageRef };

export const T = {
  CodeValue: 0x00080100,
  CodingSchemeDesignator: 0x00080102,
  CodeMeaning: 0x00080104,
  ReferencedSOPClassUID: 0x00081150,
  ReferencedSOPInstanceUID: 0x00081155,
  ReferencedSOPSequence: 0x00081199,
  MeasurementUnitsCodeSequence: 0x004008ea,
  RelationshipType: 0x0040a010,
  ValueType: 0x0040a040,
  ConceptNameCodeSequence: 0x0040a043,
  ContinuityOfContent: 0x0040a050,
  UID: 0x0040a124,
  TextValue: 0x0040a160,
  ConceptCodeSequence: 0x0040a168,
  MeasuredValueSequence: 0x0040a300,
  NumericValue: 0x0040a30a,
  ContentSequence: 0x0040a730,
  GraphicData: 0x00700022,
  GraphicType: 0x00700023,
} as const;

export function codeItem(code: Code): SrElement[] {
  return [
    { tag: T.CodeValue, vr: 'SH', value: code.value },
    { tag: T.CodingSchemeDesignator, vr: 'SH', value: code.scheme },
    { tag: T.CodeMeaning, vr: 'LO', value: code.meaning },
  ];
}

export const codeSequence = (tag: number, code: Code): SrElement => ({ tag, vr: 'SQ', items: [codeItem(code)] });

function imageReference(image: ImageRef): SrElement {
  return {
    tag: T.ReferencedSOPSequence,
    vr: 'SQ',
    items: [
      [
        { tag: T.ReferencedSOPClassUID, vr: 'UI', value: image.sopClassUid },
        { tag: T.ReferencedSOPInstanceUID, vr: 'UI', value: image.sopInstanceUid },
      ],
    ],
  };
}

/** The elements of one content item (without its Relationship Type at the root, which has none). */
export function contentElements(item: ContentItem): SrElement[] {
  const out: SrElement[] = [
    { tag: T.RelationshipType, vr: 'CS', value: item.rel },
    { tag: T.ValueType, vr: 'CS', value: item.type },
  ];
  if (item.type !== 'IMAGE') out.push(codeSequence(T.ConceptNameCodeSequence, item.name));
  switch (item.type) {
    case 'CONTAINER':
      out.push({ tag: T.ContinuityOfContent, vr: 'CS', value: 'SEPARATE' });
      out.push(contentSequence(item.children));
      break;
    case 'CODE':
      out.push(codeSequence(T.ConceptCodeSequence, item.code));
      if (item.children?.length) out.push(contentSequence(item.children));
      break;
    case 'TEXT':
      out.push({ tag: T.TextValue, vr: 'UT', value: item.text });
      break;
    case 'UIDREF':
      out.push({ tag: T.UID, vr: 'UI', value: item.uid });
      break;
    case 'NUM':
      out.push({
        tag: T.MeasuredValueSequence,
        vr: 'SQ',
        items: [[codeSequence(T.MeasurementUnitsCodeSequence, item.unit), { tag: T.NumericValue, vr: 'DS', value: ds(item.value) }]],
      });
      break;
    case 'SCOORD':
      out.push({ tag: T.GraphicData, vr: 'FL', value: item.points });
      out.push({ tag: T.GraphicType, vr: 'CS', value: item.graphicType });
      out.push(contentSequence([{ type: 'IMAGE', rel: 'SELECTED FROM', image: item.image }]));
      break;
    case 'IMAGE':
      out.push(imageReference(item.image));
      break;
  }
  return out;
}

export function contentSequence(children: readonly ContentItem[]): SrElement {
  return { tag: T.ContentSequence, vr: 'SQ', items: children.map(contentElements) };
}
