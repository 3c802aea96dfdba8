-- AlterTable
ALTER TABLE "Prediction" ADD COLUMN     "labelSeverity" "Severity";

-- Hand-written: a copy of the row's label (Label at the same study, condition and level) and the row's term of the
-- RSNA metric, kept on the prediction so the analytics read one table instead of joining 500,000 labels to
-- 500,000 predictions per request: compareModelSets and agreement scan one index in (model set, study) order, and
-- the review queue's DISAGREEMENT order walks an index of "weightedLoss" backwards.

-- weightedLoss: the label's sample weight (SEVERITY_WEIGHT: 1, 2, 4) x -ln of the labelled class's probability,
-- each probability clipped to [eps, 1 - eps] (eps = float64 machine epsilon, scikit-learn's log_loss) and the triple
-- renormalised: exactly analytics/metric-sql.ts's rowLossSql x LABEL_WEIGHT_SQL. NULL without a label. GENERATED, so
-- it follows every write of the probabilities or of "labelSeverity" (computed after BEFORE triggers).
ALTER TABLE "Prediction" ADD COLUMN "weightedLoss" DOUBLE PRECISION GENERATED ALWAYS AS (
  (CASE "labelSeverity" WHEN 'NORMAL_MILD' THEN 1.0::float8 WHEN 'MODERATE' THEN 2.0::float8 WHEN 'SEVERE' THEN 4.0::float8 END)
  * -ln((CASE "labelSeverity"
           WHEN 'NORMAL_MILD' THEN LEAST(GREATEST("normalMild", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8)
           WHEN 'MODERATE' THEN LEAST(GREATEST("moderate", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8)
           ELSE LEAST(GREATEST("severe", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8) END)
        / (LEAST(GREATEST("normalMild", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8)
           + LEAST(GREATEST("moderate", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8)
           + LEAST(GREATEST("severe", 2.220446049250313e-16::float8), 1 - 2.220446049250313e-16::float8)))) STORED;

-- A prediction written (or moved to another study, condition or level) takes its label's severity.
CREATE FUNCTION "Prediction_take_label"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW."labelSeverity" := (SELECT l."severity" FROM "Label" l
                          WHERE l."studyId" = NEW."studyId" AND l."condition" = NEW."condition" AND l."level" = NEW."level");
  RETURN NEW;
END;
$$;
CREATE TRIGGER "Prediction_take_label" BEFORE INSERT OR UPDATE OF "studyId", "condition", "level" ON "Prediction"
  FOR EACH ROW EXECUTE FUNCTION "Prediction_take_label"();

-- A statement writing labels copies them to the predictions of every model set at the keys it touched (old and new
-- keys, so a label moved or deleted leaves NULL behind): one UPDATE per statement, from its transition tables.
-- Rows already equal are not rewritten.
CREATE FUNCTION "Label_copy_to_predictions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE "Prediction" p SET "labelSeverity" = n."severity" FROM new_rows n
    WHERE p."studyId" = n."studyId" AND p."condition" = n."condition" AND p."level" = n."level"
      AND p."labelSeverity" IS DISTINCT FROM n."severity";
  ELSIF TG_OP = 'DELETE' THEN
    UPDATE "Prediction" p SET "labelSeverity" = NULL FROM old_rows o
    WHERE p."studyId" = o."studyId" AND p."condition" = o."condition" AND p."level" = o."level"
      AND p."labelSeverity" IS NOT NULL;
  ELSE
    UPDATE "Prediction" p SET "labelSeverity" = (SELECT l."severity" FROM "Label" l
                                                 WHERE l."studyId" = p."studyId" AND l."condition" = p."condition" AND l."level" = p."level")
    FROM (SELECT "studyId", "condition", "level" FROM old_rows UNION SELECT "studyId", "condition", "level" FROM new_rows) k
    WHERE p."studyId" = k."studyId" AND p."condition" = k."condition" AND p."level" = k."level";
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "Label_copy_insert" AFTER INSERT ON "Label"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_copy_to_predictions"();
CREATE TRIGGER "Label_copy_update" AFTER UPDATE ON "Label"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_copy_to_predictions"();
CREATE TRIGGER "Label_copy_delete" AFTER DELETE ON "Label"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_copy_to_predictions"();

CREATE FUNCTION "Label_truncate_predictions"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE "Prediction" SET "labelSeverity" = NULL WHERE "labelSeverity" IS NOT NULL;
  RETURN NULL;
END;
$$;
CREATE TRIGGER "Label_copy_truncate" AFTER TRUNCATE ON "Label" FOR EACH STATEMENT EXECUTE FUNCTION "Label_truncate_predictions"();

-- Copies every label again: the backfill below, and the repair after a bulk load that bypassed triggers
-- (session_replication_role = replica, pg_restore --disable-triggers).
CREATE FUNCTION "Prediction_label_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "Prediction", "Label" IN SHARE MODE;
  UPDATE "Prediction" p SET "labelSeverity" = l."severity" FROM "Label" l
  WHERE l."studyId" = p."studyId" AND l."condition" = p."condition" AND l."level" = p."level"
    AND p."labelSeverity" IS DISTINCT FROM l."severity";
  UPDATE "Prediction" p SET "labelSeverity" = NULL
  WHERE p."labelSeverity" IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM "Label" l WHERE l."studyId" = p."studyId" AND l."condition" = p."condition" AND l."level" = p."level");
END;
$$;

SELECT "Prediction_label_rebuild"();

-- CreateIndex
-- The review queue's DISAGREEMENT keyset order (walked backwards: highest first).
CREATE INDEX "Prediction_modelSetId_weightedLoss_id_idx" ON "Prediction"("modelSetId", "weightedLoss", "id");

-- CreateIndex
-- A model set's rows in study order with everything the analytics read (the columns after "level" only ride along;
-- Prisma does not model INCLUDE): index-only scans feed compareModelSets' merge join of two sets, agreement and the
-- grouped cohortSummary.
CREATE INDEX "Prediction_modelSetId_studyId_condition_level_labelSeverity_idx" ON "Prediction"("modelSetId", "studyId", "condition", "level", "labelSeverity", "weightedLoss", "normalMild", "moderate", "severe", "severity");
