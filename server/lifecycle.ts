/**
 * What the server does when it stops (scripts/serve.mjs calls it through instrumentation.ts, after it stopped
 * accepting requests): background ingest jobs are cancelled and waited for, the runs they were writing are marked
 * interrupted (as the next start would: nothing of them was stored), then the database is closed.
 */
import type { Db } from "@/server/db/client";

export const LIFECYCLE_KEY = Symbol.for("postern.lifecycle");

export interface ServerLifecycle {
  /** Cancels the ingest jobs still queued or running, waits until they ended; returns how many there were. */
  stopIngestJobs(): Promise<number>;
  closeDatabase(): Promise<void>;
}

/** `prisma`: the database the jobs write to (default: the server's, getPrisma()). */
export async function stopIngestJobs(prisma?: Db): Promise<number> {
  const { cancelAllIngestJobs } = await import("@/server/ingest/jobs");
  const jobs = await cancelAllIngestJobs();
  const runIds = jobs.flatMap((job) => job.files.flatMap((file) => (file.result?.status === "cancelled" && file.result.runId ? [file.result.runId] : [])));
  if (runIds.length) {
    const [{ getPrisma }, { INTERRUPTED_MESSAGE }] = await Promise.all([import("@/server/db/client"), import("@/server/ingest/runs")]);
    const db = prisma ?? (await getPrisma());
    await db.ingestRun.updateMany({ where: { id: { in: runIds }, status: "cancelled" }, data: { status: "interrupted", error: INTERRUPTED_MESSAGE } });
  }
  return jobs.length;
}

export async function closeDatabase(): Promise<void> {
  // The finding schedule (expiries, reminders) stops first, its run in progress finishing.
  const { stopFindingSchedule } = await import("@/server/findings/schedule");
  await stopFindingSchedule();
  const { stopNotifyLoop } = await import("@/server/notify/loop");
  await stopNotifyLoop();
  const { closeDatabase: close } = await import("@/server/db/client");
  await close();
}

export function registerLifecycle(): void {
  const lifecycle: ServerLifecycle = { stopIngestJobs: () => stopIngestJobs(), closeDatabase };
  (globalThis as Record<symbol, unknown>)[LIFECYCLE_KEY] = lifecycle;
}
