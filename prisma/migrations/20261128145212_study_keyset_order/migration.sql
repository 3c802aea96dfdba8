-- CreateIndex
CREATE INDEX "Study_createdAt_id_idx" ON "Study"("createdAt", "id");
