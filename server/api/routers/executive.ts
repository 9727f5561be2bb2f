import { executiveSummaryOutput } from "@/server/executive/schemas";
import { executiveSummary } from "@/server/executive/service";
import { authorized, router } from "../trpc";

export const executiveRouter = router({
  /** The executive home's aggregates (executives, security, admins): trend, remediation, SLA, top risks, changes. */
  summary: authorized("executive:read")
    .output(executiveSummaryOutput)
    .query(({ ctx }) => executiveSummary(ctx.prisma, ctx.actor)),
});
