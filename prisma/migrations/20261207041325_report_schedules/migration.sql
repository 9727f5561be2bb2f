-- CreateTable
CREATE TABLE "report_schedule" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "framework" TEXT NOT NULL,
    "scopeKind" TEXT NOT NULL,
    "scopeSlug" TEXT,
    "cadence" TEXT NOT NULL,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "nextRunAt" TIMESTAMP(3) NOT NULL,
    "lastRunAt" TIMESTAMP(3),
    "createdById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "report_schedule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "report_run" (
    "id" TEXT NOT NULL,
    "scheduleId" TEXT,
    "framework" TEXT NOT NULL,
    "scopeKind" TEXT NOT NULL,
    "scopeSlug" TEXT,
    "scopeLabel" TEXT NOT NULL,
    "scopeTeamId" TEXT,
    "scopeApiId" TEXT,
    "periodFrom" TIMESTAMP(3) NOT NULL,
    "periodTo" TIMESTAMP(3) NOT NULL,
    "trigger" TEXT NOT NULL,
    "createdById" TEXT,
    "generatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "status" TEXT NOT NULL,
    "error" TEXT,
    "document" JSONB,
    "passing" INTEGER NOT NULL DEFAULT 0,
    "failing" INTEGER NOT NULL DEFAULT 0,
    "notAssessed" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "report_run_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "report_schedule_active_nextRunAt_idx" ON "report_schedule"("active", "nextRunAt");

-- CreateIndex
CREATE INDEX "report_run_generatedAt_idx" ON "report_run"("generatedAt" DESC);

-- CreateIndex
CREATE INDEX "report_run_scheduleId_generatedAt_idx" ON "report_run"("scheduleId", "generatedAt");

-- CreateIndex
CREATE INDEX "report_run_framework_scopeKind_scopeSlug_periodTo_idx" ON "report_run"("framework", "scopeKind", "scopeSlug", "periodTo");

-- AddForeignKey
ALTER TABLE "report_run" ADD CONSTRAINT "report_run_scheduleId_fkey" FOREIGN KEY ("scheduleId") REFERENCES "report_schedule"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report_run" ADD CONSTRAINT "report_run_scopeTeamId_fkey" FOREIGN KEY ("scopeTeamId") REFERENCES "team"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "report_run" ADD CONSTRAINT "report_run_scopeApiId_fkey" FOREIGN KEY ("scopeApiId") REFERENCES "api"("id") ON DELETE SET NULL ON UPDATE CASCADE;
