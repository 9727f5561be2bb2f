import { hostname } from "node:os";
import type { Db } from "@/server/db/client";
import { isEmbedded } from "@/server/db/kind";

export async function listIngestRuns(prisma: Db, input: { page: number; pageSize: number }) {
  // A server may run for months while processes on other hosts die: the history itself says which runs are over.
  if (!isEmbedded(prisma)) await markInterruptedRuns(prisma);
  const [total, rows] = await Promise.all([
    prisma.ingestRun.count(),
    prisma.ingestRun.findMany({
      orderBy: { startedAt: "desc" },
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: {
        id: true, family: true, format: true, channel: true, fileName: true, sizeBytes: true, status: true,
        counts: true, warnings: true, lineErrors: true, errorCount: true, error: true, durationMs: true, startedAt: true,
      },
    }),
  ]);
  return {
    total,
    rows: rows.map((r) => ({
      ...r,
      sizeBytes: Number(r.sizeBytes),
      startedAt: r.startedAt.toISOString(),
      counts: (r.counts ?? {}) as Record<string, number>,
      warnings: (r.warnings ?? []) as { message: string; line?: number }[],
      lineErrors: (r.lineErrors ?? []) as { line: number; message: string }[],
    })),
  };
}

/**
 * Runs that end honestly (issue 12). A run is "running" while a process works on it; that process can die without
 * a word (SIGKILL, a crash, a power cut), and its transaction then never commits: nothing of the file is stored. So:
 *
 * - each run names its process (`owner`, "<host>:<pid>") and, on a PostgreSQL server, refreshes `heartbeatAt` every
 *   HEARTBEAT_MS from the database clock while it runs (startHeartbeat; the pipeline stops it when the run ends);
 * - when a Postern process opens the database (server/db/client.ts), and when the ingest history is listed, running
 *   runs that nobody works on any more are marked "interrupted": on the embedded database every running run (one
 *   process holds it: whoever ran them is gone), on a server those whose process is gone from this host, or whose
 *   heartbeat is older than STALE_MS (a process on another host, or a runner of a version without heartbeats).
 *
 * A run marked interrupted by mistake (a process stalled for longer than STALE_MS) is not lost: its own last write,
 * when it ends, replaces the mark with what really happened.
 */

export const INTERRUPTED_MESSAGE = "interrupted: the Postern process ingesting this file stopped before it finished; nothing was written";
export const HEARTBEAT_MS = 10_000;
export const STALE_MS = 60_000;

/** This process as a run's owner: "<host>:<pid>". */
export function runOwner(): string {
  return `${hostname()}:${process.pid}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Whether `owner` names a process of this host that no longer exists. */
function deadHere(owner: string | null, host: string): boolean {
  if (owner === null) return false;
  const colon = owner.lastIndexOf(":");
  const pid = Number(owner.slice(colon + 1));
  return owner.slice(0, colon) === host && Number.isInteger(pid) && pid > 0 && pid !== process.pid && !isAlive(pid);
}

/**
 * Marks the running runs that nobody works on any more as interrupted (see above); returns how many. `embedded`
 * (default: as the client says) makes every running run interrupted.
 */
export async function markInterruptedRuns(prisma: Db, options: { embedded?: boolean } = {}): Promise<number> {
  const interrupted = { status: "interrupted", error: INTERRUPTED_MESSAGE };
  if (options.embedded ?? isEmbedded(prisma)) {
    const { count } = await prisma.ingestRun.updateMany({ where: { status: "running" }, data: { ...interrupted, finishedAt: new Date() } });
    return count;
  }
  const host = hostname();
  const running = await prisma.ingestRun.findMany({ where: { status: "running" }, select: { id: true, owner: true } });
  const gone = running.filter((r) => deadHere(r.owner, host)).map((r) => r.id);
  let count = 0;
  if (gone.length) {
    count += await prisma.$executeRaw`
      UPDATE ingest_run SET status = ${interrupted.status}, error = ${interrupted.error}, "finishedAt" = now() AT TIME ZONE 'UTC'
      WHERE id = ANY(${gone}::text[]) AND status = 'running'`;
  }
  // Silent for too long, by the database's clock (hosts' clocks may differ); never this process's own runs.
  count += await prisma.$executeRaw`
    UPDATE ingest_run SET status = ${interrupted.status}, error = ${interrupted.error}, "finishedAt" = now() AT TIME ZONE 'UTC'
    WHERE status = 'running' AND coalesce("heartbeatAt", "startedAt") < now() AT TIME ZONE 'UTC' - ${STALE_MS / 1000}::float8 * interval '1 second'
      AND owner IS DISTINCT FROM ${runOwner()}`;
  return count;
}

/**
 * Keeps a run's heartbeat fresh while its process works on it: now, then every HEARTBEAT_MS, by the database clock.
 * Not on the embedded database (its one connection is the ingest's until it commits, and no other process can see
 * the run). `stop` when the run ends.
 */
export function startHeartbeat(prisma: Db, runId: string): { stop(): void } {
  if (isEmbedded(prisma)) return { stop: () => undefined };
  let pending = false;
  const beat = () => {
    if (pending) return;
    pending = true;
    prisma.$executeRaw`UPDATE ingest_run SET "heartbeatAt" = now() AT TIME ZONE 'UTC' WHERE id = ${runId} AND status = 'running'`
      .catch((error: unknown) => console.error(`ingest ${runId}: heartbeat failed:`, error instanceof Error ? error.message : error))
      .finally(() => {
        pending = false;
      });
  };
  beat();
  const timer = setInterval(beat, HEARTBEAT_MS);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
