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
