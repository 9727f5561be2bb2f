import { z } from "zod";
import { apiDetailOutput, apiListOutput, teamListOutput } from "@/server/inventory/schemas";
import { apiListInput, getApi, listApis, listTeams } from "@/server/inventory/service";
import { authorized, router } from "../trpc";

export const apisRouter = router({
  list: authorized("inventory:read")
    .input(apiListInput)
    .output(apiListOutput)
    .query(({ ctx, input }) => listApis(ctx.prisma, ctx.actor, input)),
  get: authorized("inventory:read")
    .input(z.object({ slug: z.string().min(1).max(120) }))
    .output(apiDetailOutput)
    .query(({ ctx, input }) => getApi(ctx.prisma, ctx.actor, input.slug)),
  teams: authorized("inventory:read")
    .output(teamListOutput)
    .query(({ ctx }) => listTeams(ctx.prisma, ctx.actor)),
});
