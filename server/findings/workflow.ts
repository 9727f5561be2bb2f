/**
 * What people do with findings (DESIGN.md §5), for the routers, REST and the CLI alike: move them along, decide
 * (accept a risk, confirm a false positive, mark a duplicate, reopen), assign, comment, propose. Each action works on
 * one finding or a selection of many, in one transaction: the actor's scope decides which findings it may touch
 * (server/auth/scope.ts: another team's finding answers like a missing one), the transition table decides each move
 * (./transitions.ts), the lifecycle writes state and history (./lifecycle.ts), the audit recorder one record per
 * finding changed.
 */
import { z } from "zod";
import { type AuditOrigin, recordAudit } from "@/server/audit/recorder";
import { can } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import { findingScope, findingSqlScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { FINDING_STATUSES, type FindingStatus } from "@/server/domain/findings";
import { addComment, applyDecision, assignFindings, clearProposal, type EventActor, propose } from "./lifecycle";
import { onFindingComment, onFindingsAssigned, onFindingsMoved } from "@/server/notify/findings";
import { DEFAULT_SLA_SETTINGS, loadSlaSettings } from "./sla";
import { transitionRefusal } from "./transitions";

/** Longest an acceptance may run unless the settings say otherwise (DESIGN.md §5; Settings → SLA, ./sla.ts). */
export const DEFAULT_MAX_ACCEPTANCE_DAYS = DEFAULT_SLA_SETTINGS.maxAcceptanceDays;
const DAY_MS = 86_400_000;
const TX = { maxWait: 30_000, timeout: 300_000 };

const findingId = z.string().min(1).max(64);
/** One finding, a list, or (resolved by the caller into ids) a filter of the Findings page. */
export const selectionInput = z.object({ ids: z.array(findingId).min(1).max(100_000) });

export const transitionInput = selectionInput.extend({
  to: z.enum(FINDING_STATUSES),
  reason: z.string().trim().min(1).max(4000).optional(),
  /** risk_accepted: when the acceptance ends (the finding then reopens). */
  expiresAt: z.coerce.date().optional(),
  /** duplicate: the original finding. */
  duplicateOf: findingId.optional(),
});
export type TransitionInput = z.input<typeof transitionInput>;

export const actionResult = z.object({
  changed: z.number().int(),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type ActionResult = z.infer<typeof actionResult>;

export function eventActor(actor: Actor): EventActor {
  return { type: actor.type, id: actor.userId };
}

interface Current {
  id: string;
  status: string;
  teamId: string | null;
  apiOwnerTeamId: string | null;
}

/** The selected findings the actor may touch (in scope), locked; the rest are reported as not found. */
async function selected(tx: Tx, actor: Actor, ids: readonly string[]): Promise<{ rows: Current[]; skipped: ActionResult["skipped"] }> {
  const unique = [...new Set(ids)];
  // One query however many ids (a relation filter and select through Prisma took seconds for 10,000).
  const rows = await tx.$queryRaw<Current[]>`
    SELECT f.id, f.status, f."teamId", a."ownerTeamId" AS "apiOwnerTeamId"
    FROM finding f LEFT JOIN api a ON a.id = f."apiId"
    WHERE f.id = ANY(${unique}::text[]) AND ${findingSqlScope(actor)}`;
  const have = new Set(rows.map((r) => r.id));
  return { rows, skipped: unique.filter((id) => !have.has(id)).map((id) => ({ id, reason: "finding not found" })) };
}

/** A single-finding call fails loudly; a selection reports what it skipped. */
function settle(result: ActionResult, single: boolean): ActionResult {
  if (single && result.skipped.length > 0 && result.changed === 0) {
    const reason = result.skipped[0]!.reason;
    throw reason === "finding not found" ? notFound("Finding") : new DomainError("BAD_REQUEST", reason);
  }
  return result;
}

export async function transitionFindings(
  prisma: Db,
  actor: Actor,
  raw: TransitionInput,
  /** maxAcceptanceDays: by default the SLA settings' (Settings → SLA). */
  options: { origin?: AuditOrigin; now?: Date; maxAcceptanceDays?: number } = {},
): Promise<ActionResult> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = transitionInput.parse(raw);
  const now = options.now ?? new Date();
  const to = input.to as FindingStatus;
  if ((to === "risk_accepted" || to === "false_positive") && !input.reason) {
    throw new DomainError("BAD_REQUEST", `a reason is required to mark a finding ${to}`);
  }
  if (to === "risk_accepted") {
    const max = options.maxAcceptanceDays ?? (await loadSlaSettings(prisma)).maxAcceptanceDays;
    if (!input.expiresAt) throw new DomainError("BAD_REQUEST", "a risk acceptance needs an expiry date");
    if (input.expiresAt.getTime() <= now.getTime()) throw new DomainError("BAD_REQUEST", "the acceptance's expiry must be in the future");
    if (input.expiresAt.getTime() > now.getTime() + max * DAY_MS) {
      throw new DomainError("BAD_REQUEST", `an acceptance may run at most ${max} days`);
    }
  }
  if (to === "duplicate" && !input.duplicateOf) throw new DomainError("BAD_REQUEST", "a duplicate needs the original finding (duplicateOf)");

  return prisma.$transaction(async (tx) => {
    const { rows, skipped } = await selected(tx, actor, input.ids);
    if (to === "duplicate") {
      const original = await tx.finding.findFirst({ where: { AND: [findingScope(actor), { id: input.duplicateOf! }] }, select: { id: true } });
      if (!original) throw notFound("Original finding");
    }
    const movable: Current[] = [];
    for (const row of rows) {
      const refusal = transitionRefusal(row.status, to, actor.role);
      if (refusal) skipped.push({ id: row.id, reason: refusal });
      else if (to === "duplicate" && row.id === input.duplicateOf) skipped.push({ id: row.id, reason: "a finding cannot duplicate itself" });
      else movable.push(row);
    }
    const moved = await applyDecision(
      tx,
      movable.map((r) => r.id),
      {
        to,
        reason: input.reason ?? null,
        approverId: to === "risk_accepted" ? actor.userId : null,
        acceptedUntil: to === "risk_accepted" ? (input.expiresAt ?? null) : null,
        duplicateOfId: to === "duplicate" ? (input.duplicateOf ?? null) : null,
      },
      eventActor(actor),
      now,
    );
    await recordAudit(
      tx,
      moved.map((m) => ({
        actor: eventActor(actor),
        action: "finding.transition",
        target: { type: "finding", id: m.id },
        from: m.from,
        to,
        origin: options.origin ?? "ui",
        ...(input.reason ? { details: { reason: input.reason } } : {}),
      })),
      now,
    );
    await onFindingsMoved(tx, moved, to, input.reason ?? null, eventActor(actor), now);
    return settle({ changed: moved.length, skipped }, input.ids.length === 1);
  }, TX);
}

export const assignInput = selectionInput.extend({
  /** The person's user id, or null to unassign. */
  assignee: z.string().min(1).max(64).nullable(),
});

/**
 * Assigns findings to a person of the team that works on them (a member of the Api's owning team), or, for findings
 * without a team, to someone of the security team. Developers assign within their own teams.
 */
export async function assignFindingsTo(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof assignInput>,
  options: { origin?: AuditOrigin; now?: Date } = {},
): Promise<ActionResult> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = assignInput.parse(raw);
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const { rows, skipped } = await selected(tx, actor, input.ids);
    let assignee: { id: string; email: string; role: string; teamIds: Set<string> } | null = null;
    if (input.assignee) {
      const user = await tx.user.findUnique({
        where: { id: input.assignee },
        select: { id: true, email: true, role: true, deactivatedAt: true, memberships: { select: { teamId: true } } },
      });
      if (!user || user.deactivatedAt) throw notFound("User");
      assignee = { id: user.id, email: user.email, role: user.role, teamIds: new Set(user.memberships.map((m) => m.teamId)) };
    }
    const assignable: string[] = [];
    for (const row of rows) {
      const team = row.apiOwnerTeamId ?? row.teamId;
      if (!assignee) assignable.push(row.id);
      else if (team ? assignee.teamIds.has(team) : assignee.role === "security" || assignee.role === "admin") assignable.push(row.id);
      else skipped.push({ id: row.id, reason: `${assignee.email} is not in the team that owns this finding's API` });
    }
    const changed = await assignFindings(tx, assignable, assignee ? { id: assignee.id, email: assignee.email } : null, eventActor(actor), now);
    await recordAudit(
      tx,
      changed.map((c) => ({
        actor: eventActor(actor),
        action: "finding.assign",
        target: { type: "finding", id: c.id },
        from: c.from,
        to: assignee?.email ?? null,
        origin: options.origin ?? "ui",
      })),
      now,
    );
    await onFindingsAssigned(tx, changed.map((c) => c.id), assignee, eventActor(actor), now);
    return settle({ changed: changed.length, skipped }, input.ids.length === 1);
  }, TX);
}

export const commentInput = z.object({ id: findingId, body: z.string().trim().min(1).max(20_000) });

export async function commentOnFinding(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof commentInput>,
  options: { origin?: AuditOrigin; now?: Date } = {},
): Promise<{ ok: true }> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = commentInput.parse(raw);
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const { rows } = await selected(tx, actor, [input.id]);
    if (rows.length === 0) throw notFound("Finding");
    await addComment(tx, input.id, input.body, eventActor(actor), now);
    await recordAudit(tx, { actor: eventActor(actor), action: "finding.comment", target: { type: "finding", id: input.id }, origin: options.origin ?? "ui" }, now);
    await onFindingComment(tx, input.id, input.body, eventActor(actor), now);
    return { ok: true as const };
  }, TX);
}

export const proposeInput = z.object({ id: findingId, reason: z.string().trim().min(1).max(4000) });

/** A developer's "this is a false positive": recorded for the security team to confirm or reject. */
export async function proposeFalsePositive(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof proposeInput>,
  options: { origin?: AuditOrigin; now?: Date } = {},
): Promise<{ ok: true }> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = proposeInput.parse(raw);
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const { rows } = await selected(tx, actor, [input.id]);
    const row = rows[0];
    if (!row) throw notFound("Finding");
    if (row.status === "false_positive") throw new DomainError("BAD_REQUEST", "the finding is already a false positive");
    await propose(tx, row.id, "false_positive", input.reason, eventActor(actor), now);
    await recordAudit(tx, { actor: eventActor(actor), action: "finding.propose", target: { type: "finding", id: row.id }, to: "false_positive", origin: options.origin ?? "ui", details: { reason: input.reason } }, now);
    return { ok: true as const };
  }, TX);
}

export const rejectProposalInput = z.object({ id: findingId, reason: z.string().trim().min(1).max(4000) });

/** The security team rejects a developer's proposal: the finding keeps its state, and the proposer reads why. */
export async function rejectProposal(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof rejectProposalInput>,
  options: { origin?: AuditOrigin; now?: Date } = {},
): Promise<{ ok: true }> {
  if (!can(actor, "findings:decide")) throw forbidden("Requires permission findings:decide");
  const input = rejectProposalInput.parse(raw);
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const { rows } = await selected(tx, actor, [input.id]);
    if (!rows[0]) throw notFound("Finding");
    const current = await tx.finding.findUniqueOrThrow({ where: { id: input.id }, select: { proposedStatus: true } });
    if (!current.proposedStatus) throw new DomainError("BAD_REQUEST", "the finding has no pending proposal");
    await clearProposal(tx, input.id, input.reason, eventActor(actor), now);
    await recordAudit(tx, { actor: eventActor(actor), action: "finding.proposal_rejected", target: { type: "finding", id: input.id }, from: current.proposedStatus, origin: options.origin ?? "ui", details: { reason: input.reason } }, now);
    return { ok: true as const };
  }, TX);
}
