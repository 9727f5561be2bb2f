-- CreateTable
CREATE TABLE "traffic_param_day" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "paramName" TEXT NOT NULL,
    "valueHashes" BIGINT[],
    "sketch" BYTEA,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_param_day_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "traffic_param_day_day_idx" ON "traffic_param_day"("day");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_param_day_scopeKey_method_pathTemplate_clientKey_da_key" ON "traffic_param_day"("scopeKey", "method", "pathTemplate", "clientKey", "day", "paramName");
