import { z } from "zod";
import { DEFAULT_RULE_SETTINGS } from "@/server/correlate/settings";
import { getRuleThresholds, setRuleThresholds } from "@/server/correlate/settings-service";
import { roleProcedure, router } from "../trpc";

const thresholdsInput = z
  .object(Object.fromEntries(Object.keys(DEFAULT_RULE_SETTINGS).map((k) => [k, z.number().positive().max(1e12)])))
  .partial()
  .strict();

export const settingsRouter = router({
  thresholds: roleProcedure("admin", "security").query(({ ctx }) => getRuleThresholds(ctx.prisma)),
  setThresholds: roleProcedure("admin")
    .input(thresholdsInput)
    .mutation(({ ctx, input }) => setRuleThresholds(ctx.prisma, ctx.actor, input)),
});
