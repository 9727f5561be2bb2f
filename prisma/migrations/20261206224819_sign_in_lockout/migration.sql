-- AlterTable
ALTER TABLE "user" DROP COLUMN "failedSignIns",
DROP COLUMN "lockedUntil";

-- CreateTable
CREATE TABLE "sign_in_lockout" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "client" TEXT NOT NULL,
    "failures" INTEGER NOT NULL DEFAULT 0,
    "lockedUntil" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "sign_in_lockout_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "sign_in_lockout_lockedUntil_idx" ON "sign_in_lockout"("lockedUntil");

-- CreateIndex
CREATE UNIQUE INDEX "sign_in_lockout_userId_client_key" ON "sign_in_lockout"("userId", "client");

-- AddForeignKey
ALTER TABLE "sign_in_lockout" ADD CONSTRAINT "sign_in_lockout_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;
