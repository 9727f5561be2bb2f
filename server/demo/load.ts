import { correlate } from "@/server/correlate/engine";
import type { Db } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { generateDemoActivity } from "./activity";
import { generateDemoOrganisation } from "./generate";

/**
 * Loads the generated demo organisation through the normal ingest pipeline (channel "demo"), so the demo data is
 * exactly what a real organisation's files would produce. Returns a one-line summary.
 */
export async function loadDemoOrganisation(prisma: Db, options: { apis?: number; seed?: number; now?: Date } = {}): Promise<string> {
  const org = { apis: options.apis ?? 40, seed: options.seed ?? 1 };
  // Inventories first, then the gateway and vault activity that refers to them.
  const files = [...generateDemoOrganisation(org), ...generateDemoActivity({ ...org, ...(options.now ? { now: options.now } : {}) })];
  let failed = 0;
  for (const file of files) {
    const result = await ingest(prisma, {
      file: bufferSource(file.content, file.name),
      channel: "demo",
      actor: { type: "system" },
      correlate: false,
    });
    if (result.status === "failed") {
      failed += 1;
      console.error(`postern: demo file ${file.name} was rejected: ${result.message}`);
    }
  }
  // One correlation for the whole organisation instead of one per file.
  await correlate(prisma, {});
  const [apis, endpoints, teams] = await Promise.all([prisma.api.count(), prisma.endpoint.count(), prisma.team.count()]);
  return `${files.length} files, ${apis} APIs, ${endpoints} endpoints, ${teams} teams${failed ? `, ${failed} files rejected` : ""}`;
}
