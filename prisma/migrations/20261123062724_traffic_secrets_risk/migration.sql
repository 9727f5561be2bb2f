-- CreateTable
CREATE TABLE "traffic_rollup" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "apiId" TEXT,
    "endpointId" TEXT,
    "host" TEXT,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "matched" BOOLEAN NOT NULL DEFAULT false,
    "clientKey" TEXT NOT NULL,
    "authenticated" BOOLEAN NOT NULL DEFAULT false,
    "bucketStart" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "status2xx" INTEGER NOT NULL DEFAULT 0,
    "status3xx" INTEGER NOT NULL DEFAULT 0,
    "status4xx" INTEGER NOT NULL DEFAULT 0,
    "status5xx" INTEGER NOT NULL DEFAULT 0,
    "status401" INTEGER NOT NULL DEFAULT 0,
    "status403" INTEGER NOT NULL DEFAULT 0,
    "status404" INTEGER NOT NULL DEFAULT 0,
    "status410" INTEGER NOT NULL DEFAULT 0,
    "status429" INTEGER NOT NULL DEFAULT 0,
    "unauthenticated2xx" INTEGER NOT NULL DEFAULT 0,
    "plainHttp" INTEGER NOT NULL DEFAULT 0,
    "rateLimitHeaders" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "latencySumMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "latencyMaxMs" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_rollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traffic_param_values" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "paramName" TEXT NOT NULL,
    "valueHashes" TEXT[],
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_param_values_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traffic_sample" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "events" JSONB NOT NULL,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_sample_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secret" (
    "id" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "ref" TEXT NOT NULL,
    "displayName" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL,
    "lastEventAt" TIMESTAMP(3) NOT NULL,
    "lastRotatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "secret_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "secret_api_link" (
    "secretId" TEXT NOT NULL,
    "apiId" TEXT NOT NULL,
    "via" TEXT NOT NULL,

    CONSTRAINT "secret_api_link_pkey" PRIMARY KEY ("secretId","apiId")
);

-- CreateTable
CREATE TABLE "secret_access_rollup" (
    "id" BIGSERIAL NOT NULL,
    "secretId" TEXT NOT NULL,
    "hourStart" TIMESTAMP(3) NOT NULL,
    "identity" TEXT NOT NULL,
    "operation" TEXT NOT NULL,
    "count" INTEGER NOT NULL DEFAULT 0,
    "denied" INTEGER NOT NULL DEFAULT 0,
    "sourceAddresses" TEXT[],
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "secret_access_rollup_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "risk_snapshot" (
    "id" BIGSERIAL NOT NULL,
    "apiId" TEXT NOT NULL,
    "day" DATE NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "band" TEXT NOT NULL,
    "factors" JSONB NOT NULL,

    CONSTRAINT "risk_snapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "traffic_rollup_apiId_bucketStart_idx" ON "traffic_rollup"("apiId", "bucketStart");

-- CreateIndex
CREATE INDEX "traffic_rollup_bucketStart_idx" ON "traffic_rollup"("bucketStart");

-- CreateIndex
CREATE INDEX "traffic_rollup_ingestRunId_idx" ON "traffic_rollup"("ingestRunId");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_rollup_scopeKey_method_pathTemplate_clientKey_bucke_key" ON "traffic_rollup"("scopeKey", "method", "pathTemplate", "clientKey", "bucketStart");

-- CreateIndex
CREATE INDEX "traffic_param_values_hourStart_idx" ON "traffic_param_values"("hourStart");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_param_values_scopeKey_method_pathTemplate_clientKey_key" ON "traffic_param_values"("scopeKey", "method", "pathTemplate", "clientKey", "hourStart", "paramName");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_sample_scopeKey_method_pathTemplate_clientKey_hourS_key" ON "traffic_sample"("scopeKey", "method", "pathTemplate", "clientKey", "hourStart");

-- CreateIndex
CREATE UNIQUE INDEX "secret_ref_key" ON "secret"("ref");

-- CreateIndex
CREATE INDEX "secret_api_link_apiId_idx" ON "secret_api_link"("apiId");

-- CreateIndex
CREATE INDEX "secret_access_rollup_hourStart_idx" ON "secret_access_rollup"("hourStart");

-- CreateIndex
CREATE UNIQUE INDEX "secret_access_rollup_secretId_hourStart_identity_operation_key" ON "secret_access_rollup"("secretId", "hourStart", "identity", "operation");

-- CreateIndex
CREATE INDEX "risk_snapshot_day_idx" ON "risk_snapshot"("day");

-- CreateIndex
CREATE UNIQUE INDEX "risk_snapshot_apiId_day_key" ON "risk_snapshot"("apiId", "day");

-- AddForeignKey
ALTER TABLE "secret_api_link" ADD CONSTRAINT "secret_api_link_secretId_fkey" FOREIGN KEY ("secretId") REFERENCES "secret"("id") ON DELETE CASCADE ON UPDATE CASCADE;
