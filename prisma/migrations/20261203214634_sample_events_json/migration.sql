-- AlterTable
ALTER TABLE "traffic_sample" ALTER COLUMN "events" SET DATA TYPE JSON;
