import { z } from "zod";
import { apiChangelog, weeklyChanges } from "@/server/inventory/changelog";
import { apiChangelogOutput, weeklyChangesOutput } from "@/server/inventory/changelog-schemas";
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
  /** The Api's versions, newest first, each with its changes from the source's previous version. */
  changelog: authorized("inventory:read")
    .input(z.object({ slug: z.string().min(1).max(120) }))
    .output(apiChangelogOutput)
    .query(({ ctx, input }) => apiChangelog(ctx.prisma, ctx.actor, input.slug)),
  /** What changed in the last 7 days across the Apis the actor may see (overview card). */
  changesThisWeek: authorized("inventory:read")
    .output(weeklyChangesOutput)
    .query(({ ctx }) => weeklyChanges(ctx.prisma, ctx.actor)),
  teams: authorized("inventory:read")
    .output(teamListOutput)
    .query(({ ctx }) => listTeams(ctx.prisma, ctx.actor)),
});
