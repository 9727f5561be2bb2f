-- Gateway traffic moves from one client × endpoint × minute table to three tiers (endpoint × hour, client × day,
-- busy or failing client × endpoint minutes). Existing rollups are converted, then the old table is dropped.

-- CreateTable
CREATE TABLE "traffic_endpoint_hour" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "apiId" TEXT,
    "endpointId" TEXT,
    "host" TEXT,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "matched" BOOLEAN NOT NULL DEFAULT false,
    "hourStart" TIMESTAMP(3) NOT NULL,
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

    CONSTRAINT "traffic_endpoint_hour_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traffic_client_day" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "apiId" TEXT,
    "host" TEXT,
    "clientKey" TEXT NOT NULL,
    "authenticated" BOOLEAN NOT NULL DEFAULT false,
    "day" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "status2xx" INTEGER NOT NULL DEFAULT 0,
    "status4xx" INTEGER NOT NULL DEFAULT 0,
    "status5xx" INTEGER NOT NULL DEFAULT 0,
    "status401" INTEGER NOT NULL DEFAULT 0,
    "status403" INTEGER NOT NULL DEFAULT 0,
    "status429" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_client_day_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "traffic_client_minute" (
    "id" BIGSERIAL NOT NULL,
    "scopeKey" TEXT NOT NULL,
    "apiId" TEXT,
    "endpointId" TEXT,
    "method" TEXT NOT NULL,
    "pathTemplate" TEXT NOT NULL,
    "clientKey" TEXT NOT NULL,
    "minuteStart" TIMESTAMP(3) NOT NULL,
    "requests" INTEGER NOT NULL DEFAULT 0,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "status429" INTEGER NOT NULL DEFAULT 0,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "traffic_client_minute_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "traffic_endpoint_hour_apiId_hourStart_idx" ON "traffic_endpoint_hour"("apiId", "hourStart");

-- CreateIndex
CREATE INDEX "traffic_endpoint_hour_hourStart_idx" ON "traffic_endpoint_hour"("hourStart");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_endpoint_hour_scopeKey_method_pathTemplate_hourStar_key" ON "traffic_endpoint_hour"("scopeKey", "method", "pathTemplate", "hourStart");

-- CreateIndex
CREATE INDEX "traffic_client_day_apiId_day_idx" ON "traffic_client_day"("apiId", "day");

-- CreateIndex
CREATE INDEX "traffic_client_day_day_idx" ON "traffic_client_day"("day");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_client_day_scopeKey_clientKey_day_key" ON "traffic_client_day"("scopeKey", "clientKey", "day");

-- CreateIndex
CREATE INDEX "traffic_client_minute_minuteStart_idx" ON "traffic_client_minute"("minuteStart");

-- CreateIndex
CREATE UNIQUE INDEX "traffic_client_minute_scopeKey_method_pathTemplate_clientKe_key" ON "traffic_client_minute"("scopeKey", "method", "pathTemplate", "clientKey", "minuteStart");

-- Convert existing rollups (hand-written).
INSERT INTO "traffic_endpoint_hour" ("scopeKey", "apiId", "endpointId", "host", "method", "pathTemplate", "matched", "hourStart",
  "requests", "status2xx", "status3xx", "status4xx", "status5xx", "status401", "status403", "status404", "status410", "status429",
  "unauthenticated2xx", "plainHttp", "rateLimitHeaders", "bytes", "latencySumMs", "latencyMaxMs", "ingestRunId")
SELECT "scopeKey", max("apiId"), max("endpointId"), max("host"), "method", "pathTemplate", bool_or("matched"), date_trunc('hour', "bucketStart"),
  sum("requests"), sum("status2xx"), sum("status3xx"), sum("status4xx"), sum("status5xx"), sum("status401"), sum("status403"),
  sum("status404"), sum("status410"), sum("status429"), sum("unauthenticated2xx"), sum("plainHttp"), sum("rateLimitHeaders"),
  sum("bytes"), sum("latencySumMs"), max("latencyMaxMs"), max("ingestRunId")
FROM "traffic_rollup" GROUP BY "scopeKey", "method", "pathTemplate", date_trunc('hour', "bucketStart");

INSERT INTO "traffic_client_day" ("scopeKey", "apiId", "host", "clientKey", "authenticated", "day", "requests", "status2xx", "status4xx",
  "status5xx", "status401", "status403", "status429", "bytes", "ingestRunId")
SELECT "scopeKey", max("apiId"), max("host"), "clientKey", bool_or("authenticated"), date_trunc('day', "bucketStart"), sum("requests"),
  sum("status2xx"), sum("status4xx"), sum("status5xx"), sum("status401"), sum("status403"), sum("status429"), sum("bytes"), max("ingestRunId")
FROM "traffic_rollup" GROUP BY "scopeKey", "clientKey", date_trunc('day', "bucketStart");

INSERT INTO "traffic_client_minute" ("scopeKey", "apiId", "endpointId", "method", "pathTemplate", "clientKey", "minuteStart", "requests",
  "failures", "status429", "ingestRunId")
SELECT "scopeKey", "apiId", "endpointId", "method", "pathTemplate", "clientKey", "bucketStart", "requests", "status401" + "status403",
  "status429", "ingestRunId"
FROM "traffic_rollup" WHERE "requests" >= 60 OR "status401" + "status403" > 0;

-- DropTable
DROP TABLE "traffic_rollup";
