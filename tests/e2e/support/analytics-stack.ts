// The data the analytics and cohort browser tests share: the security stack (real server, JWT users of two
// projects) with synthetic DICOM studies imported into project A (images, labels, labelled points), and two model
// sets A (active) and B. Set A and B predict a block of row-only studies (insertAnalyticsStudies: B agrees more
// with the labels), and set A predicts every labelled row of the imported studies as uncertain as it can be, so
// those rows head the UNCERTAINTY review queue and the study viewer has slices to open.
import { insertAnalyticsStudies, insertModelSet } from '../../support/analytics-data.js';
import { startSecurityStack, type SecurityStack } from '../../support/security-fixture.js';

export interface AnalyticsStack {
  readonly s: SecurityStack;
  readonly setA: string;
  readonly setB: string;
  /** The imported studies of project A (with images), by external id. */
  readonly imported: readonly { readonly id: string; readonly externalId: string }[];
}

/** The most uncertain prediction short of a tie (a tie's argmax would depend on the reader). */
const UNCERTAIN = [0.34, 0.33, 0.33] as const;

export async function startAnalyticsStack(options: { imported: number; rowStudies: number }): Promise<AnalyticsStack> {
  const s = await startSecurityStack({ cohorts: { a: options.imported, b: 1 } });
  try {
    const setA = await insertModelSet(s.db, 'set A');
    const setB = await insertModelSet(s.db, 'set B');
    await s.db.sql.query(`UPDATE "ModelSet" SET "isActive" = (id = $1::uuid), "activatedAt" = CASE WHEN id = $1::uuid THEN now() END`, [
      setA,
    ]);
    await insertAnalyticsStudies(s.db, {
      projectId: s.projects.a.id,
      studies: options.rowStudies,
      seed: 3,
      sets: [setA, setB],
      agreement: [0.5, 0.8],
    });
    await s.db.sql.query(
      `INSERT INTO "Prediction" (id, "studyId", condition, level, "normalMild", moderate, severe, severity, "modelSetId", "updatedAt")
       SELECT gen_random_uuid(), l."studyId", l.condition, l.level, $2, $3, $4, 'NORMAL_MILD', $1::uuid, now()
       FROM "Label" l WHERE l."studyId" = ANY($5::uuid[])`,
      [setA, ...UNCERTAIN, s.projects.a.studyIds],
    );
    const imported = s.projects.a.studyIds.map((id, i) => ({ id, externalId: s.projects.a.externalIds[i] }));
    return { s, setA, setB, imported };
  } catch (e) {
    await s.stop().catch(() => undefined);
    throw e;
  }
}
