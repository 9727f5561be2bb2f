import { auditListInput, auditListOutput, getRetention, listAudit, retentionSchema, setRetention } from "@/server/audit/service";
import { authorized, router } from "../trpc";

/** Settings → Audit (admins): the filtered audit log and its retention. The CSV export is app/api/audit/export. */
export const auditRouter = router({
  list: authorized("audit:read")
    .input(auditListInput)
    .output(auditListOutput)
    .query(({ ctx, input }) => listAudit(ctx.prisma, input)),
  retention: authorized("audit:read")
    .output(retentionSchema)
    .query(({ ctx }) => getRetention(ctx.prisma)),
  setRetention: authorized("audit:read")
    .input(retentionSchema)
    .output(retentionSchema)
    .mutation(({ ctx, input }) => setRetention(ctx.prisma, ctx.actor, input)),
});
