import type { Db } from "@/server/db/client";

export async function listIngestRuns(prisma: Db, input: { page: number; pageSize: number }) {
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

export const INTERRUPTED_MESSAGE = "interrupted: Postern stopped while this file was being ingested; nothing was written";

/**
 * At start-up, before the server serves: runs still "running" belonged to background jobs of a server that stopped
 * (jobs live in memory). Their transactions never committed, so nothing of them is stored; say so instead of
 * showing them as running for ever. CLI runs are left alone (a CLI may be ingesting into a shared PostgreSQL).
 */
export async function markInterruptedRuns(prisma: Db): Promise<number> {
  const { count } = await prisma.ingestRun.updateMany({
    where: { status: "running", channel: { in: ["ui", "api"] } },
    data: { status: "failed", error: INTERRUPTED_MESSAGE, finishedAt: new Date() },
  });
  return count;
}
