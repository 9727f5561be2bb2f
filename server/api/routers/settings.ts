import { z } from "zod";
import { DEFAULT_RULE_SETTINGS } from "@/server/correlate/settings";
import { getRuleThresholds, setRuleThresholds } from "@/server/correlate/settings-service";
import { authorized, router } from "../trpc";

const thresholdsInput = z
  .object(Object.fromEntries(Object.keys(DEFAULT_RULE_SETTINGS).map((k) => [k, z.number().positive().max(1e12)])))
  .partial()
  .strict();

export const settingsRouter = router({
  thresholds: authorized("settings:read").query(({ ctx }) => getRuleThresholds(ctx.prisma)),
  setThresholds: authorized("settings:write")
    .input(thresholdsInput)
    .mutation(({ ctx, input }) => setRuleThresholds(ctx.prisma, ctx.actor, input)),
});
