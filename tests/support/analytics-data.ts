// Labelled studies with predictions of two model sets, written straight into the tables (the analytics queries
// read rows; how rows come to be is tested elsewhere). Deterministic by seed; the rows are returned so the tests'
// reference implementations compute from the same data, not from the code under test.
import { randomUUID } from 'node:crypto';
import type { Database } from '../../src/db/client.js';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level } from '../../src/domain/vocabulary.js';
import { mulberry32 } from '../../src/services/analytics/prng.js';

export type Triple = [number, number, number];

export interface AnalyticsRow {
  readonly study: string;
  readonly condition: Condition;
  readonly level: Level;
  readonly label: number;
  /** Per model set id: its probabilities (absent: that set did not predict the row). */
  readonly p: Readonly<Record<string, Triple>>;
}

export async function insertModelSet(db: Database, name: string): Promise<string> {
  const [r] = await db.sql.query<{ id: string }>(
    `INSERT INTO "ModelSet" (id, name, "contentHash", "isActive") VALUES (gen_random_uuid(), $1, md5($1), false) RETURNING id`,
    [name],
  );
  return r.id;
}

/**
 * `studies` studies in the project, 25 labels each; set `sets[i]` predicts the label's class with probability
 * `agreement[i]`; the first `unpredictedBy` studies have no predictions of the last set.
 */
export async function insertAnalyticsStudies(
  db: Database,
  options: {
    projectId: string;
    studies: number;
    seed: number;
    sets: readonly string[];
    agreement: readonly number[];
    unpredictedBy?: number;
  },
): Promise<AnalyticsRow[]> {
  const next = mulberry32(options.seed);
  const u = (): number => next() / 4294967296;
  const rows: AnalyticsRow[] = [];
  for (let s = 0; s < options.studies; s++) {
    const study = randomUUID();
    await db.sql.query(
      `INSERT INTO "Study" (id, "projectId", "externalId", "createdAt", "updatedAt") VALUES ($1, $2, $3, now() - make_interval(secs => $4), now())`,
      [study, options.projectId, `an-${options.seed}-${s}`, options.studies - s],
    );
    for (const condition of CONDITIONS) {
      for (const level of LEVELS) {
        const x = u();
        const label = x < 0.65 ? 0 : x < 0.87 ? 1 : 2;
        const p: Record<string, Triple> = {};
        options.sets.forEach((set, i) => {
          if (i === options.sets.length - 1 && s < (options.unpredictedBy ?? 0)) return;
          const lead = u() < options.agreement[i] ? label : Math.floor(u() * 3);
          const raw: Triple = [u(), u(), u()];
          raw[lead] += 2 * u();
          const sum = raw[0] + raw[1] + raw[2];
          p[set] = [raw[0] / sum, raw[1] / sum, raw[2] / sum];
        });
        rows.push({ study, condition, level, label, p });
      }
    }
  }
  await db.sql.query(
    `INSERT INTO "Label" (id, "studyId", condition, level, severity, source, "updatedAt")
     SELECT gen_random_uuid(), s, c::"Condition", l::"Level", v::"Severity", 'SYNTHETIC', now() FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[]) AS t(s, c, l, v)`,
    [rows.map((r) => r.study), rows.map((r) => r.condition), rows.map((r) => r.level), rows.map((r) => SEVERITIES[r.label])],
  );
  for (const set of options.sets) {
    const mine = rows.filter((r) => r.p[set]);
    const argmax = (t: Triple): string => SEVERITIES[t[0] >= t[1] && t[0] >= t[2] ? 0 : t[1] >= t[2] ? 1 : 2];
    await db.sql.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
       SELECT gen_random_uuid(), s, c::"Condition", l::"Level", a, b, c2, v::"Severity", $8::uuid, now()
       FROM unnest($1::uuid[], $2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[], $7::text[]) AS t(s, c, l, a, b, c2, v)`,
      [
        mine.map((r) => r.study),
        mine.map((r) => r.condition),
        mine.map((r) => r.level),
        mine.map((r) => r.p[set][0]),
        mine.map((r) => r.p[set][1]),
        mine.map((r) => r.p[set][2]),
        mine.map((r) => argmax(r.p[set])),
        set,
      ],
    );
  }
  return rows;
}
