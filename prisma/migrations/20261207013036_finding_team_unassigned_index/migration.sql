-- DropIndex
DROP INDEX "finding_teamId_status_idx";

-- CreateIndex
CREATE INDEX "finding_teamId_assigneeId_status_idx" ON "finding"("teamId", "assigneeId", "status");
