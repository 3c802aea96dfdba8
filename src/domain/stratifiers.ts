// Non-identifying attributes a cohort can be split by, and the reductions that make them so: the exact age becomes a
// 5-year band with 90 and over collapsed into one (HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(C)); the free-text
// Manufacturer becomes one of a few vendor names; the field strength is rounded to 0.1 T. Exact age and birth date
// are never stored: the parser hands on the band only.

export const STRATIFIERS = ['SEX', 'AGE_BAND', 'MANUFACTURER', 'FIELD_STRENGTH'] as const;
export type Stratifier = (typeof STRATIFIERS)[number];

export const SEXES = ['F', 'M', 'O'] as const;
export type Sex = (typeof SEXES)[number];

/** The group of studies that lack the attribute (imported before it was captured, or the tag was absent). */
export const UNKNOWN_STRATUM = 'unknown';

/** "00-04", "05-09", ..., "85-89", "90+": zero-padded so they sort as text. */
export const AGE_BANDS: readonly string[] = [
  ...Array.from({ length: 18 }, (_, i) => `${String(i * 5).padStart(2, '0')}-${String(i * 5 + 4).padStart(2, '0')}`),
  '90+',
];

export const MANUFACTURERS = ['SIEMENS', 'GE', 'PHILIPS', 'CANON', 'HITACHI', 'ESAOTE', 'UNITED_IMAGING', 'OTHER'] as const;
export type Manufacturer = (typeof MANUFACTURERS)[number];

/** DICOM PatientSex (CS): M, F or O; anything else is unknown. */
export function sexOf(value: string | undefined): Sex | null {
  const v = value?.trim().toUpperCase();
  return v === 'F' || v === 'M' || v === 'O' ? v : null;
}

/** The 5-year band of a DICOM Age String (nnnD, nnnW, nnnM, nnnY); null when malformed. */
export function ageBandOf(ageString: string | undefined): string | null {
  const m = /^(\d{1,3})\s*([DWMY])$/i.exec(ageString?.trim() ?? '');
  if (!m) return null;
  const n = Number(m[1]);
  const years = m[2].toUpperCase() === 'Y' ? n : m[2].toUpperCase() === 'M' ? n / 12 : m[2].toUpperCase() === 'W' ? n / 52.18 : n / 365.25;
  return ageBandOfYears(Math.floor(years));
}

export function ageBandOfYears(years: number): string | null {
  if (!Number.isFinite(years) || years < 0 || years > 150) return null;
  return years >= 90 ? '90+' : AGE_BANDS[Math.floor(years / 5)];
}

const VENDOR_PATTERNS: readonly (readonly [RegExp, Manufacturer])[] = [
  [/siemens/i, 'SIEMENS'],
  [/^\s*ge\b|general electric|ge medical|ge healthcare/i, 'GE'],
  [/philips/i, 'PHILIPS'],
  [/canon|toshiba/i, 'CANON'],
  [/hitachi|fujifilm/i, 'HITACHI'],
  [/esaote/i, 'ESAOTE'],
  [/united imaging|\buih\b/i, 'UNITED_IMAGING'],
];

/** The vendor of a DICOM Manufacturer value; free text never reaches the database as it is. */
export function manufacturerOf(value: string | undefined): Manufacturer | null {
  const v = value?.trim();
  if (!v) return null;
  return VENDOR_PATTERNS.find(([pattern]) => pattern.test(v))?.[1] ?? 'OTHER';
}

/** MagneticFieldStrength in tesla, rounded to 0.1 T; values above 100 are taken for gauss (older scanners). */
export function fieldStrengthOf(value: number | undefined): number | null {
  if (value === undefined || !Number.isFinite(value) || value <= 0) return null;
  const tesla = value > 100 ? value / 10_000 : value;
  return tesla > 20 ? null : Math.round(tesla * 10) / 10;
}

/** A field strength as its group value: "1.5", "3". */
export function fieldStrengthLabel(tesla: number): string {
  return String(Math.round(tesla * 10) / 10);
}
