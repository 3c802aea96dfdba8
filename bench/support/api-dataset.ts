// The API benchmark's database: N studies with three series, 25 labels and 25 predictions each, written by a few
// INSERT ... SELECT statements (generate_series, unnest) on one connection seeded with setseed, so a run is
// reproducible and 1,000,000 rows take seconds, not minutes. Labels follow the RSNA prevalence the synthetic cohort
// uses; predictions agree with the label most of the time, their probabilities sum to 1 and severity is their argmax.
import pg from 'pg';
import { PREVALENCE } from '../../src/synth/index.js';
import { CONDITION_INFO, CONDITIONS, LEVELS } from '../../src/domain/vocabulary.js';

export interface ApiDatasetOptions {
  readonly studies: number;
  /** setseed() argument in [-1, 1]. */
  readonly seed: number;
  /** Fraction of predictions whose leading class is the label's severity (the rest follow prevalence). */
  readonly agreement: number;
}

export interface ApiDataset {
  readonly projectId: string;
  readonly modelSetId: string;
  readonly studies: number;
  readonly series: number;
  readonly labels: number;
  readonly predictions: number;
  /** Severity -> count, over labels and over predictions. */
  readonly labelSeverities: Record<string, number>;
  readonly predictedSeverities: Record<string, number>;
  readonly generateMs: number;
}

/** Series every study gets: RSNA's three, with typical acquisition values. */
const SERIES = `(VALUES
  (1, 'SAGITTAL_T1', 'Sagittal T1', 'SAGITTAL', 4.0, 4.4, 17),
  (2, 'SAGITTAL_T2_STIR', 'Sagittal T2/STIR', 'SAGITTAL', 4.0, 4.4, 17),
  (3, 'AXIAL_T2', 'Axial T2', 'AXIAL', 4.0, 4.0, 40)
) AS t(n, type, description, orientation, thickness, spacing, instances)`;

/** Prevalence per (condition, level) as a relation: the label draw thresholds. */
const PREVALENCE_ROWS = `unnest($1::"Condition"[], $2::"Level"[], $3::float8[], $4::float8[]) AS p(condition, level, pnm, pmo)`;

function prevalenceParams(): [string[], string[], number[], number[]] {
  const conditions: string[] = [];
  const levels: string[] = [];
  const normalMild: number[] = [];
  const moderate: number[] = [];
  for (const condition of CONDITIONS) {
    LEVELS.forEach((level, i) => {
      const [nm, mo] = PREVALENCE[CONDITION_INFO[condition].core][i];
      conditions.push(condition);
      levels.push(level);
      normalMild.push(nm);
      moderate.push(mo);
    });
  }
  return [conditions, levels, normalMild, moderate];
}

export async function generateApiDataset(url: string, options: ApiDatasetOptions): Promise<ApiDataset> {
  const started = performance.now();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query('SELECT setseed($1)', [options.seed]);
    await skipForeignKeyChecks(client);
    const projectId = (
      await client.query<{ id: string }>(`INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), 'bench-api') RETURNING id`)
    ).rows[0].id;
    const modelSetId = (
      await client.query<{ id: string }>(
        `INSERT INTO "ModelSet" (id, name, "contentHash", "isActive", "activatedAt") VALUES (gen_random_uuid(), 'bench-api-set', md5('bench-api-set'), true, now()) RETURNING id`,
      )
    ).rows[0].id;
    // One second apart, so the (createdAt, id) keyset order is the externalId order.
    const studies = await client.query(
      // Stratifiers as an import stores them (docs/cohorts.md), spread deterministically over the studies: ages 20-94
      // in 5-year bands (90+ collapsed), both sexes, five vendors, 1.5 T and 3 T, 3-5 mm; every 50th study unknown.
      `INSERT INTO "Study" (id, "projectId", "externalId", "patientKey", "createdAt", "updatedAt", sex, "ageBand", manufacturer, "fieldStrength", "sliceThickness")
       SELECT gen_random_uuid(), $1::uuid, (1000000 + g)::text, md5('patient-' || g), now() - make_interval(secs => $2 - g), now(),
              CASE WHEN g % 50 = 0 THEN NULL WHEN g % 2 = 0 THEN 'F' ELSE 'M' END,
              CASE WHEN g % 50 = 0 THEN NULL WHEN 20 + (g * 7) % 75 >= 90 THEN '90+'
                   ELSE lpad(((20 + (g * 7) % 75) / 5 * 5)::text, 2, '0') || '-' || lpad(((20 + (g * 7) % 75) / 5 * 5 + 4)::text, 2, '0') END,
              CASE WHEN g % 50 = 0 THEN NULL ELSE (ARRAY['SIEMENS', 'GE', 'PHILIPS', 'CANON', 'HITACHI'])[1 + g % 5] END,
              CASE WHEN g % 50 = 0 THEN NULL WHEN g % 3 = 0 THEN 3 ELSE 1.5 END,
              3 + g % 3
       FROM generate_series(1, $2::int) g`,
      [projectId, options.studies],
    );
    const series = await client.query(
      `INSERT INTO "Series" (id, "studyId", "externalId", type, description, orientation, rows, columns, "pixelSpacing", "sliceThickness", "spacingBetweenSlices", "instanceCount")
       SELECT gen_random_uuid(), s.id, s."externalId" || t.n, t.type::"SeriesType", t.description, t.orientation::"Orientation", 512, 512,
              ARRAY[0.6875, 0.6875], t.thickness, t.spacing, t.instances
       FROM "Study" s CROSS JOIN ${SERIES} WHERE s."projectId" = $1::uuid`,
      [projectId],
    );
    const [conditions, levels, pnm, pmo] = prevalenceParams();
    const rebuildIndexes = await dropSecondaryIndexes(client, ['Label', 'Prediction']);
    const labels = await client.query(
      `INSERT INTO "Label" (id, "studyId", condition, level, severity, source, "createdAt", "updatedAt")
       SELECT gen_random_uuid(), d.id, d.condition, d.level,
              (CASE WHEN d.u < d.pnm THEN 'NORMAL_MILD' WHEN d.u < d.pnm + d.pmo THEN 'MODERATE' ELSE 'SEVERE' END)::"Severity", 'SYNTHETIC', now(), now()
       FROM (SELECT s.id, p.condition, p.level, p.pnm, p.pmo, random() AS u FROM "Study" s CROSS JOIN ${PREVALENCE_ROWS} WHERE s."projectId" = $5::uuid) d`,
      [conditions, levels, pnm, pmo, projectId],
    );
    // (enum_range() would read the catalog on every row: the severity's class index is spelled out instead.)
    // Replica mode skips the trigger that copies a row's label onto it: "labelSeverity" is written here directly.
    // lead: the class the model favours (the label's, with probability `agreement`; else drawn by prevalence);
    // top in [0.4, 0.95] is its probability; the rest is split, more of it to the neighbouring class. With top
    // below 0.5 a neighbour can win: severity is the argmax of the stored numbers, not the lead.
    const predictions = await client.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "createdAt", "updatedAt", "labelSeverity")
       SELECT gen_random_uuid(), q."studyId", q.condition, q.level, q.nm, q.mo, 1 - q.nm - q.mo,
              (CASE WHEN q.nm >= q.mo AND q.nm >= 1 - q.nm - q.mo THEN 'NORMAL_MILD' WHEN q.mo >= 1 - q.nm - q.mo THEN 'MODERATE' ELSE 'SEVERE' END)::"Severity",
              $6::uuid, now(), now(), q.severity
       FROM (
         SELECT r."studyId", r.condition, r.level, r.severity,
                CASE r.lead WHEN 0 THEN r.top ELSE (1 - r.top) * (CASE r.lead WHEN 1 THEN r.b ELSE 0.2 * r.b END) END AS nm,
                CASE r.lead WHEN 1 THEN r.top ELSE (1 - r.top) * (CASE r.lead WHEN 0 THEN 0.6 + 0.4 * r.b ELSE 1 - 0.2 * r.b END) END AS mo
         FROM (
           SELECT r."studyId", r.condition, r.level, r.severity, 0.4 + 0.55 * r.u_top AS top, r.b,
                  CASE WHEN r.u_agree < $7 THEN (CASE r.severity WHEN 'NORMAL_MILD' THEN 0 WHEN 'MODERATE' THEN 1 ELSE 2 END)
                       WHEN r.u_lead < r.pnm THEN 0 WHEN r.u_lead < r.pnm + r.pmo THEN 1 ELSE 2 END AS lead
           FROM (
             SELECT l."studyId", l.condition, l.level, l.severity, p.pnm, p.pmo, random() AS u_top, random() AS b, random() AS u_agree, random() AS u_lead
             FROM "Label" l JOIN "Study" s ON s.id = l."studyId" JOIN ${PREVALENCE_ROWS} ON p.condition = l.condition AND p.level = l.level
             WHERE s."projectId" = $5::uuid
           ) r
         ) r
       ) q`,
      [conditions, levels, pnm, pmo, projectId, modelSetId, options.agreement],
    );
    await rebuildIndexes();
    // Replica mode skipped every trigger, the ones that keep the cohort cell counts too: recount them once.
    await client.query(`SELECT "CellCounts_rebuild"()`);
    // And the per-study metric terms (StudyMetricTerms) that the analytics read.
    await client.query(`SELECT "StudyMetricTerms_rebuild"()`);
    await checkDataset(client, modelSetId);
    // A settled database has statistics and a visibility map; a freshly bulk-loaded one has neither.
    await client.query(`VACUUM ANALYZE "Study", "Series", "Label", "Prediction", "StudyMetricTerms"`);
    const severities = async (table: 'Label' | 'Prediction'): Promise<Record<string, number>> =>
      Object.fromEntries(
        (
          await client.query<{ severity: string; n: number }>(
            `SELECT severity::text, count(*)::int AS n FROM "${table}" GROUP BY 1 ORDER BY 1`,
          )
        ).rows.map((r) => [r.severity, r.n]),
      );
    return {
      projectId,
      modelSetId,
      studies: studies.rowCount ?? 0,
      series: series.rowCount ?? 0,
      labels: labels.rowCount ?? 0,
      predictions: predictions.rowCount ?? 0,
      labelSeverities: await severities('Label'),
      predictedSeverities: await severities('Prediction'),
      generateMs: performance.now() - started,
    };
  } finally {
    await client.end();
  }
}

/**
 * Foreign-key triggers cost one lookup per inserted row (two for a prediction): most of the load time. Every row
 * here references a row selected in the same statement, so the checks cannot fail; replica mode skips them for
 * this session. It needs a superuser (the local server's postgres role); elsewhere the checks simply run.
 */
async function skipForeignKeyChecks(client: pg.Client): Promise<void> {
  try {
    await client.query(`SET session_replication_role = replica`);
  } catch {
    // not a superuser: slower, same result
  }
}

/**
 * Building an index once over loaded rows is several times faster than growing it a row at a time; the indexes are
 * recreated from their own definitions (pg_indexes), so the schema ends exactly as the migrations made it.
 */
async function dropSecondaryIndexes(client: pg.Client, tables: readonly string[]): Promise<() => Promise<void>> {
  const { rows } = await client.query<{ name: string; definition: string }>(
    `SELECT i.indexname AS name, i.indexdef AS definition FROM pg_indexes i
     WHERE i.schemaname = current_schema() AND i.tablename = ANY($1::text[])
       AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    [tables],
  );
  for (const r of rows) await client.query(`DROP INDEX "${r.name}"`);
  return async () => {
    await client.query(`SET maintenance_work_mem = '256MB'`);
    for (const r of rows) await client.query(r.definition);
  };
}

/**
 * The generator's promises, checked on the rows it wrote: probabilities in [0, 1] summing to 1, severity = argmax,
 * each prediction carrying its label's severity, and 25 labels and 25 predictions per study (the unique indexes
 * allow at most 25 each, so the totals suffice).
 */
async function checkDataset(client: pg.Client, modelSetId: string): Promise<void> {
  const { rows } = await client.query<{
    bad_sum: number;
    negative: number;
    bad_label_copy: number;
    bad_argmax: number;
    missing_predictions: number;
    missing_labels: number;
  }>(
    `SELECT count(*) FILTER (WHERE abs("normalMild" + moderate + severe - 1) > 1e-9)::int AS bad_sum,
            count(*) FILTER (WHERE least("normalMild", moderate, severe) < 0)::int AS negative,
            count(*) FILTER (WHERE "labelSeverity" IS DISTINCT FROM (SELECT l.severity FROM "Label" l
              WHERE l."studyId" = "Prediction"."studyId" AND l.condition = "Prediction".condition AND l.level = "Prediction".level))::int AS bad_label_copy,
            count(*) FILTER (WHERE severity <> (CASE WHEN "normalMild" >= moderate AND "normalMild" >= severe THEN 'NORMAL_MILD'
                                                     WHEN moderate >= severe THEN 'MODERATE' ELSE 'SEVERE' END)::"Severity")::int AS bad_argmax,
            (SELECT 25 * count(*) FROM "Study")::int - count(*)::int AS missing_predictions,
            (SELECT 25 * count(*) FROM "Study")::int - (SELECT count(*) FROM "Label")::int AS missing_labels
     FROM "Prediction" WHERE "modelSetId" = $1::uuid`,
    [modelSetId],
  );
  const c = rows[0];
  const problems = Object.entries(c).filter(([, n]) => Number(n) > 0);
  if (problems.length > 0) throw new Error(`generated API dataset is wrong: ${problems.map(([k, n]) => `${k}=${n}`).join(', ')}`);
}
