import { correlate } from "@/server/correlate/engine";
import { backfillRiskHistory } from "@/server/risk/inputs";
import { TREND_DAYS } from "@/server/risk/service";
import type { Db } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { generateDemoActivity } from "./activity";
import { demoEarlierSpec } from "./changes";
import { generateDemoOrganisation } from "./generate";
import { applyDemoHistory } from "./history";
import { applyDemoReports } from "./reports";
import { generateDemoScans } from "./scans";

/**
 * Loads the generated demo organisation through the normal ingest pipeline (channel "demo"), so the demo data is
 * exactly what a real organisation's files would produce. Returns a one-line summary.
 */
export async function loadDemoOrganisation(prisma: Db, options: { apis?: number; seed?: number; now?: Date } = {}): Promise<string> {
  const org = { apis: options.apis ?? 40, seed: options.seed ?? 1 };
  const now = options.now ?? new Date();
  // Inventories first, then the gateway and vault activity that refers to them.
  const files = [...generateDemoOrganisation(org), ...generateDemoActivity({ ...org, now })];
  let failed = 0;
  const load = async (file: { name: string; content: string }, at?: Date) => {
    const result = await ingest(prisma, {
      file: bufferSource(file.content, file.name),
      channel: "demo",
      actor: { type: "system" },
      correlate: false,
      ...(at ? { now: at } : {}),
    });
    if (result.status === "failed") {
      failed += 1;
      console.error(`postern: demo file ${file.name} was rejected: ${result.message}`);
    }
  };
  // An earlier version of one spec, ten days back, gives that Api a changelog (a breaking change, weakened auth).
  const earlier = demoEarlierSpec(files);
  if (earlier) await load(earlier, new Date(now.getTime() - 10 * 86_400_000));
  for (const file of files) await load(file);
  // Scanner reports in two rounds weeks apart, with the remediation work of the weeks between (server/demo/history.ts):
  // the second round resolves what was fixed and reopens, as regressions, what people resolved but is still there.
  const [first, second] = generateDemoScans({ ...org, now });
  for (const file of first!.files) await load(file, first!.at);
  await applyDemoHistory(prisma, { seed: org.seed, from: first!.at, until: second!.at, now });
  for (const file of second!.files) await load(file, second!.at);
  const scans = first!.files.length + second!.files.length;
  // One correlation for the whole organisation instead of one per file.
  await correlate(prisma, {});
  // The daily risk snapshots of the trend's window, from the scan rounds and the work between them.
  await prisma.$transaction((tx) => backfillRiskHistory(tx, TREND_DAYS - 1, now), { timeout: 300_000, maxWait: 30_000 });
  // A weekly compliance report schedule and its last two weeks, from that history.
  await applyDemoReports(prisma, now);
  const [apis, endpoints, teams] = await Promise.all([prisma.api.count(), prisma.endpoint.count(), prisma.team.count()]);
  return `${files.length + scans} files, ${apis} APIs, ${endpoints} endpoints, ${teams} teams${failed ? `, ${failed} files rejected` : ""}`;
}
