import { z } from "zod";
import { assignApiOutput, findingDetailOutput, findingListOutput, findingSummaryOutput } from "@/server/findings/schemas";
import {
  assignApiInput,
  assignFindingApi,
  findingFilterInput,
  findingListInput,
  getFinding,
  listFindings,
  summarizeFindings,
} from "@/server/findings/service";
import { authorized, router } from "../trpc";

export const findingsRouter = router({
  /** Rows with facets; not for executives (FORBIDDEN). */
  list: authorized("findings:read")
    .input(findingListInput)
    .output(findingListOutput)
    .query(({ ctx, input }) => listFindings(ctx.prisma, ctx.actor, input)),
  /** Counts only: every role. */
  summary: authorized("findings:count")
    .input(findingFilterInput)
    .output(findingSummaryOutput)
    .query(({ ctx, input }) => summarizeFindings(ctx.prisma, ctx.actor, input)),
  get: authorized("findings:read")
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(findingDetailOutput)
    .query(({ ctx, input }) => getFinding(ctx.prisma, ctx.actor, input.id)),
  assignApi: authorized("findings:map")
    .input(assignApiInput)
    .output(assignApiOutput)
    .mutation(({ ctx, input }) => assignFindingApi(ctx.prisma, ctx.actor, input)),
});
