-- CreateTable
CREATE TABLE "secret_access_network" (
    "id" BIGSERIAL NOT NULL,
    "secretId" TEXT NOT NULL,
    "identity" TEXT NOT NULL,
    "day" TIMESTAMP(3) NOT NULL,
    "network" TEXT NOT NULL,
    "events" INTEGER NOT NULL DEFAULT 0,
    "reads" INTEGER NOT NULL DEFAULT 0,
    "ingestRunId" TEXT NOT NULL,

    CONSTRAINT "secret_access_network_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "secret_access_network_day_idx" ON "secret_access_network"("day");

-- CreateIndex
CREATE UNIQUE INDEX "secret_access_network_secretId_identity_day_network_key" ON "secret_access_network"("secretId", "identity", "day", "network");
