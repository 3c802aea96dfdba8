// The stratifiers in SQL over `"Study" s`: one text expression per stratifier (NULL = the group "unknown"), the
// conditions of the StudyFilter's stratifier fields, and the condition of one group of a `groupBy`.
import { badInput } from '../domain/errors.js';
import { AGE_BANDS, UNKNOWN_STRATUM, type Stratifier } from '../domain/stratifiers.js';
import type { StudyFilterInput } from '../domain/study-filter.js';
import type { SqlBuilder } from './sql-builder.js';

/** The group value of a study as text; float8 prints 1.5 as '1.5' and 3 as '3', as fieldStrengthLabel does. */
export const STRATUM_SQL: Readonly<Record<Stratifier, string>> = {
  SEX: 's.sex',
  AGE_BAND: 's."ageBand"',
  MANUFACTURER: 's.manufacturer',
  FIELD_STRENGTH: 's."fieldStrength"::text',
};

/** `column` is one of `values`, where "unknown" (any case) stands for NULL. */
function anyOf(b: SqlBuilder, column: string, values: readonly string[]): string {
  const known = values.filter((v) => v.toLowerCase() !== UNKNOWN_STRATUM);
  const parts: string[] = [];
  if (known.length) parts.push(`${column} = ANY(${b.param(known)}::text[])`);
  if (known.length < values.length) parts.push(`${column} IS NULL`);
  return parts.length ? `(${parts.join(' OR ')})` : 'FALSE';
}

export function stratifierConditions(b: SqlBuilder, filter: StudyFilterInput): string[] {
  const parts: string[] = [];
  if (filter.sexes) parts.push(anyOf(b, STRATUM_SQL.SEX, filter.sexes));
  if (filter.ageBands) {
    const bad = filter.ageBands.find((a) => !AGE_BANDS.includes(a) && a.toLowerCase() !== UNKNOWN_STRATUM);
    if (bad !== undefined)
      throw badInput(`Age band "${bad}" is not one of 00-04, 05-09, ..., 85-89, 90+ or unknown`, { field: 'ageBands' });
    parts.push(anyOf(b, STRATUM_SQL.AGE_BAND, filter.ageBands));
  }
  if (filter.manufacturers) parts.push(anyOf(b, STRATUM_SQL.MANUFACTURER, filter.manufacturers));
  if (filter.fieldStrengths)
    parts.push(`s."fieldStrength" = ANY(${b.param(filter.fieldStrengths.map((t) => Math.round(t * 10) / 10))}::float8[])`);
  if (filter.sliceThicknessMin != null) parts.push(`s."sliceThickness" >= ${b.param(filter.sliceThicknessMin)}::float8`);
  if (filter.sliceThicknessMax != null) parts.push(`s."sliceThickness" <= ${b.param(filter.sliceThicknessMax)}::float8`);
  for (const { by, value } of filter.stratum ?? []) {
    parts.push(value === null ? `${STRATUM_SQL[by]} IS NULL` : `${STRATUM_SQL[by]} = ${b.param(value)}::text`);
  }
  return parts;
}
