/**
 * One gateway-log ingest in a process of its own, for bench/traffic.ts: its peak RSS is then the ingest's (with the
 * database client, and PGlite itself when the database is embedded), not the benchmark's. Prints one JSON line.
 * Usage: DATABASE_URL=pglite:/abs/dir tsx bench/traffic-ingest.ts FILE
 */
import { performance } from "node:perf_hooks";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { ingest } from "../server/ingest/pipeline";
import { fileSource } from "../server/ingest/source";

const file = process.argv[2];
if (!file) throw new Error("usage: tsx bench/traffic-ingest.ts FILE");
const mb = (bytes: number) => Math.round(bytes / 1048576);
const db = await openDatabase(resolveDatabaseTarget());
try {
  const rssOpen = process.memoryUsage().rss;
  const started = performance.now();
  const cpu = process.cpuUsage();
  const result = await ingest(db.prisma, { file: await fileSource(file), channel: "cli", actor: { type: "system" }, correlate: false });
  const ms = performance.now() - started;
  // CPU time of the whole process (worker threads and embedded PGlite included): steadier than wall time on a busy machine.
  const used = process.cpuUsage(cpu);
  const cpuMs = (used.user + used.system) / 1000;
  if (result.status !== "succeeded") throw new Error(`${file}: ${result.status} ${result.message}`);
  console.log(
    JSON.stringify({ ms, cpuMs, counts: result.counts, errorCount: result.errorCount, rssOpenMb: mb(rssOpen), peakRssMb: mb(process.resourceUsage().maxRSS * 1024) }),
  );
} finally {
  await db.close();
}
