-- AlterTable
ALTER TABLE "finding" ADD COLUMN     "toolTriage" JSONB;
