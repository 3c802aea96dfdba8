// SeriesDescription is free text typed at the scanner: it can carry a name, a date of birth or a remark. It is
// stored only when every word of it is a protocol word from an allow-list (`SAG T2 STIR`, `Axial T2 FSE`); any
// other description is dropped (null), never truncated or edited into something that looks safe. The list is
// configurable (SERIES_DESCRIPTION_WORDS); an empty list drops every description.

/** Words of MR protocol names (planes; weightings; sequences; localisers, anatomy and joining words), any case. */
export const DEFAULT_DESCRIPTION_WORDS: readonly string[] = [
  'sagittal sag axial ax tra transverse coronal cor oblique obl mpr reformat mip',
  't1 t2 pd stir tirm flair dwi adc trace swi fs fatsat fat sat water dixon',
  'in opp phase w t1w t2w pdw gad gd post pre contrast c',
  'se tse fse frfse ssfse haste gre ffe tfe space cube vista blade propeller',
  'epi ir fl2d fl3d mprage vibe medic merge me de hr highres hi res thin',
  '2d 3d iso rst cs sense grappa asset nd norm dis2d dis3d',
  'loc localizer localiser scout survey plane tri lumbar l spine lspine ls lumbosacral',
  'sacrum sacral s1 l1 l2 l3 l4 l5 disc discs disk level levels whole total',
  'and to of with without wo',
].flatMap((group) => group.split(' '));

export function descriptionAllowList(words: readonly string[]): ReadonlySet<string> {
  return new Set(words.map((w) => w.trim().toLowerCase()).filter((w) => w.length > 0));
}

/** `description` when every word of it is on the list (numbers always are), else null. */
export function keptDescription(description: string | null | undefined, allowed: ReadonlySet<string>): string | null {
  if (!description) return null;
  const words = description
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
  if (words.length === 0) return null;
  return words.every((w) => /^[0-9]+$/.test(w) || allowed.has(w)) ? description.trim() : null;
}
