import { apiTrafficInput, attackSignals, attackSignalsInput, getApiTraffic, trafficFlagInput, trafficFlags } from "@/server/traffic/service";
import { authorized, router } from "../trpc";

/** Traffic views: per-Api traffic, shadow/zombie/unused inventory flags, attack signals. Object-level checks in the service. */
export const trafficRouter = router({
  api: authorized("traffic:read").input(apiTrafficInput).query(({ ctx, input }) => getApiTraffic(ctx.prisma, ctx.actor, input)),
  flags: authorized("traffic:read").input(trafficFlagInput).query(({ ctx, input }) => trafficFlags(ctx.prisma, ctx.actor, input)),
  attackSignals: authorized("traffic:read").input(attackSignalsInput).query(({ ctx, input }) => attackSignals(ctx.prisma, ctx.actor, input)),
});
