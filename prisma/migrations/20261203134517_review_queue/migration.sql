-- AlterTable
-- entropy is GENERATED (hand-written; the engine does not model generation expressions, so the drift check sees a
-- nullable double column, as schema.prisma declares): every writer gets it, bulk loads in replica mode included.
ALTER TABLE "Prediction" ADD COLUMN     "entropy" DOUBLE PRECISION GENERATED ALWAYS AS (
  -(CASE WHEN "normalMild" > 0 THEN "normalMild" * ln("normalMild") ELSE 0 END
  + CASE WHEN "moderate" > 0 THEN "moderate" * ln("moderate") ELSE 0 END
  + CASE WHEN "severe" > 0 THEN "severe" * ln("severe") ELSE 0 END)) STORED,
ADD COLUMN     "memberProbabilities" BYTEA,
ADD COLUMN     "memberSpread" DOUBLE PRECISION;

-- CreateTable
CREATE TABLE "ReviewMark" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "severity" "Severity",
    "labelSeverity" "Severity",
    "note" TEXT,
    "reviewedById" UUID,
    "reviewedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ReviewMark_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ReviewMark_studyId_condition_level_key" ON "ReviewMark"("studyId", "condition", "level");

-- CreateIndex
CREATE INDEX "Prediction_modelSetId_entropy_id_idx" ON "Prediction"("modelSetId", "entropy", "id");

-- CreateIndex
CREATE INDEX "Prediction_modelSetId_memberSpread_id_idx" ON "Prediction"("modelSetId", "memberSpread", "id");

-- AddForeignKey
ALTER TABLE "ReviewMark" ADD CONSTRAINT "ReviewMark_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;
