-- AlterTable
ALTER TABLE "suppression_rule" ADD COLUMN     "tool" TEXT;
