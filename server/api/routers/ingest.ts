import { z } from "zod";
import { listIngestRuns } from "@/server/ingest/runs";
import { PARSERS } from "@/server/ingest/registry";
import { authorized, router } from "../trpc";

export const ingestRouter = router({
  formats: authorized("app:use").query(() => PARSERS.map((p) => ({ id: p.id, family: p.family, label: p.label }))),
  runs: authorized("ingest:read")
    .input(z.object({ page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) => listIngestRuns(ctx.prisma, input)),
});
