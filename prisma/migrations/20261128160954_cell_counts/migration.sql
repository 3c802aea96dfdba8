-- CreateTable
CREATE TABLE "PredictionCellCount" (
    "modelSetId" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "severity" "Severity" NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "PredictionCellCount_pkey" PRIMARY KEY ("modelSetId","projectId","condition","level","severity")
);

-- CreateTable
CREATE TABLE "LabelCellCount" (
    "projectId" UUID NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "severity" "Severity" NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "LabelCellCount_pkey" PRIMARY KEY ("projectId","condition","level","severity")
);

-- CreateIndex
CREATE INDEX "PredictionCellCount_projectId_idx" ON "PredictionCellCount"("projectId");

-- AddForeignKey
ALTER TABLE "PredictionCellCount" ADD CONSTRAINT "PredictionCellCount_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "PredictionCellCount" ADD CONSTRAINT "PredictionCellCount_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelCellCount" ADD CONSTRAINT "LabelCellCount_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Hand-written: the counts are kept by triggers, so every writer (inference, import, bulk SQL, cascades) keeps them
-- exact without knowing of them. A statement's rows are counted from its transition tables: one upsert of at most
-- 75 rows per model set and project, whatever the statement's size.

-- Recounts both tables from the rows: the backfill below, and the repair after a bulk load that bypassed triggers
-- (session_replication_role = replica, pg_restore --disable-triggers). SHARE locks wait for writers in flight and
-- hold new ones off until the recount commits, so it is exact even on a live database.
CREATE FUNCTION "CellCounts_rebuild"() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE "Study", "Prediction", "Label" IN SHARE MODE;
  DELETE FROM "PredictionCellCount";
  INSERT INTO "PredictionCellCount" ("modelSetId", "projectId", "condition", "level", "severity", "count")
  SELECT p."modelSetId", s."projectId", p."condition", p."level", p."severity", count(*)::int
  FROM "Prediction" p JOIN "Study" s ON s."id" = p."studyId"
  GROUP BY 1, 2, 3, 4, 5;
  DELETE FROM "LabelCellCount";
  INSERT INTO "LabelCellCount" ("projectId", "condition", "level", "severity", "count")
  SELECT s."projectId", l."condition", l."level", l."severity", count(*)::int
  FROM "Label" l JOIN "Study" s ON s."id" = l."studyId"
  GROUP BY 1, 2, 3, 4;
END;
$$;

SELECT "CellCounts_rebuild"();

-- Writers of one model set (of one project, for labels) adjust counts one transaction at a time: an upsert that both
-- inserts and updates rows locks count rows in two steps, which could otherwise interleave with another writer's and
-- deadlock. Keys are taken in order, so two writers never wait on each other in opposite orders.
CREATE FUNCTION "CellCount_lock"(kind text, ids uuid[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  key uuid;
BEGIN
  FOR key IN SELECT DISTINCT k FROM unnest(ids) AS k WHERE k IS NOT NULL ORDER BY 1 LOOP
    PERFORM pg_advisory_xact_lock(hashtextextended(kind || ':' || key::text, 0));
  END LOOP;
END;
$$;

-- Rows whose study is gone (deleted in this transaction: "Study_uncount_cells" subtracted them already) or whose
-- model set is gone (its counts go with it by cascade) are skipped by the joins. Cells that net to zero are not
-- touched, so a rerun that changes no severity takes no row lock.
CREATE FUNCTION "Prediction_count_cells"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "CellCount_lock"('PredictionCellCount', ARRAY(SELECT DISTINCT "modelSetId" FROM new_rows));
    INSERT INTO "PredictionCellCount" AS c ("modelSetId", "projectId", "condition", "level", "severity", "count")
    SELECT d."modelSetId", s."projectId", d."condition", d."level", d."severity", count(*)::int
    FROM new_rows d JOIN "Study" s ON s."id" = d."studyId" JOIN "ModelSet" m ON m."id" = d."modelSetId"
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("modelSetId", "projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM "CellCount_lock"('PredictionCellCount', ARRAY(SELECT "modelSetId" FROM new_rows UNION SELECT "modelSetId" FROM old_rows));
    INSERT INTO "PredictionCellCount" AS c ("modelSetId", "projectId", "condition", "level", "severity", "count")
    SELECT d."modelSetId", s."projectId", d."condition", d."level", d."severity", sum(d.n)::int
    FROM (SELECT "studyId", "modelSetId", "condition", "level", "severity", 1 AS n FROM new_rows
          UNION ALL
          SELECT "studyId", "modelSetId", "condition", "level", "severity", -1 AS n FROM old_rows) d
    JOIN "Study" s ON s."id" = d."studyId" JOIN "ModelSet" m ON m."id" = d."modelSetId"
    GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("modelSetId", "projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSE
    PERFORM "CellCount_lock"('PredictionCellCount', ARRAY(SELECT DISTINCT "modelSetId" FROM old_rows));
    INSERT INTO "PredictionCellCount" AS c ("modelSetId", "projectId", "condition", "level", "severity", "count")
    SELECT d."modelSetId", s."projectId", d."condition", d."level", d."severity", -count(*)::int
    FROM old_rows d JOIN "Study" s ON s."id" = d."studyId" JOIN "ModelSet" m ON m."id" = d."modelSetId"
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
    ON CONFLICT ("modelSetId", "projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Prediction_count_cells_insert" AFTER INSERT ON "Prediction"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_count_cells"();
CREATE TRIGGER "Prediction_count_cells_update" AFTER UPDATE ON "Prediction"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_count_cells"();
CREATE TRIGGER "Prediction_count_cells_delete" AFTER DELETE ON "Prediction"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Prediction_count_cells"();

CREATE FUNCTION "Label_count_cells"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM "CellCount_lock"('LabelCellCount', ARRAY(SELECT DISTINCT s."projectId" FROM new_rows d JOIN "Study" s ON s."id" = d."studyId"));
    INSERT INTO "LabelCellCount" AS c ("projectId", "condition", "level", "severity", "count")
    SELECT s."projectId", d."condition", d."level", d."severity", count(*)::int
    FROM new_rows d JOIN "Study" s ON s."id" = d."studyId"
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSIF TG_OP = 'UPDATE' THEN
    PERFORM "CellCount_lock"('LabelCellCount', ARRAY(
      SELECT s."projectId" FROM (SELECT "studyId" FROM new_rows UNION SELECT "studyId" FROM old_rows) d JOIN "Study" s ON s."id" = d."studyId"));
    INSERT INTO "LabelCellCount" AS c ("projectId", "condition", "level", "severity", "count")
    SELECT s."projectId", d."condition", d."level", d."severity", sum(d.n)::int
    FROM (SELECT "studyId", "condition", "level", "severity", 1 AS n FROM new_rows
          UNION ALL
          SELECT "studyId", "condition", "level", "severity", -1 AS n FROM old_rows) d
    JOIN "Study" s ON s."id" = d."studyId"
    GROUP BY 1, 2, 3, 4 HAVING sum(d.n) <> 0 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  ELSE
    PERFORM "CellCount_lock"('LabelCellCount', ARRAY(SELECT DISTINCT s."projectId" FROM old_rows d JOIN "Study" s ON s."id" = d."studyId"));
    INSERT INTO "LabelCellCount" AS c ("projectId", "condition", "level", "severity", "count")
    SELECT s."projectId", d."condition", d."level", d."severity", -count(*)::int
    FROM old_rows d JOIN "Study" s ON s."id" = d."studyId"
    GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
    ON CONFLICT ("projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Label_count_cells_insert" AFTER INSERT ON "Label"
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_count_cells"();
CREATE TRIGGER "Label_count_cells_update" AFTER UPDATE ON "Label"
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_count_cells"();
CREATE TRIGGER "Label_count_cells_delete" AFTER DELETE ON "Label"
REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION "Label_count_cells"();

-- A study's predictions and labels are deleted by cascade after the study row is gone, when their triggers can no
-- longer find its project: they are subtracted here, before. A study moved to another project moves its counts.
CREATE FUNCTION "Study_uncount_cells"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "CellCount_lock"('PredictionCellCount', ARRAY(SELECT DISTINCT "modelSetId" FROM "Prediction" WHERE "studyId" = OLD."id"));
  PERFORM "CellCount_lock"('LabelCellCount', ARRAY[OLD."projectId"]);
  INSERT INTO "PredictionCellCount" AS c ("modelSetId", "projectId", "condition", "level", "severity", "count")
  SELECT p."modelSetId", OLD."projectId", p."condition", p."level", p."severity", -count(*)::int
  FROM "Prediction" p WHERE p."studyId" = OLD."id"
  GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("modelSetId", "projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  INSERT INTO "LabelCellCount" AS c ("projectId", "condition", "level", "severity", "count")
  SELECT OLD."projectId", l."condition", l."level", l."severity", -count(*)::int
  FROM "Label" l WHERE l."studyId" = OLD."id"
  GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
  ON CONFLICT ("projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  RETURN OLD;
END;
$$;

CREATE FUNCTION "Study_move_cells"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM "CellCount_lock"('PredictionCellCount', ARRAY(SELECT DISTINCT "modelSetId" FROM "Prediction" WHERE "studyId" = NEW."id"));
  PERFORM "CellCount_lock"('LabelCellCount', ARRAY[OLD."projectId", NEW."projectId"]);
  INSERT INTO "PredictionCellCount" AS c ("modelSetId", "projectId", "condition", "level", "severity", "count")
  SELECT p."modelSetId", x.project, p."condition", p."level", p."severity", (x.sign * count(*))::int
  FROM "Prediction" p CROSS JOIN (VALUES (OLD."projectId", -1), (NEW."projectId", 1)) AS x(project, sign)
  WHERE p."studyId" = NEW."id"
  GROUP BY 1, 2, 3, 4, 5, x.sign ORDER BY 1, 2, 3, 4, 5
  ON CONFLICT ("modelSetId", "projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  INSERT INTO "LabelCellCount" AS c ("projectId", "condition", "level", "severity", "count")
  SELECT x.project, l."condition", l."level", l."severity", (x.sign * count(*))::int
  FROM "Label" l CROSS JOIN (VALUES (OLD."projectId", -1), (NEW."projectId", 1)) AS x(project, sign)
  WHERE l."studyId" = NEW."id"
  GROUP BY 1, 2, 3, 4, x.sign ORDER BY 1, 2, 3, 4
  ON CONFLICT ("projectId", "condition", "level", "severity") DO UPDATE SET "count" = c."count" + EXCLUDED."count";
  RETURN NULL;
END;
$$;

CREATE TRIGGER "Study_uncount_cells" BEFORE DELETE ON "Study"
FOR EACH ROW EXECUTE FUNCTION "Study_uncount_cells"();
CREATE TRIGGER "Study_move_cells" AFTER UPDATE OF "projectId" ON "Study"
FOR EACH ROW WHEN (OLD."projectId" IS DISTINCT FROM NEW."projectId") EXECUTE FUNCTION "Study_move_cells"();

-- TRUNCATE fires no row or transition-table triggers; it empties the counts with the table.
CREATE FUNCTION "PredictionCellCount_clear"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "PredictionCellCount";
  RETURN NULL;
END;
$$;
CREATE FUNCTION "LabelCellCount_clear"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "LabelCellCount";
  RETURN NULL;
END;
$$;
CREATE TRIGGER "Prediction_clear_cells" AFTER TRUNCATE ON "Prediction" FOR EACH STATEMENT EXECUTE FUNCTION "PredictionCellCount_clear"();
CREATE TRIGGER "Label_clear_cells" AFTER TRUNCATE ON "Label" FOR EACH STATEMENT EXECUTE FUNCTION "LabelCellCount_clear"();
