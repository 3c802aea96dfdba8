-- CreateTable
CREATE TABLE "StudyMetricTerms" (
    "modelSetId" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "normalMildMask" INTEGER NOT NULL,
    "moderateMask" INTEGER NOT NULL,
    "severeMask" INTEGER NOT NULL,
    "labelNormalMildMask" INTEGER NOT NULL,
    "labelModerateMask" INTEGER NOT NULL,
    "labelSevereMask" INTEGER NOT NULL,
    "spinalLoss" DOUBLE PRECISION NOT NULL,
    "foraminalLoss" DOUBLE PRECISION NOT NULL,
    "subarticularLoss" DOUBLE PRECISION NOT NULL,
    "spinalSevereMax" DOUBLE PRECISION,
    "probabilities" BYTEA NOT NULL,

    CONSTRAINT "StudyMetricTerms_pkey" PRIMARY KEY ("modelSetId","studyId")
);

-- CreateIndex
CREATE INDEX "StudyMetricTerms_studyId_idx" ON "StudyMetricTerms"("studyId");

-- AddForeignKey
ALTER TABLE "StudyMetricTerms" ADD CONSTRAINT "StudyMetricTerms_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StudyMetricTerms" ADD CONSTRAINT "StudyMetricTerms_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the rows are kept by triggers on Prediction, so every writer (the inference result writer, bulk
-- SQL, the label triggers that rewrite Prediction."labelSeverity", cascades from Study and ModelSet) keeps them exact
-- without knowing of them. A statement recomputes, from the Prediction rows themselves, the (model set, study) pairs
-- its transition tables touched: never an increment, so a row is right whatever the order of the writers.

-- A cell's bit: condition x 5 + level, in the enums' order (CONDITIONS x LEVELS of src/domain/vocabulary.ts).
CREATE FUNCTION "StudyMetricTerms_cell"(c "Condition", l "Level") RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT (CASE c WHEN 'SPINAL_CANAL_STENOSIS' THEN 0 WHEN 'LEFT_NEURAL_FORAMINAL_NARROWING' THEN 1
                 WHEN 'RIGHT_NEURAL_FORAMINAL_NARROWING' THEN 2 WHEN 'LEFT_SUBARTICULAR_STENOSIS' THEN 3 ELSE 4 END) * 5
       + (CASE l WHEN 'L1_L2' THEN 0 WHEN 'L2_L3' THEN 1 WHEN 'L3_L4' THEN 2 WHEN 'L4_L5' THEN 3 ELSE 4 END)
$$;

-- The rows of the pairs (ms[i], ss[i]) from Prediction: deleted, then inserted again for the pairs that still have
-- predictions. The loss sums add the cells in cell order (the order compareModelSets' row-level query meets them).
-- Writers of the same pair are serialised by a transaction-scoped advisory lock on the pair's bucket (one of 128,
-- taken in order, so two statements never wait on each other in opposite orders, and a statement touching 20,000
-- studies takes at most 128 locks): under READ COMMITTED the recompute's snapshot is taken after the lock, so it
-- sees every writer that committed before it, and the last writer of a pair recomputes it last. (A writer at
-- REPEATABLE READ that lost the race gets a serialisation or unique-key error and retries, never a stale row.)
CREATE FUNCTION "StudyMetricTerms_recompute"(ms uuid[], ss uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  bucket int;
BEGIN
  FOR bucket IN SELECT DISTINCT (hashtextextended(k.m::text || k.s::text, 0) & 127)::int
                FROM unnest(ms, ss) AS k(m, s) WHERE k.m IS NOT NULL AND k.s IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtext('StudyMetricTerms'), bucket);
  END LOOP;
  DELETE FROM "StudyMetricTerms" t USING unnest(ms, ss) AS k(m, s) WHERE t."modelSetId" = k.m AND t."studyId" = k.s;
  INSERT INTO "StudyMetricTerms" ("modelSetId", "studyId", "normalMildMask", "moderateMask", "severeMask",
                                  "labelNormalMildMask", "labelModerateMask", "labelSevereMask",
                                  "spinalLoss", "foraminalLoss", "subarticularLoss", "spinalSevereMax", "probabilities")
  SELECT p."modelSetId", p."studyId",
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."severity" = 'NORMAL_MILD'), 0),
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."severity" = 'MODERATE'), 0),
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."severity" = 'SEVERE'), 0),
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."labelSeverity" = 'NORMAL_MILD'), 0),
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."labelSeverity" = 'MODERATE'), 0),
         coalesce(bit_or(1 << c.cell) FILTER (WHERE p."labelSeverity" = 'SEVERE'), 0),
         coalesce(sum(p."weightedLoss" ORDER BY c.cell) FILTER (WHERE c.cell < 5), 0),
         coalesce(sum(p."weightedLoss" ORDER BY c.cell) FILTER (WHERE c.cell BETWEEN 5 AND 14), 0),
         coalesce(sum(p."weightedLoss" ORDER BY c.cell) FILTER (WHERE c.cell >= 15), 0),
         max(p."severe") FILTER (WHERE c.cell < 5 AND p."labelSeverity" IS NOT NULL),
         coalesce(string_agg(float8send(p."normalMild") || float8send(p."moderate") || float8send(p."severe"), ''::bytea ORDER BY c.cell)
                  FILTER (WHERE p."labelSeverity" IS NOT NULL), ''::bytea)
  FROM (SELECT DISTINCT k.m, k.s FROM unnest(ms, ss) AS k(m, s)) k
  JOIN "Prediction" p ON p."modelSetId" = k.m AND p."studyId" = k.s
  CROSS JOIN LATERAL (SELECT "StudyMetricTerms_cell"(p."condition", p."level") AS cell) c
  GROUP BY p."modelSetId", p."studyId";
END;
$$;

-- An UPDATE recomputes only the pairs of rows whose read columns changed (a member spread or job id written on 500,000
-- rows touches none): transition tables cannot be combined with a column list on the trigger itself.
CREATE FUNCTION "Prediction_metric_terms"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "StudyMetricTerms_recompute"(array_agg(k."modelSetId"), array_agg(k."studyId"))
    FROM (SELECT DISTINCT "modelSetId", "studyId" FROM new_rows) k;
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM "StudyMetricTerms_recompute"(array_agg(k."modelSetId"), array_agg(k."studyId"))
    FROM (SELECT DISTINCT "modelSetId", "studyId" FROM old_rows) k;
  ELSE
    PERFORM "StudyMetricTerms_recompute"(array_agg(k.m), array_agg(k.s))
    FROM (SELECT DISTINCT x.m, x.s
          FROM (SELECT o."modelSetId" AS om, o."studyId" AS os, n."modelSetId" AS nm, n."studyId" AS ns
                FROM old_rows o FULL JOIN new_rows n ON n."id" = o."id"
                WHERE o."id" IS NULL OR n."id" IS NULL
                   OR (o."modelSetId", o."studyId", o."condition", o."level", o."severity", o."labelSeverity", o."normalMild", o."moderate", o."severe")
                      IS DISTINCT FROM
                      (n."modelSetId", n."studyId", n."condition", n."level", n."severity", n."labelSeverity", n."normalMild", n."moderate", n."severe")) d
          CROSS JOIN LATERAL (VALUES (d.om, d.os), (d.nm, d.ns)) AS x(m, s)
          WHERE x.m IS NOT NULL) k;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Prediction_metric_terms_insert" AFTER INSERT ON "Prediction"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_metric_terms"();
CREATE TRIGGER "Prediction_metric_terms_update" AFTER UPDATE ON "Prediction"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_metric_terms"();
CREATE TRIGGER "Prediction_metric_terms_delete" AFTER DELETE ON "Prediction"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_metric_terms"();

CREATE FUNCTION "Prediction_truncate_metric_terms"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "StudyMetricTerms";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "Prediction_metric_terms_truncate" AFTER TRUNCATE ON "Prediction"
  FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_truncate_metric_terms"();

-- Recomputes every row: the backfill below, and the repair after a bulk load that bypassed triggers
-- (session_replication_role = replica, pg_restore --disable-triggers). The SHARE lock waits for writers in flight
-- and holds new ones off until the rebuild commits.
CREATE FUNCTION "StudyMetricTerms_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "Prediction" IN SHARE MODE;
  DELETE FROM "StudyMetricTerms";
  PERFORM "StudyMetricTerms_recompute"(array_agg(k."modelSetId"), array_agg(k."studyId"))
  FROM (SELECT DISTINCT "modelSetId", "studyId" FROM "Prediction") k;
END;
$$;

SELECT "StudyMetricTerms_rebuild"();
