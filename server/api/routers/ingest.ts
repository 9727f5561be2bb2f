import { z } from "zod";
import { listIngestRuns } from "@/server/ingest/runs";
import { PARSERS } from "@/server/ingest/registry";
import { authorized, router } from "../trpc";

// The answers' shapes stand here rather than beside listIngestRuns (server/ingest/runs.ts): the ingest side owns that
// folder, and only this router answers with them.
const formatsOutput = z.array(z.object({ id: z.string(), family: z.string(), label: z.string() }));

const runsOutput = z.object({
  total: z.number().int(),
  rows: z.array(
    z.object({
      id: z.string(),
      family: z.string().nullable(),
      format: z.string().nullable(),
      channel: z.string(),
      fileName: z.string(),
      sizeBytes: z.number(),
      status: z.string(),
      counts: z.record(z.string(), z.number()),
      warnings: z.array(z.object({ message: z.string(), line: z.number().optional() })),
      lineErrors: z.array(z.object({ line: z.number(), message: z.string() })),
      errorCount: z.number().int(),
      error: z.string().nullable(),
      durationMs: z.number().nullable(),
      startedAt: z.string(),
    }),
  ),
});

export const ingestRouter = router({
  formats: authorized("app:use")
    .output(formatsOutput)
    .query(() => PARSERS.map((p) => ({ id: p.id, family: p.family, label: p.label }))),
  runs: authorized("ingest:read")
    .input(z.object({ page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(25) }))
    .output(runsOutput)
    .query(({ ctx, input }) => listIngestRuns(ctx.prisma, input)),
});
