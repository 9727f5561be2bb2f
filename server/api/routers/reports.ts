import { frameworkScorecards } from "@/server/compliance/scorecards";
import { buildReport } from "@/server/reports/build";
import { report, reportParams, reportRequest, scorecardsOutput } from "@/server/reports/schema";
import { authorized, router } from "../trpc";

export const reportsRouter = router({
  /** A framework's compliance report for a scope (all / team / Api) and period: aggregates only, every role (developers: their teams). */
  build: authorized("reports:read")
    .input(reportRequest)
    .output(report)
    .query(({ ctx, input }) => buildReport(ctx.prisma, ctx.actor, reportParams(input))),
  /** The five frameworks' scorecards today: passing, failing and not assessed controls. */
  scorecards: authorized("reports:read")
    .output(scorecardsOutput)
    .query(({ ctx }) => frameworkScorecards(ctx.prisma, ctx.actor)),
});
