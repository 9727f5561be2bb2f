-- CreateTable
CREATE TABLE "api_source_version" (
    "id" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "format" TEXT NOT NULL,
    "fileName" TEXT NOT NULL,
    "ingestRunId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "contentHash" TEXT NOT NULL,
    "snapshot" JSONB NOT NULL,
    "changes" JSONB NOT NULL,
    "changeCount" INTEGER NOT NULL DEFAULT 0,
    "breaking" INTEGER NOT NULL DEFAULT 0,
    "endpointsAdded" INTEGER NOT NULL DEFAULT 0,
    "authWeakened" INTEGER NOT NULL DEFAULT 0,
    "sensitiveAdded" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "api_source_version_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "api_source_version_apiId_format_fileName_createdAt_idx" ON "api_source_version"("apiId", "format", "fileName", "createdAt");

-- CreateIndex
CREATE INDEX "api_source_version_createdAt_idx" ON "api_source_version"("createdAt");

-- CreateIndex
CREATE INDEX "api_source_version_ingestRunId_idx" ON "api_source_version"("ingestRunId");

-- AddForeignKey
ALTER TABLE "api_source_version" ADD CONSTRAINT "api_source_version_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_source_version" ADD CONSTRAINT "api_source_version_ingestRunId_fkey" FOREIGN KEY ("ingestRunId") REFERENCES "ingest_run"("id") ON DELETE SET NULL ON UPDATE CASCADE;
