import { z } from "zod";
import { bulkAssign, bulkAssignInput, bulkMapInput, bulkMapOutput, bulkMapToApi, bulkResult, bulkTransition, bulkTransitionInput } from "@/server/findings/bulk";
import {
  assigneesInput,
  assigneesOf,
  assigneesOutput,
  findingCounts,
  findingCountsOutput,
  myFindings,
  myFindingsInput,
  myFindingsOutput,
  triageQueue,
  triageQueueInput,
  triageQueueOutput,
} from "@/server/findings/queues";
import { assignApiOutput, findingDetailOutput, findingListOutput, findingSummaryOutput } from "@/server/findings/schemas";
import {
  assignApiInput,
  assignFindingApi,
  findingFilterInput,
  findingListInput,
  getFinding,
  listFindings,
  summarizeFindings,
} from "@/server/findings/service";
import { commentInput, commentOnFinding, proposeFalsePositive, proposeInput, rejectProposal, rejectProposalInput } from "@/server/findings/workflow";
import { authorized, router } from "../trpc";

const ok = z.object({ ok: z.literal(true) });

export const findingsRouter = router({
  /** Rows with facets; not for executives (FORBIDDEN). */
  list: authorized("findings:read")
    .input(findingListInput)
    .output(findingListOutput)
    .query(({ ctx, input }) => listFindings(ctx.prisma, ctx.actor, input)),
  /** Counts only: every role. */
  summary: authorized("findings:count")
    .input(findingFilterInput)
    .output(findingSummaryOutput)
    .query(({ ctx, input }) => summarizeFindings(ctx.prisma, ctx.actor, input)),
  get: authorized("findings:read")
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(findingDetailOutput)
    .query(({ ctx, input }) => getFinding(ctx.prisma, ctx.actor, input.id)),
  assignApi: authorized("findings:map")
    .input(assignApiInput)
    .output(assignApiOutput)
    .mutation(({ ctx, input }) => assignFindingApi(ctx.prisma, ctx.actor, input)),
  /** Every finding of a selection (ids, a Findings-page filter, a triage group) to one Api, in one transaction. */
  mapToApi: authorized("findings:map")
    .input(bulkMapInput)
    .output(bulkMapOutput)
    .mutation(({ ctx, input }) => bulkMapToApi(ctx.prisma, ctx.actor, input)),

  // The remediation workflow (server/findings/workflow.ts): one transaction per action, whatever the selection.
  /** Move a selection to a state; the transition table decides per finding and role (decisions: findings:decide roles). */
  transition: authorized("findings:write")
    .input(bulkTransitionInput)
    .output(bulkResult)
    .mutation(({ ctx, input }) => bulkTransition(ctx.prisma, ctx.actor, input)),
  /** Assign a selection to a person of the owning team (null: unassign). */
  assign: authorized("findings:write")
    .input(bulkAssignInput)
    .output(bulkResult)
    .mutation(({ ctx, input }) => bulkAssign(ctx.prisma, ctx.actor, input)),
  /** Who may be assigned a finding: its Api's owning team, or the security team for unowned findings. */
  assignees: authorized("findings:write")
    .input(assigneesInput)
    .output(assigneesOutput)
    .query(({ ctx, input }) => assigneesOf(ctx.prisma, ctx.actor, input)),
  /** A comment in markdown (rendered through a sanitiser). */
  comment: authorized("findings:write")
    .input(commentInput)
    .output(ok)
    .mutation(({ ctx, input }) => commentOnFinding(ctx.prisma, ctx.actor, input)),
  /** A developer's "false positive" for the security team to decide. */
  propose: authorized("findings:write")
    .input(proposeInput)
    .output(ok)
    .mutation(({ ctx, input }) => proposeFalsePositive(ctx.prisma, ctx.actor, input)),
  /** The security team's "no" to a proposal: cleared with a reason; the finding keeps its state. */
  rejectProposal: authorized("findings:decide")
    .input(rejectProposalInput)
    .output(ok)
    .mutation(({ ctx, input }) => rejectProposal(ctx.prisma, ctx.actor, input)),
  /** My findings: assigned to me, then my teams' unassigned; overdue first, then by due date. */
  mine: authorized("findings:read")
    .input(myFindingsInput)
    .output(myFindingsOutput)
    .query(({ ctx, input }) => myFindings(ctx.prisma, ctx.actor, input)),
  /** The security team's queue: new, unowned and proposed findings grouped by rule and Api. */
  triageQueue: authorized("findings:decide")
    .input(triageQueueInput)
    .output(triageQueueOutput)
    .query(({ ctx, input }) => triageQueue(ctx.prisma, ctx.actor, input)),
  /** The navigation's badges: my assigned, overdue, the triage queue. */
  counts: authorized("findings:read")
    .output(findingCountsOutput)
    .query(({ ctx }) => findingCounts(ctx.prisma, ctx.actor)),
});
