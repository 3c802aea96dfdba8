// Writes one study's pipeline result for one model set, idempotently: predictions are upserted on
// (study, condition, level, model set); the model's keypoints for that study and set are replaced as a whole,
// in one transaction, so a rerun (or a job taken over from a killed worker) leaves exactly one set of results.
import type { Database } from '../../db/client.js';
import { severityArgmax } from '../../domain/vocabulary.js';
import type { StudyResult } from '../../inference/types.js';

export async function writeStudyResult(db: Database, result: StudyResult, modelSetId: string, jobId: string | null): Promise<void> {
  const p = result.predictions;
  const k = result.keypoints;
  await db.prisma.$transaction([
    db.prisma.$executeRawUnsafe(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "jobId", fallback, "updatedAt")
       SELECT gen_random_uuid(), $1::uuid, c::"Condition", l::"Level", a, b, s, v::"Severity", $2::uuid, $3::uuid, f, now()
       FROM unnest($4::text[], $5::text[], $6::float8[], $7::float8[], $8::float8[], $9::text[], $10::text[]) AS t(c, l, a, b, s, v, f)
       ON CONFLICT ("studyId", condition, level, "modelSetId") DO UPDATE SET "normalMild" = EXCLUDED."normalMild", moderate = EXCLUDED.moderate,
         severe = EXCLUDED.severe, severity = EXCLUDED.severity, "jobId" = EXCLUDED."jobId", fallback = EXCLUDED.fallback, "updatedAt" = now()`,
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
    ),
    db.prisma.keypoint.deleteMany({ where: { studyId: result.studyId, modelSetId, source: 'MODEL' } }),
    db.prisma.keypoint.createMany({
      data: k.map((kp) => ({
        studyId: result.studyId,
        seriesId: kp.seriesId,
        instanceId: kp.instanceId ?? null,
        level: kp.level,
        side: kp.side,
        role: kp.role,
        pixelX: kp.pixel.x,
        pixelY: kp.pixel.y,
        patientX: kp.patientMm[0],
        patientY: kp.patientMm[1],
        patientZ: kp.patientMm[2],
        score: kp.score,
        source: 'MODEL' as const,
        modelSetId,
      })),
    }),
  ]);
}
