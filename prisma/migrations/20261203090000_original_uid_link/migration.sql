-- Original UIDs of DICOMweb pulls with linkage enabled, sealed (AES-256-GCM); read only by the SR export.
CREATE TABLE "OriginalUidLink" (
    "projectId" UUID NOT NULL,
    "pseudonymousUid" TEXT NOT NULL,
    "level" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "sealedUid" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OriginalUidLink_pkey" PRIMARY KEY ("projectId","pseudonymousUid")
);

-- AddForeignKey
ALTER TABLE "OriginalUidLink" ADD CONSTRAINT "OriginalUidLink_projectId_fkey" FOREIGN KEY ("projectId") REFERENCES "Project"("id") ON DELETE CASCADE ON UPDATE CASCADE;
