import {
  createSuppressionRule,
  listSuppressionRules,
  revokeSuppressionRule,
  suppressionChangeOutput,
  suppressionCreateInput,
  suppressionIdInput,
  suppressionListOutput,
  suppressionUpdateInput,
  updateSuppressionRule,
} from "@/server/findings/suppression";
import { authorized, router } from "../trpc";

/** Suppression rules (Settings → Suppression rules): the security team's decisions that reach future findings. */
export const suppressionsRouter = router({
  list: authorized("findings:decide")
    .output(suppressionListOutput)
    .query(({ ctx }) => listSuppressionRules(ctx.prisma, ctx.actor)),
  create: authorized("findings:decide")
    .input(suppressionCreateInput)
    .output(suppressionChangeOutput)
    .mutation(({ ctx, input }) => createSuppressionRule(ctx.prisma, ctx.actor, input)),
  update: authorized("findings:decide")
    .input(suppressionUpdateInput)
    .output(suppressionChangeOutput)
    .mutation(({ ctx, input }) => updateSuppressionRule(ctx.prisma, ctx.actor, input)),
  revoke: authorized("findings:decide")
    .input(suppressionIdInput)
    .output(suppressionChangeOutput)
    .mutation(({ ctx, input }) => revokeSuppressionRule(ctx.prisma, ctx.actor, input)),
});
