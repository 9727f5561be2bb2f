import { z } from "zod";
import { apiListInput, getApi, listApis, listTeams } from "@/server/inventory/service";
import { authorized, router } from "../trpc";

export const apisRouter = router({
  list: authorized("inventory:read").input(apiListInput).query(({ ctx, input }) => listApis(ctx.prisma, ctx.actor, input)),
  get: authorized("inventory:read")
    .input(z.object({ slug: z.string().min(1).max(120) }))
    .query(({ ctx, input }) => getApi(ctx.prisma, ctx.actor, input.slug)),
  teams: authorized("inventory:read").query(({ ctx }) => listTeams(ctx.prisma, ctx.actor)),
});
