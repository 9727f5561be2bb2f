import { z } from "zod";
import {
  assignApiInput,
  assignFindingApi,
  findingFilterInput,
  findingListInput,
  getFinding,
  listFindings,
  summarizeFindings,
} from "@/server/findings/service";
import { protectedProcedure, roleProcedure, router } from "../trpc";

export const findingsRouter = router({
  /** Rows with facets; not for executives (FORBIDDEN). */
  list: protectedProcedure.input(findingListInput).query(({ ctx, input }) => listFindings(ctx.prisma, ctx.actor, input)),
  /** Counts only: every role. */
  summary: protectedProcedure.input(findingFilterInput).query(({ ctx, input }) => summarizeFindings(ctx.prisma, ctx.actor, input)),
  get: protectedProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .query(({ ctx, input }) => getFinding(ctx.prisma, ctx.actor, input.id)),
  assignApi: roleProcedure("admin", "security")
    .input(assignApiInput)
    .mutation(({ ctx, input }) => assignFindingApi(ctx.prisma, ctx.actor, input)),
});
