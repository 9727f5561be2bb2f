import { z } from "zod";
import { listIngestRuns } from "@/server/ingest/runs";
import { PARSERS } from "@/server/ingest/registry";
import { protectedProcedure, roleProcedure, router } from "../trpc";

export const ingestRouter = router({
  formats: protectedProcedure.query(() => PARSERS.map((p) => ({ id: p.id, family: p.family, label: p.label }))),
  runs: roleProcedure("admin", "security")
    .input(z.object({ page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(25) }))
    .query(({ ctx, input }) => listIngestRuns(ctx.prisma, input)),
});
