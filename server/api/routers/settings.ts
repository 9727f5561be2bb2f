import { ruleThresholdsOutput } from "@/server/correlate/schemas";
import { ruleSettingsSchema } from "@/server/correlate/settings";
import { getRuleThresholds, setRuleThresholds } from "@/server/correlate/settings-service";
import { authorized, router } from "../trpc";

export const settingsRouter = router({
  thresholds: authorized("settings:read")
    .output(ruleThresholdsOutput)
    .query(({ ctx }) => getRuleThresholds(ctx.prisma)),
  /** Any subset of the thresholds, each positive; the others keep their stored or default values. */
  setThresholds: authorized("settings:write")
    .input(ruleSettingsSchema)
    .output(ruleThresholdsOutput)
    .mutation(({ ctx, input }) => setRuleThresholds(ctx.prisma, ctx.actor, input)),
});
