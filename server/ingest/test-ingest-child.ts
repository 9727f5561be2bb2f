/**
 * A Postern process that ingests one file, for runs.test.ts: it prints "progress" when the ingest has written its first
 * records (and then goes on), "done <status>" at the end. The test kills it with SIGKILL in between.
 * Usage: DATABASE_URL=… node --import tsx server/ingest/test-ingest-child.ts FILE
 */
import { openDatabase } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { fileSource } from "@/server/ingest/source";

const file = process.argv[2];
if (!file) throw new Error("usage: test-ingest-child.ts FILE");
const db = await openDatabase();
let told = false;
const result = await ingest(db.prisma, {
  file: await fileSource(file),
  channel: "cli",
  actor: { type: "system" },
  correlate: false,
  onProgress: () => {
    if (told) return;
    told = true;
    process.stdout.write("progress\n");
  },
});
process.stdout.write(`done ${result.status}\n`);
await db.close();
