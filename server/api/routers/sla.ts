import { slaSettingsSchema } from "@/server/findings/sla";
import {
  getSlaSettings,
  setSlaSettings,
  slaCompliance,
  slaComplianceInput,
  slaComplianceOutput,
  slaSettingsChangeOutput,
  slaSettingsOutput,
} from "@/server/findings/sla-service";
import { authorized, router } from "../trpc";

/** SLA settings (Settings → SLA) and compliance per team. */
export const slaRouter = router({
  settings: authorized("settings:read")
    .output(slaSettingsOutput)
    .query(({ ctx }) => getSlaSettings(ctx.prisma)),
  /** Any subset of the values; changed days per severity recompute the due dates of open and accepted findings. */
  setSettings: authorized("settings:write")
    .input(slaSettingsSchema)
    .output(slaSettingsChangeOutput)
    .mutation(({ ctx, input }) => setSlaSettings(ctx.prisma, ctx.actor, input)),
  /** Share of findings closed within their SLA per team over a period (counts: every role, scoped). */
  compliance: authorized("findings:count")
    .input(slaComplianceInput)
    .output(slaComplianceOutput)
    .query(({ ctx, input }) => slaCompliance(ctx.prisma, ctx.actor, input)),
});
