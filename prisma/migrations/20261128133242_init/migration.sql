-- CreateEnum
CREATE TYPE "Role" AS ENUM ('ADMIN', 'RESEARCHER', 'VIEWER');

-- CreateEnum
CREATE TYPE "SeriesType" AS ENUM ('SAGITTAL_T1', 'SAGITTAL_T2_STIR', 'AXIAL_T2', 'OTHER');

-- CreateEnum
CREATE TYPE "Orientation" AS ENUM ('SAGITTAL', 'CORONAL', 'AXIAL', 'OBLIQUE');

-- CreateEnum
CREATE TYPE "Condition" AS ENUM ('SPINAL_CANAL_STENOSIS', 'LEFT_NEURAL_FORAMINAL_NARROWING', 'RIGHT_NEURAL_FORAMINAL_NARROWING', 'LEFT_SUBARTICULAR_STENOSIS', 'RIGHT_SUBARTICULAR_STENOSIS');

-- CreateEnum
CREATE TYPE "Level" AS ENUM ('L1_L2', 'L2_L3', 'L3_L4', 'L4_L5', 'L5_S1');

-- CreateEnum
CREATE TYPE "Severity" AS ENUM ('NORMAL_MILD', 'MODERATE', 'SEVERE');

-- CreateEnum
CREATE TYPE "Side" AS ENUM ('NONE', 'LEFT', 'RIGHT');

-- CreateEnum
CREATE TYPE "KeypointSource" AS ENUM ('MODEL', 'MANUAL');

-- CreateEnum
CREATE TYPE "LabelSource" AS ENUM ('CSV', 'MANUAL', 'SYNTHETIC');

-- CreateEnum
CREATE TYPE "JobKind" AS ENUM ('IMPORT', 'INFERENCE', 'TRAINING');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('QUEUED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "AuditOutcome" AS ENUM ('SUCCESS', 'DENIED', 'ERROR');

-- CreateTable
CREATE TABLE "Project" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Project_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "email" TEXT NOT NULL,
    "displayName" TEXT,
    "externalSub" TEXT,
    "isAdmin" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "projectId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "role" "Role" NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("projectId","userId")
);

-- CreateTable
CREATE TABLE "Study" (
    "id" UUID NOT NULL,
    "projectId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "patientKey" TEXT,
    "studyUidHash" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Study_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Series" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "externalId" TEXT NOT NULL,
    "seriesUidHash" TEXT,
    "type" "SeriesType" NOT NULL,
    "description" TEXT,
    "orientation" "Orientation",
    "rows" INTEGER,
    "columns" INTEGER,
    "pixelSpacing" DOUBLE PRECISION[],
    "sliceThickness" DOUBLE PRECISION,
    "spacingBetweenSlices" DOUBLE PRECISION,
    "stackCount" INTEGER NOT NULL DEFAULT 1,
    "instanceCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Series_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Instance" (
    "id" UUID NOT NULL,
    "seriesId" UUID NOT NULL,
    "sopInstanceUid" TEXT NOT NULL,
    "instanceNumber" INTEGER,
    "stackIndex" INTEGER NOT NULL DEFAULT 0,
    "sliceIndex" INTEGER NOT NULL DEFAULT 0,
    "storageUri" TEXT NOT NULL,
    "sizeBytes" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "transferSyntaxUid" TEXT NOT NULL,
    "rows" INTEGER NOT NULL,
    "columns" INTEGER NOT NULL,
    "numberOfFrames" INTEGER NOT NULL DEFAULT 1,
    "imagePositionPatient" DOUBLE PRECISION[],
    "imageOrientationPatient" DOUBLE PRECISION[],
    "pixelSpacing" DOUBLE PRECISION[],
    "slicePosition" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Instance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Label" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "severity" "Severity" NOT NULL,
    "source" "LabelSource" NOT NULL DEFAULT 'CSV',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Label_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LabelCoordinate" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "seriesId" UUID NOT NULL,
    "instanceId" UUID,
    "instanceNumber" INTEGER NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "x" DOUBLE PRECISION NOT NULL,
    "y" DOUBLE PRECISION NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LabelCoordinate_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelVersion" (
    "id" UUID NOT NULL,
    "role" TEXT NOT NULL,
    "architecture" TEXT NOT NULL,
    "fold" INTEGER,
    "artifactUri" TEXT NOT NULL,
    "sha256" TEXT NOT NULL,
    "manifest" JSONB NOT NULL,
    "metrics" JSONB,
    "producedByJobId" UUID,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ModelVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelSet" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "contentHash" TEXT NOT NULL,
    "isActive" BOOLEAN NOT NULL DEFAULT false,
    "metrics" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "activatedAt" TIMESTAMPTZ(3),

    CONSTRAINT "ModelSet_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ModelSetMember" (
    "modelSetId" UUID NOT NULL,
    "modelVersionId" UUID NOT NULL,

    CONSTRAINT "ModelSetMember_pkey" PRIMARY KEY ("modelSetId","modelVersionId")
);

-- CreateTable
CREATE TABLE "Keypoint" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "seriesId" UUID NOT NULL,
    "instanceId" UUID,
    "level" "Level" NOT NULL,
    "side" "Side" NOT NULL DEFAULT 'NONE',
    "role" TEXT NOT NULL,
    "pixelX" DOUBLE PRECISION NOT NULL,
    "pixelY" DOUBLE PRECISION NOT NULL,
    "patientX" DOUBLE PRECISION NOT NULL,
    "patientY" DOUBLE PRECISION NOT NULL,
    "patientZ" DOUBLE PRECISION NOT NULL,
    "score" DOUBLE PRECISION,
    "source" "KeypointSource" NOT NULL,
    "modelSetId" UUID,
    "correctedById" UUID,
    "note" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Keypoint_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Prediction" (
    "id" UUID NOT NULL,
    "studyId" UUID NOT NULL,
    "condition" "Condition" NOT NULL,
    "level" "Level" NOT NULL,
    "normalMild" DOUBLE PRECISION NOT NULL,
    "moderate" DOUBLE PRECISION NOT NULL,
    "severe" DOUBLE PRECISION NOT NULL,
    "severity" "Severity" NOT NULL,
    "modelSetId" UUID NOT NULL,
    "jobId" UUID,
    "fallback" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Prediction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Job" (
    "id" UUID NOT NULL,
    "kind" "JobKind" NOT NULL,
    "status" "JobStatus" NOT NULL DEFAULT 'QUEUED',
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "stage" TEXT,
    "message" TEXT,
    "params" JSONB NOT NULL,
    "result" JSONB,
    "errorCode" TEXT,
    "errorMessage" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "projectId" UUID,
    "modelSetId" UUID,
    "parentId" UUID,
    "requestedById" UUID,
    "queueJobId" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditEvent" (
    "id" BIGSERIAL NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "userId" UUID,
    "userEmail" TEXT,
    "action" TEXT NOT NULL,
    "targetIds" TEXT[],
    "filter" JSONB,
    "outcome" "AuditOutcome" NOT NULL,
    "requestId" TEXT,
    "detail" TEXT,

    CONSTRAINT "AuditEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Project_name_key" ON "Project"("name");

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "User_externalSub_key" ON "User"("externalSub");

-- CreateIndex
CREATE INDEX "Membership_userId_idx" ON "Membership"("userId");

-- CreateIndex
CREATE INDEX "Study_projectId_createdAt_idx" ON "Study"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "Study_patientKey_idx" ON "Study"("patientKey");

-- CreateIndex
CREATE UNIQUE INDEX "Study_projectId_externalId_key" ON "Study"("projectId", "externalId");

-- CreateIndex
CREATE INDEX "Series_studyId_type_idx" ON "Series"("studyId", "type");

-- CreateIndex
CREATE UNIQUE INDEX "Series_studyId_externalId_key" ON "Series"("studyId", "externalId");

-- CreateIndex
CREATE INDEX "Instance_seriesId_stackIndex_sliceIndex_idx" ON "Instance"("seriesId", "stackIndex", "sliceIndex");

-- CreateIndex
CREATE INDEX "Instance_seriesId_instanceNumber_idx" ON "Instance"("seriesId", "instanceNumber");

-- CreateIndex
CREATE UNIQUE INDEX "Instance_seriesId_sopInstanceUid_key" ON "Instance"("seriesId", "sopInstanceUid");

-- CreateIndex
CREATE INDEX "Label_condition_level_severity_idx" ON "Label"("condition", "level", "severity");

-- CreateIndex
CREATE UNIQUE INDEX "Label_studyId_condition_level_key" ON "Label"("studyId", "condition", "level");

-- CreateIndex
CREATE INDEX "LabelCoordinate_seriesId_idx" ON "LabelCoordinate"("seriesId");

-- CreateIndex
CREATE UNIQUE INDEX "LabelCoordinate_studyId_seriesId_condition_level_key" ON "LabelCoordinate"("studyId", "seriesId", "condition", "level");

-- CreateIndex
CREATE UNIQUE INDEX "ModelVersion_sha256_key" ON "ModelVersion"("sha256");

-- CreateIndex
CREATE INDEX "ModelVersion_role_idx" ON "ModelVersion"("role");

-- CreateIndex
CREATE UNIQUE INDEX "ModelSet_name_key" ON "ModelSet"("name");

-- CreateIndex
CREATE UNIQUE INDEX "ModelSet_contentHash_key" ON "ModelSet"("contentHash");

-- CreateIndex
CREATE INDEX "ModelSetMember_modelVersionId_idx" ON "ModelSetMember"("modelVersionId");

-- CreateIndex
CREATE INDEX "Keypoint_studyId_modelSetId_idx" ON "Keypoint"("studyId", "modelSetId");

-- CreateIndex
CREATE INDEX "Keypoint_seriesId_idx" ON "Keypoint"("seriesId");

-- CreateIndex
CREATE INDEX "Prediction_modelSetId_condition_level_severity_idx" ON "Prediction"("modelSetId", "condition", "level", "severity");

-- CreateIndex
CREATE UNIQUE INDEX "Prediction_studyId_condition_level_modelSetId_key" ON "Prediction"("studyId", "condition", "level", "modelSetId");

-- CreateIndex
CREATE INDEX "Job_kind_status_createdAt_idx" ON "Job"("kind", "status", "createdAt");

-- CreateIndex
CREATE INDEX "Job_parentId_idx" ON "Job"("parentId");

-- CreateIndex
CREATE INDEX "Job_projectId_createdAt_idx" ON "Job"("projectId", "createdAt");

-- CreateIndex
CREATE INDEX "AuditEvent_at_idx" ON "AuditEvent"("at");

-- CreateIndex
CREATE INDEX "AuditEvent_userId_at_idx" ON "AuditEvent"("userId", "at");

-- CreateIndex
CREATE INDEX "AuditEvent_action_at_idx" ON "AuditEvent"("action", "at");

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Study" ADD CONSTRAINT "Study_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Series" ADD CONSTRAINT "Series_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Instance" ADD CONSTRAINT "Instance_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Label" ADD CONSTRAINT "Label_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelCoordinate" ADD CONSTRAINT "LabelCoordinate_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelCoordinate" ADD CONSTRAINT "LabelCoordinate_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LabelCoordinate" ADD CONSTRAINT "LabelCoordinate_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelVersion" ADD CONSTRAINT "ModelVersion_producedByJobId_fkey" FOREIGN KEY ("producedByJobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelSetMember" ADD CONSTRAINT "ModelSetMember_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ModelSetMember" ADD CONSTRAINT "ModelSetMember_modelVersionId_fkey" FOREIGN KEY ("modelVersionId") REFERENCES "ModelVersion"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keypoint" ADD CONSTRAINT "Keypoint_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keypoint" ADD CONSTRAINT "Keypoint_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "Series"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keypoint" ADD CONSTRAINT "Keypoint_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "Instance"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keypoint" ADD CONSTRAINT "Keypoint_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Keypoint" ADD CONSTRAINT "Keypoint_correctedById_fkey" FOREIGN KEY ("correctedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_studyId_fkey" FOREIGN KEY ("studyId") REFERENCES "Study"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Prediction" ADD CONSTRAINT "Prediction_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "Job"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_modelSetId_fkey" FOREIGN KEY ("modelSetId") REFERENCES "ModelSet"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_parentId_fkey" FOREIGN KEY ("parentId") REFERENCES "Job"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Job" ADD CONSTRAINT "Job_requestedById_fkey" FOREIGN KEY ("requestedById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Hand-written (the schema engine does not model triggers, so the drift check neither needs nor loses this):
-- AuditEvent is append-only, as schema.prisma promises. The database itself refuses UPDATE and DELETE,
-- whatever client or role issues them.
CREATE FUNCTION "AuditEvent_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'AuditEvent is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;

CREATE TRIGGER "AuditEvent_append_only"
BEFORE UPDATE OR DELETE ON "AuditEvent"
FOR EACH ROW EXECUTE FUNCTION "AuditEvent_refuse_change"();
