-- AlterTable
ALTER TABLE "Study" ADD COLUMN     "ageBand" TEXT,
ADD COLUMN     "fieldStrength" DOUBLE PRECISION,
ADD COLUMN     "manufacturer" TEXT,
ADD COLUMN     "sex" TEXT,
ADD COLUMN     "sliceThickness" DOUBLE PRECISION;

-- Backfill: the slice thickness of studies imported before it was kept on the study (the thinnest of its series).
-- Sex, age band, vendor and field strength were never stored, so those studies stay in the group "unknown".
UPDATE "Study" s SET "sliceThickness" = t.thickness
FROM (SELECT "studyId", min("sliceThickness") AS thickness FROM "Series" GROUP BY 1) t
WHERE s.id = t."studyId" AND t.thickness IS NOT NULL;
