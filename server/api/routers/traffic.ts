import { apiTrafficOutput, attackSignalsOutput, trafficFlagsOutput } from "@/server/traffic/schemas";
import { apiTrafficInput, attackSignals, attackSignalsInput, getApiTraffic, trafficFlagInput, trafficFlags } from "@/server/traffic/service";
import { authorized, router } from "../trpc";

/** Traffic views: per-Api traffic, shadow/zombie/unused inventory flags, attack signals. Object-level checks in the service. */
export const trafficRouter = router({
  api: authorized("traffic:read")
    .input(apiTrafficInput)
    .output(apiTrafficOutput)
    .query(({ ctx, input }) => getApiTraffic(ctx.prisma, ctx.actor, input)),
  flags: authorized("traffic:read")
    .input(trafficFlagInput)
    .output(trafficFlagsOutput)
    .query(({ ctx, input }) => trafficFlags(ctx.prisma, ctx.actor, input)),
  attackSignals: authorized("traffic:read")
    .input(attackSignalsInput)
    .output(attackSignalsOutput)
    .query(({ ctx, input }) => attackSignals(ctx.prisma, ctx.actor, input)),
});
