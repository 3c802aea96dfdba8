// The metric against the seed's: spinegraph's SQL evaluation (evaluation.service.ts) and the trainer's Python
// metric equal rsna2024/utils/rsna_lumbar_metric.score to 1e-9 on random submissions whose rows sum to 1,
// including exact 0 and 1 probabilities. Real PostgreSQL; the seed's code run by Debian's /usr/bin/python3.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, LEVELS, SEVERITIES, type Condition, type Level } from '../../src/domain/vocabulary.js';
import { evaluate } from '../../src/services/evaluation.service.js';
import { upsertLabels } from '../../src/services/import/import-writer.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

interface Row {
  study: string;
  condition: Condition;
  level: Level;
  label: 0 | 1 | 2;
  p: [number, number, number];
}

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Probabilities that sum to 1 (up to float rounding); now and then exact zeros and ones. */
function triple(r: () => number): [number, number, number] {
  const u = r();
  if (u < 0.05) return [1, 0, 0];
  if (u < 0.1) return [0, 0, 1];
  if (u < 0.15) return [0, 0.4, 0.6];
  const a = (-Math.log(r())) ** 1.5;
  const b = -Math.log(r());
  const c = -Math.log(r()) * (r() < 0.5 ? 0.2 : 2);
  const s = a + b + c;
  return [a / s, b / s, 1 - a / s - b / s];
}

/** Studies with a random share of labelled rows; at least one severe and one non-severe spinal study. */
function cohort(seed: number, studies: number): Row[] {
  const r = rng(seed);
  const rows: Row[] = [];
  for (let i = 0; i < studies; i++) {
    for (const condition of CONDITIONS)
      for (const level of LEVELS) {
        if (r() < 0.15) continue;
        const u = r();
        const label = (u < 0.7 ? 0 : u < 0.88 ? 1 : 2) as 0 | 1 | 2;
        rows.push({ study: `s${seed}x${i}`, condition, level, label, p: triple(r) });
      }
  }
  const spinal = rows.filter((x) => x.condition === 'SPINAL_CANAL_STENOSIS');
  spinal[0].label = 2;
  for (const x of spinal.filter((y) => y.study === spinal[spinal.length - 1].study)) x.label = 0;
  return rows;
}

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  await t?.drop();
});

async function sqlScore(rows: readonly Row[], tag: string): Promise<Awaited<ReturnType<typeof evaluate>>> {
  const [project] = await t.db.sql.query<{ id: string }>(`INSERT INTO "Project" (id, name) VALUES (gen_random_uuid(), $1) RETURNING id`, [
    `metric-${tag}`,
  ]);
  const [set] = await t.db.sql.query<{ id: string }>(
    `INSERT INTO "ModelSet" (id, name, "contentHash") VALUES (gen_random_uuid(), $1, $1) RETURNING id`,
    [`metric-${tag}`],
  );
  const studies = [...new Set(rows.map((x) => x.study))];
  const inserted = await t.db.sql.query<{ id: string; externalId: string }>(
    `INSERT INTO "Study" (id, "projectId", "externalId", "updatedAt") SELECT gen_random_uuid(), $1::uuid, e, now() FROM unnest($2::text[]) e RETURNING id, "externalId"`,
    [project.id, studies],
  );
  const ids = new Map(inserted.map((s) => [s.externalId, s.id]));
  await upsertLabels(
    t.db.sql,
    ids,
    rows.map((x) => ({ studyExternalId: x.study, condition: x.condition, level: x.level, severity: SEVERITIES[x.label] })),
  );
  await t.db.sql.query(
    `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
     SELECT gen_random_uuid(), s, c::"Condition", l::"Level", a, b, cc, 'NORMAL_MILD', $1::uuid, now()
     FROM unnest($2::uuid[], $3::text[], $4::text[], $5::float8[], $6::float8[], $7::float8[]) AS u(s, c, l, a, b, cc)`,
    [
      set.id,
      rows.map((x) => ids.get(x.study)),
      rows.map((x) => x.condition),
      rows.map((x) => x.level),
      rows.map((x) => x.p[0]),
      rows.map((x) => x.p[1]),
      rows.map((x) => x.p[2]),
    ],
  );
  return evaluate(t.db, { scope: { kind: 'projects', projectIds: [project.id] }, modelSetId: set.id });
}

describe("the competition metric equals the seed's rsna_lumbar_metric.score", () => {
  it('SQL and Python agree with the seed to 1e-9 on random submissions that sum to 1 (and on two that do not)', async () => {
    const cases = [1, 2, 3, 4, 5, 6].map((seed) => cohort(seed, 3 + seed * 4));
    // Rows that do not sum to 1 (the seed clips each value, renormalises the triples, but takes the raw severe
    // value for any_severe_spinal): spinegraph does the same.
    for (const seed of [7, 8]) {
      const r = rng(seed * 31);
      cases.push(cohort(seed, 12).map((x) => ({ ...x, p: [r() * 1.2, r(), r() * 0.8] as [number, number, number] })));
    }
    const out = JSON.parse(
      execFileSync('/usr/bin/python3', ['tests/parity/seed_metric.py'], { input: JSON.stringify(cases), maxBuffer: 1 << 26 }).toString(),
    ) as { seed: number; python: Record<string, number | null> }[];
    for (const [i, rows] of cases.entries()) {
      const sql = await sqlScore(rows, `c${i}`);
      expect(Math.abs((sql.score ?? NaN) - out[i].seed)).toBeLessThanOrEqual(1e-9);
      expect(Math.abs((out[i].python.score ?? NaN) - out[i].seed)).toBeLessThanOrEqual(1e-9);
      for (const part of ['spinal', 'foraminal', 'subarticular', 'anySevereSpinal'] as const)
        expect(Math.abs((sql[part] ?? NaN) - (out[i].python[part] ?? NaN))).toBeLessThanOrEqual(1e-9);
    }
  }, 300_000);
});
