-- AlterTable
ALTER TABLE "ingest_run" ADD COLUMN     "heartbeatAt" TIMESTAMP(3),
ADD COLUMN     "owner" TEXT;

-- CreateIndex
CREATE INDEX "ingest_run_status_idx" ON "ingest_run"("status");
