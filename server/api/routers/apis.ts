import { z } from "zod";
import { apiListInput, getApi, listApis, listTeams } from "@/server/inventory/service";
import { protectedProcedure, router } from "../trpc";

export const apisRouter = router({
  list: protectedProcedure.input(apiListInput).query(({ ctx, input }) => listApis(ctx.prisma, ctx.actor, input)),
  get: protectedProcedure
    .input(z.object({ slug: z.string().min(1).max(120) }))
    .query(({ ctx, input }) => getApi(ctx.prisma, ctx.actor, input.slug)),
  teams: protectedProcedure.query(({ ctx }) => listTeams(ctx.prisma, ctx.actor)),
});
