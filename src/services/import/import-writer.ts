// Bulk, idempotent writes of an import: one statement per table and batch (INSERT ... SELECT FROM unnest),
// ON CONFLICT on the natural keys, so importing again changes nothing and a crashed import can simply rerun.
import type { SqlExecutor } from '../../db/client.js';
import type { DicomStrata } from '../../dicom/index.js';
import type { CoordinateRow, LabelCsvRow } from './labels.js';

export interface StudyInsert {
  readonly externalId: string;
  readonly patientKey: string | null;
  readonly studyUidHash: string | null;
  readonly strata: DicomStrata | null;
}

export interface SeriesInsert {
  readonly studyId: string;
  readonly externalId: string;
  readonly seriesUidHash: string | null;
  readonly type: string;
  readonly description: string | null;
}

export interface InstanceInsert {
  readonly seriesId: string;
  readonly sopInstanceUid: string;
  readonly instanceNumber: number | null;
  readonly stackIndex: number;
  readonly sliceIndex: number;
  readonly storageUri: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly transferSyntaxUid: string;
  readonly rows: number;
  readonly columns: number;
  readonly numberOfFrames: number;
  readonly imagePositionPatient: readonly number[];
  readonly imageOrientationPatient: readonly number[];
  readonly pixelSpacing: readonly number[];
  readonly slicePosition: number;
}

const arrayLiteral = (values: readonly number[]): string => `{${values.join(',')}}`;

export async function upsertStudies(
  sql: SqlExecutor,
  projectId: string,
  studies: readonly StudyInsert[],
): Promise<{ ids: Map<string, string>; added: number }> {
  // The stratifiers of a study already stored are filled in when a later import brings them (never erased by one
  // that lacks them); xmax = 0 tells an inserted row from an updated one.
  const strata = <K extends keyof DicomStrata>(k: K): (DicomStrata[K] | null)[] => studies.map((s) => s.strata?.[k] ?? null);
  const written = await sql.query<{ inserted: boolean }>(
    `INSERT INTO "Study" (id, "projectId", "externalId", "patientKey", "studyUidHash", sex, "ageBand", manufacturer, "fieldStrength", "updatedAt")
     SELECT gen_random_uuid(), $1::uuid, e, p, h, sx, ab, mf, fs, now()
     FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::float8[]) AS t(e, p, h, sx, ab, mf, fs)
     ON CONFLICT ("projectId", "externalId") DO UPDATE SET
       sex = COALESCE(EXCLUDED.sex, "Study".sex), "ageBand" = COALESCE(EXCLUDED."ageBand", "Study"."ageBand"),
       manufacturer = COALESCE(EXCLUDED.manufacturer, "Study".manufacturer), "fieldStrength" = COALESCE(EXCLUDED."fieldStrength", "Study"."fieldStrength")
     WHERE ("Study".sex, "Study"."ageBand", "Study".manufacturer, "Study"."fieldStrength")
           IS DISTINCT FROM (COALESCE(EXCLUDED.sex, "Study".sex), COALESCE(EXCLUDED."ageBand", "Study"."ageBand"),
                             COALESCE(EXCLUDED.manufacturer, "Study".manufacturer), COALESCE(EXCLUDED."fieldStrength", "Study"."fieldStrength"))
     RETURNING (xmax = 0) AS inserted`,
    [
      projectId,
      studies.map((s) => s.externalId),
      studies.map((s) => s.patientKey),
      studies.map((s) => s.studyUidHash),
      strata('sex'),
      strata('ageBand'),
      strata('manufacturer'),
      strata('fieldStrength'),
    ],
  );
  const inserted = written.filter((r) => r.inserted);
  const rows = await sql.query<{ id: string; externalId: string }>(
    `SELECT id, "externalId" FROM "Study" WHERE "projectId" = $1::uuid AND "externalId" = ANY($2::text[])`,
    [projectId, studies.map((s) => s.externalId)],
  );
  return { ids: new Map(rows.map((r) => [r.externalId, r.id])), added: inserted.length };
}

export async function upsertSeries(
  sql: SqlExecutor,
  series: readonly SeriesInsert[],
): Promise<{ ids: Map<string, string>; added: number }> {
  const inserted = await sql.query<{ id: string }>(
    `INSERT INTO "Series" (id, "studyId", "externalId", "seriesUidHash", type, description, "pixelSpacing")
     SELECT gen_random_uuid(), s, e, h, t::"SeriesType", d, '{}' FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(s, e, h, t, d)
     ON CONFLICT ("studyId", "externalId") DO NOTHING RETURNING id`,
    [
      series.map((s) => s.studyId),
      series.map((s) => s.externalId),
      series.map((s) => s.seriesUidHash),
      series.map((s) => s.type),
      series.map((s) => s.description),
    ],
  );
  const rows = await sql.query<{ id: string; studyId: string; externalId: string }>(
    `SELECT id, "studyId", "externalId" FROM "Series" WHERE "studyId" = ANY($1::uuid[])`,
    [[...new Set(series.map((s) => s.studyId))]],
  );
  return { ids: new Map(rows.map((r) => [`${r.studyId}/${r.externalId}`, r.id])), added: inserted.length };
}

/** Inserts new instances and (re)writes the stack order of every given instance, new or already stored. */
export async function upsertInstances(sql: SqlExecutor, instances: readonly InstanceInsert[]): Promise<number> {
  if (instances.length === 0) return 0;
  const col = <K extends keyof InstanceInsert>(k: K): InstanceInsert[K][] => instances.map((i) => i[k]);
  const inserted = await sql.query<{ id: string }>(
    `INSERT INTO "Instance" (id, "seriesId", "sopInstanceUid", "instanceNumber", "stackIndex", "sliceIndex", "storageUri", "sizeBytes", sha256,
       "transferSyntaxUid", rows, columns, "numberOfFrames", "imagePositionPatient", "imageOrientationPatient", "pixelSpacing", "slicePosition")
     SELECT gen_random_uuid(), a, b, c, d, e, f, g, h, i, j, k, l, m::float8[], n::float8[], o::float8[], p
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::int[], $8::text[], $9::text[], $10::int[], $11::int[], $12::int[],
                 $13::text[], $14::text[], $15::text[], $16::float8[]) AS x(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p)
     ON CONFLICT ("seriesId", "sopInstanceUid") DO UPDATE SET "stackIndex" = EXCLUDED."stackIndex", "sliceIndex" = EXCLUDED."sliceIndex", "slicePosition" = EXCLUDED."slicePosition"
     RETURNING (xmax = 0) AS inserted`,
    [
      col('seriesId'),
      col('sopInstanceUid'),
      col('instanceNumber'),
      col('stackIndex'),
      col('sliceIndex'),
      col('storageUri'),
      col('sizeBytes'),
      col('sha256'),
      col('transferSyntaxUid'),
      col('rows'),
      col('columns'),
      col('numberOfFrames'),
      instances.map((i) => arrayLiteral(i.imagePositionPatient)),
      instances.map((i) => arrayLiteral(i.imageOrientationPatient)),
      instances.map((i) => arrayLiteral(i.pixelSpacing)),
      col('slicePosition'),
    ],
  );
  return inserted.filter((r) => (r as { inserted?: boolean }).inserted).length;
}

/** A study's slice thickness: the thinnest of its series (the sagittal stacks the pipeline reads, as a rule). */
export async function refreshStudySliceThickness(sql: SqlExecutor, studyIds: readonly string[]): Promise<void> {
  if (studyIds.length === 0) return;
  await sql.query(
    `UPDATE "Study" s SET "sliceThickness" = t.thickness
     FROM (SELECT se."studyId", min(se."sliceThickness") AS thickness FROM "Series" se WHERE se."studyId" = ANY($1::uuid[]) GROUP BY 1) t
     WHERE s.id = t."studyId" AND s."sliceThickness" IS DISTINCT FROM t.thickness`,
    [[...studyIds]],
  );
}

/** Series-level facts derived from its instances, recomputed after every import that touches the series. */
export async function refreshSeriesStats(
  sql: SqlExecutor,
  seriesIds: readonly string[],
  stats: ReadonlyMap<
    string,
    { orientation: string | null; sliceThickness: number | null; spacingBetweenSlices: number | null; stackCount: number }
  >,
): Promise<void> {
  if (seriesIds.length === 0) return;
  const ids = [...seriesIds];
  await sql.query(
    `UPDATE "Series" se SET
       "instanceCount" = agg.n, rows = agg.r, columns = agg.c,
       "pixelSpacing" = COALESCE((SELECT i."pixelSpacing" FROM "Instance" i WHERE i."seriesId" = se.id ORDER BY i."stackIndex", i."sliceIndex" LIMIT 1), '{}'),
       orientation = x.o::"Orientation", "sliceThickness" = x.st, "spacingBetweenSlices" = x.sb, "stackCount" = x.sc
     FROM (SELECT "seriesId", count(*)::int AS n, max(rows) AS r, max(columns) AS c
           FROM "Instance" WHERE "seriesId" = ANY($1::uuid[]) GROUP BY "seriesId") agg,
          unnest($1::uuid[], $2::text[], $3::float8[], $4::float8[], $5::int[]) AS x(id, o, st, sb, sc)
     WHERE se.id = agg."seriesId" AND se.id = x.id`,
    [
      ids,
      ids.map((id) => stats.get(id)?.orientation ?? null),
      ids.map((id) => stats.get(id)?.sliceThickness ?? null),
      ids.map((id) => stats.get(id)?.spacingBetweenSlices ?? null),
      ids.map((id) => stats.get(id)?.stackCount ?? 1),
    ],
  );
}

export async function upsertLabels(
  sql: SqlExecutor,
  studyIds: ReadonlyMap<string, string>,
  labels: readonly LabelCsvRow[],
): Promise<number> {
  const rows = labels.filter((l) => studyIds.has(l.studyExternalId));
  if (rows.length === 0) return 0;
  const result = await sql.query(
    `INSERT INTO "Label" (id, "studyId", condition, level, severity, source, "updatedAt")
     SELECT gen_random_uuid(), s, c::"Condition", l::"Level", v::"Severity", 'CSV', now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS x(s, c, l, v)
     ON CONFLICT ("studyId", condition, level) DO UPDATE SET severity = EXCLUDED.severity, "updatedAt" = now() WHERE "Label".severity <> EXCLUDED.severity
     RETURNING id`,
    [rows.map((r) => studyIds.get(r.studyExternalId)), rows.map((r) => r.condition), rows.map((r) => r.level), rows.map((r) => r.severity)],
  );
  return result.length;
}

export async function upsertCoordinates(
  sql: SqlExecutor,
  studyIds: ReadonlyMap<string, string>,
  seriesIds: ReadonlyMap<string, string>,
  coords: readonly CoordinateRow[],
): Promise<number> {
  const rows = coords
    .map((c) => {
      const studyId = studyIds.get(c.studyExternalId);
      const seriesId = studyId ? seriesIds.get(`${studyId}/${c.seriesExternalId}`) : undefined;
      return studyId && seriesId ? { ...c, studyId, seriesId } : null;
    })
    .filter((r): r is NonNullable<typeof r> => r !== null);
  if (rows.length === 0) return 0;
  const result = await sql.query(
    `INSERT INTO "LabelCoordinate" (id, "studyId", "seriesId", "instanceId", "instanceNumber", condition, level, x, y)
     SELECT gen_random_uuid(), s, se, (SELECT i.id FROM "Instance" i WHERE i."seriesId" = se AND i."instanceNumber" = n LIMIT 1), n, c::"Condition", l::"Level", x, y
     FROM unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::text[], $6::float8[], $7::float8[]) AS t(s, se, n, c, l, x, y)
     ON CONFLICT ("studyId", "seriesId", condition, level) DO UPDATE SET "instanceNumber" = EXCLUDED."instanceNumber", "instanceId" = EXCLUDED."instanceId", x = EXCLUDED.x, y = EXCLUDED.y
       WHERE ("LabelCoordinate".x, "LabelCoordinate".y, "LabelCoordinate"."instanceNumber") IS DISTINCT FROM (EXCLUDED.x, EXCLUDED.y, EXCLUDED."instanceNumber")
          OR "LabelCoordinate"."instanceId" IS DISTINCT FROM EXCLUDED."instanceId"
     RETURNING id`,
    [
      rows.map((r) => r.studyId),
      rows.map((r) => r.seriesId),
      rows.map((r) => r.instanceNumber),
      rows.map((r) => r.condition),
      rows.map((r) => r.level),
      rows.map((r) => r.x),
      rows.map((r) => r.y),
    ],
  );
  return result.length;
}
