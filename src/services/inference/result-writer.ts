// Writes one study's pipeline result for one model set, idempotently: predictions are upserted on
// (study, condition, level, model set); the model's keypoints for that study and set are replaced as a whole.
// All of it is ONE SQL statement (data-modifying CTEs), so it is atomic without a transaction: Prisma 7 runs a
// `$transaction([...])` batch as a transaction with a 2 s maxWait and a 5 s timeout, which a loaded machine
// exceeds (a job then failed with "Transaction already closed"). A single statement has no such limit; it waits
// for locks like any statement and fails only on a real error, which the caller gets as a rejection.
// The CTEs see one snapshot, so the DELETE removes only the keypoints that were there before, never the new ones.
import type { Database } from '../../db/client.js';
import { severityArgmax } from '../../domain/vocabulary.js';
import type { StudyResult } from '../../inference/types.js';
import { encodeMembers, memberSpread } from './member-probabilities.js';

const WRITE_STUDY_RESULT = `
WITH predictions AS (
  INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "jobId", fallback,
    "memberProbabilities", "memberSpread", "updatedAt")
  SELECT gen_random_uuid(), $1::uuid, c::"Condition", l::"Level", a, b, s, v::"Severity", $2::uuid, $3::uuid, f, mp, ms, now()
  FROM unnest($4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[], $22::bytea[], $23::float8[])
    AS t(c, l, a, b, s, v, f, mp, ms)
  ON CONFLICT ("studyId", condition, level, "modelSetId") DO UPDATE SET "normalMild" = EXCLUDED."normalMild", moderate = EXCLUDED.moderate,
    severe = EXCLUDED.severe, severity = EXCLUDED.severity, "jobId" = EXCLUDED."jobId", fallback = EXCLUDED.fallback,
    "memberProbabilities" = EXCLUDED."memberProbabilities", "memberSpread" = EXCLUDED."memberSpread", "updatedAt" = now()
  RETURNING 1
), removed AS (
  DELETE FROM "Keypoint" WHERE "studyId" = $1::uuid AND "modelSetId" = $2::uuid AND source = 'MODEL'
  RETURNING 1
), keypoints AS (
  INSERT INTO "Keypoint" (id, "studyId", "seriesId", "instanceId", level, side, role, "pixelX", "pixelY", "patientX", "patientY", "patientZ", score, source, "modelSetId")
  SELECT gen_random_uuid(), $1::uuid, se, i, l::"Level", sd::"Side", r, px, py, x, y, z, sc, 'MODEL', $2::uuid
  FROM unnest($11::uuid[], $12::uuid[], $13::text[], $14::text[], $15::text[], $16::float8[], $17::float8[], $18::float8[], $19::float8[], $20::float8[], $21::float8[])
    AS k(se, i, l, sd, r, px, py, x, y, z, sc)
  RETURNING 1
)
SELECT (SELECT count(*) FROM predictions)::int AS predictions, (SELECT count(*) FROM removed)::int AS removed, (SELECT count(*) FROM keypoints)::int AS keypoints`;

export async function writeStudyResult(db: Database, result: StudyResult, modelSetId: string, jobId: string | null): Promise<void> {
  const p = result.predictions;
  const k = result.keypoints;
  await db.prisma.$queryRawUnsafe(
    WRITE_STUDY_RESULT,
    result.studyId,
    modelSetId,
    jobId,
    p.map((r) => r.condition),
    p.map((r) => r.level),
    p.map((r) => r.normalMild),
    p.map((r) => r.moderate),
    p.map((r) => r.severe),
    p.map((r) => severityArgmax([r.normalMild, r.moderate, r.severe])),
    p.map((r) => r.fallback ?? null),
    k.map((kp) => kp.seriesId),
    k.map((kp) => kp.instanceId ?? null),
    k.map((kp) => kp.level),
    k.map((kp) => kp.side),
    k.map((kp) => kp.role),
    k.map((kp) => kp.pixel.x),
    k.map((kp) => kp.pixel.y),
    k.map((kp) => kp.patientMm[0]),
    k.map((kp) => kp.patientMm[1]),
    k.map((kp) => kp.patientMm[2]),
    k.map((kp) => kp.score),
    p.map((r) => encodeMembers(r.members)),
    p.map((r) => memberSpread(r.members)),
  );
}
