-- CreateTable
CREATE TABLE "SavedCohort" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SavedCohort_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CohortVersion" (
    "id" UUID NOT NULL,
    "cohortId" UUID NOT NULL,
    "version" INTEGER NOT NULL,
    "description" TEXT,
    "filter" JSONB NOT NULL,
    "studyIds" UUID[],
    "studyCount" INTEGER NOT NULL,
    "hash" TEXT NOT NULL,
    "createdById" UUID,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CohortVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CohortCitation" (
    "id" UUID NOT NULL,
    "cohortId" UUID NOT NULL,
    "versionId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "userId" UUID,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CohortCitation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "SavedCohort_projectId_name_key" ON "SavedCohort"("projectId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "CohortVersion_cohortId_version_key" ON "CohortVersion"("cohortId", "version");

-- CreateIndex
CREATE INDEX "CohortCitation_cohortId_idx" ON "CohortCitation"("cohortId");

-- CreateIndex
CREATE INDEX "CohortCitation_versionId_idx" ON "CohortCitation"("versionId");

-- AddForeignKey
ALTER TABLE "SavedCohort" ADD CONSTRAINT "SavedCohort_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortVersion" ADD CONSTRAINT "CohortVersion_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "SavedCohort"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortCitation" ADD CONSTRAINT "CohortCitation_cohortId_fkey" FOREIGN KEY ("cohortId") REFERENCES "SavedCohort"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "CohortCitation" ADD CONSTRAINT "CohortCitation_versionId_fkey" FOREIGN KEY ("versionId") REFERENCES "CohortVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
