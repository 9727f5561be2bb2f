-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "slaPausedSeconds" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "finding_suppressionRuleId_idx" ON "finding"("suppressionRuleId");
