-- AlterTable
ALTER TABLE "user" ADD COLUMN     "deactivatedAt" TIMESTAMP(3),
ADD COLUMN     "mustChangePassword" BOOLEAN NOT NULL DEFAULT false;

-- CreateTable
CREATE TABLE "api_owner_claim" (
    "apiId" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "teamId" TEXT NOT NULL,
    "fileName" TEXT,
    "actorId" TEXT,
    "since" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "seenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "api_owner_claim_pkey" PRIMARY KEY ("apiId","source")
);

-- CreateIndex
CREATE INDEX "api_owner_claim_teamId_idx" ON "api_owner_claim"("teamId");

-- AddForeignKey
ALTER TABLE "api_owner_claim" ADD CONSTRAINT "api_owner_claim_apiId_fkey" FOREIGN KEY ("apiId") REFERENCES "api"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_owner_claim" ADD CONSTRAINT "api_owner_claim_teamId_fkey" FOREIGN KEY ("teamId") REFERENCES "team"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Owners recorded before claims were kept: one "earlier" claim each, so that computing owners from claims keeps them.
INSERT INTO "api_owner_claim" ("apiId", "source", "teamId", "since", "seenAt")
SELECT "id", 'earlier', "ownerTeamId", "firstSeenAt", "lastSeenAt" FROM "api" WHERE "ownerTeamId" IS NOT NULL;
