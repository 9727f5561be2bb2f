-- AlterTable
ALTER TABLE "api" ADD COLUMN     "specLint" JSONB;
