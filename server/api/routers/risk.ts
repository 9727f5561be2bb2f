import { recordAudit } from "@/server/audit/recorder";
import { z } from "zod";
import { recomputeRisk } from "@/server/risk/inputs";
import { riskBreakdownOutput, riskOverviewOutput, riskWeightsOutput, weightsPreviewOutput, weightsSetOutput } from "@/server/risk/schemas";
import { apiRiskBreakdown, previewWeights, riskOverview } from "@/server/risk/service";
import { defaultRiskWeights, loadRiskWeights, riskWeightsSchema, saveRiskWeights } from "@/server/risk/weights";
import { authorized, router } from "../trpc";

export const riskRouter = router({
  /** Overview aggregates, scoped to the Apis the actor may see (every role, executives included). */
  overview: authorized("risk:read")
    .output(riskOverviewOutput)
    .query(({ ctx }) => riskOverview(ctx.prisma, ctx.actor)),
  /** One Api's factor breakdown; the findings behind factors are left out for executives. */
  api: authorized("inventory:read")
    .input(z.object({ slug: z.string().min(1).max(120) }))
    .output(riskBreakdownOutput)
    .query(({ ctx, input }) => apiRiskBreakdown(ctx.prisma, ctx.actor, input.slug)),
  weights: router({
    get: authorized("risk:read")
      .output(riskWeightsOutput)
      .query(async ({ ctx }) => ({ weights: await loadRiskWeights(ctx.prisma), defaults: defaultRiskWeights() })),
    preview: authorized("risk:preview")
      .input(riskWeightsSchema)
      .output(weightsPreviewOutput)
      .query(({ ctx, input }) => previewWeights(ctx.prisma, ctx.actor, input)),
    /** Admins only: stores the weights, rescores every Api (today's snapshot) and records the change. */
    set: authorized("settings:write")
      .input(riskWeightsSchema)
      .output(weightsSetOutput)
      .mutation(async ({ ctx, input }) => {
        const apis = await ctx.prisma.$transaction(
          async (tx) => {
            const before = await loadRiskWeights(tx);
            await saveRiskWeights(tx, input);
            await recordAudit(tx, {
              actor: { type: ctx.actor.type, id: ctx.actor.userId },
              action: "risk.weights.set",
              target: { type: "setting", id: "risk.weights" },
              details: { before, after: input },
            });
            return recomputeRisk(tx, null, new Date(), input);
          },
          { maxWait: 60_000, timeout: 600_000 },
        );
        return { apisRescored: apis };
      }),
  }),
});
