/**
 * The finding lifecycle (DESIGN.md §5): the only code that changes a finding's state, writes its history
 * (`finding_event`) or reopens it. Rescans (./persist.ts), rule runs (./derived.ts), owner changes (./ownership.ts),
 * and the people's actions all go through here, so every change has its event and the rules about human decisions
 * live in one place:
 * - a finding a person or a tool closed as false positive, accepted or duplicate stays so when reported again;
 * - a resolved finding reported again reopens as a regression, its history saying why;
 * - only active findings (open, triaged, in progress) are resolved by a rescan or a rule that stopped firing.
 *
 * Batched: every function takes many findings and runs a fixed number of statements (UPDATE … FROM unnest, one
 * INSERT … SELECT FROM unnest for the events) whatever their count.
 */
import type { Tx } from "@/server/db/types";
import { ACTIVE_STATUSES, type FindingStatus } from "@/server/domain/findings";
import type { ToolTriage } from "@/server/domain/records";
import { onRegressions } from "@/server/notify/findings";

const CHUNK = 5000;

/** Who changed a finding: a person, their token, Postern itself (rescans, rules, schedules) or a scanner's triage. */
export interface EventActor {
  type: "user" | "token" | "system" | "tool";
  /** User id for people and tokens; the tool's name for a tool. */
  id?: string | null;
}

export const SYSTEM: EventActor = { type: "system" };

export interface FindingEventInput {
  findingId: string;
  /** created | status | assigned | team_changed | api_assigned | comment | … */
  type: string;
  fromValue: string | null;
  toValue: string | null;
  comment?: string | null;
  actor?: EventActor;
}

/** The one writer of finding history: one INSERT per 5,000 events. */
export async function recordFindingEvents(tx: Tx, events: readonly FindingEventInput[], at: Date): Promise<void> {
  const atIso = at.toISOString();
  for (let i = 0; i < events.length; i += CHUNK) {
    const rows = events.slice(i, i + CHUNK);
    await tx.$executeRaw`
      INSERT INTO finding_event (id, "findingId", "actorType", "actorId", type, "fromValue", "toValue", comment, "createdAt")
      SELECT gen_random_uuid()::text, u.finding_id, u.actor_type, u.actor_id, u.type, u.from_value, u.to_value, u.comment, ${atIso}::timestamp
      FROM unnest(
        ${rows.map((r) => r.findingId)}::text[],
        ${rows.map((r) => (r.actor ?? SYSTEM).type)}::text[],
        ${rows.map((r) => (r.actor ?? SYSTEM).id ?? null)}::text[],
        ${rows.map((r) => r.type)}::text[],
        ${rows.map((r) => r.fromValue)}::text[],
        ${rows.map((r) => r.toValue)}::text[],
        ${rows.map((r) => r.comment ?? null)}::text[]
      ) AS u(finding_id, actor_type, actor_id, type, from_value, to_value, comment)`;
  }
}

/** New findings: a "created" event each (the rows themselves are written by the writer that read them). */
export async function recordCreated(tx: Tx, created: readonly { id: string; comment: string }[], at: Date): Promise<void> {
  await recordFindingEvents(
    tx,
    created.map((c) => ({ findingId: c.id, type: "created", fromValue: null, toValue: "open", comment: c.comment })),
    at,
  );
}

/**
 * Findings reported again by a rescan or a rule: those resolved reopen as regressions (status open, regression set,
 * resolution cleared) with a status event saying why; any other state is left as it is — a person's or a tool's
 * decision (false positive, accepted, duplicate) stands. Returns the ids reopened.
 */
export async function reportedAgain(
  tx: Tx,
  findings: readonly { id: string; why: string }[],
  at: Date,
): Promise<string[]> {
  const reopened: string[] = [];
  const why = new Map(findings.map((f) => [f.id, f.why]));
  for (let i = 0; i < findings.length; i += CHUNK) {
    const ids = findings.slice(i, i + CHUNK).map((f) => f.id);
    const rows = await tx.$queryRaw<{ id: string }[]>`
      UPDATE finding SET status = 'open', resolution = NULL, "resolvedAt" = NULL, regression = true, "updatedAt" = ${at}
      WHERE id = ANY(${ids}::text[]) AND status = 'resolved'
      RETURNING id`;
    for (const r of rows) reopened.push(r.id);
  }
  await recordFindingEvents(
    tx,
    reopened.map((id) => ({ findingId: id, type: "status", fromValue: "resolved", toValue: "open", comment: `${why.get(id) ?? "reported again"}: regression` })),
    at,
  );
  await onRegressions(tx, reopened, at);
  return reopened;
}

/**
 * Resolves findings that a full rescan or a rule run no longer reports: only those still active are touched (a
 * decision made meanwhile stands). `resolvedAt` may differ from the record time (an --as-of evaluation). Returns the
 * resolved findings with their Api.
 */
export async function resolveUnreported(
  tx: Tx,
  ids: readonly string[],
  options: { resolution: string; comment: string; at: Date; resolvedAt?: Date },
): Promise<{ id: string; apiId: string | null }[]> {
  const resolved: { id: string; apiId: string | null; status: string }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await tx.$queryRaw<{ id: string; apiId: string | null; status: string }[]>`
      WITH before AS (
        SELECT id, status FROM finding WHERE id = ANY(${chunk}::text[]) AND status = ANY(${[...ACTIVE_STATUSES]}::text[]) FOR UPDATE
      )
      UPDATE finding f SET status = 'resolved', resolution = ${options.resolution},
        "resolvedAt" = ${options.resolvedAt ?? options.at}, "updatedAt" = ${options.at}
      FROM before WHERE f.id = before.id
      RETURNING f.id, f."apiId", before.status`;
    resolved.push(...rows);
  }
  await recordFindingEvents(
    tx,
    resolved.map((r) => ({ findingId: r.id, type: "status", fromValue: r.status, toValue: "resolved", comment: options.comment })),
    options.at,
  );
  return resolved.map(({ id, apiId }) => ({ id, apiId }));
}

// ---------------------------------------------------------------------------------------------------------------
// Decisions: people (through ./workflow.ts, which checks who may), scanners' own triage, suppression rules and the
// acceptance schedule.

/** States that close a finding (its SLA no longer runs; resolvedAt is when it closed). */
const CLOSING = new Set(["resolved", "false_positive", "duplicate"]);

export interface Decision {
  to: FindingStatus;
  /** Why: required by the callers for risk acceptance and false positives; the event's comment. */
  reason?: string | null;
  /** risk_accepted: who approved it and until when. */
  approverId?: string | null;
  acceptedUntil?: Date | null;
  /** duplicate: the original. */
  duplicateOfId?: string | null;
  /** The suppression rule that made this decision, if one did. */
  suppressionRuleId?: string | null;
  /** The resolution word stored with a closing state (default: fixed / false_positive / duplicate). */
  resolution?: string | null;
  /** Per finding reasons (a scanner's justification for each result), in place of `reason` where given. */
  reasons?: ReadonlyMap<string, string>;
}

/**
 * Moves findings to `decision.to` (the caller has checked that each move is legal and who may make it): one UPDATE
 * and one INSERT of events. Accepting stops the SLA clock; leaving acceptance moves the due date by the time it stood
 * still and adds that time to `slaPausedSeconds`. A decision clears a pending proposal unless it only moves the work
 * along (open / triaged / in progress). Returns the findings moved with the state they left.
 */
export async function applyDecision(
  tx: Tx,
  ids: readonly string[],
  decision: Decision,
  actor: EventActor,
  at: Date,
): Promise<{ id: string; from: string }[]> {
  const moved: { id: string; from: string }[] = [];
  const to = decision.to;
  const accepting = to === "risk_accepted";
  const closing = CLOSING.has(to);
  const resolution = closing ? (decision.resolution ?? (to === "resolved" ? "fixed" : to)) : accepting ? "risk_accepted" : null;
  const keepsProposal = (ACTIVE_STATUSES as readonly string[]).includes(to);
  const reasonOf = (id: string) => decision.reasons?.get(id) ?? decision.reason ?? null;
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await tx.$queryRaw<{ id: string; from: string }[]>`
      WITH before AS (
        SELECT f.id, f.status, f."slaPausedAt", u.reason FROM finding f
        JOIN unnest(${chunk}::text[], ${chunk.map(reasonOf)}::text[]) AS u(id, reason) ON u.id = f.id
        WHERE f.status <> ${to} FOR UPDATE OF f
      )
      UPDATE finding f SET
        status = ${to},
        "decidedBy" = ${actor.type},
        resolution = ${resolution},
        "resolvedAt" = ${closing ? at : null},
        "acceptanceReason" = CASE WHEN ${accepting} THEN before.reason ELSE NULL END,
        "acceptedById" = ${accepting ? (decision.approverId ?? null) : null},
        "acceptedUntil" = ${accepting ? (decision.acceptedUntil ?? null) : null},
        "acceptanceRemindedAt" = NULL,
        "slaPausedAt" = CASE WHEN ${accepting} THEN coalesce(before."slaPausedAt", ${at}) ELSE NULL END,
        "slaDueAt" = CASE WHEN NOT ${accepting} AND before."slaPausedAt" IS NOT NULL AND f."slaDueAt" IS NOT NULL
          THEN f."slaDueAt" + (${at}::timestamp - before."slaPausedAt") ELSE f."slaDueAt" END,
        "slaPausedSeconds" = CASE WHEN NOT ${accepting} AND before."slaPausedAt" IS NOT NULL
          THEN f."slaPausedSeconds" + GREATEST(0, floor(extract(epoch FROM ${at}::timestamp - before."slaPausedAt")))::int
          ELSE f."slaPausedSeconds" END,
        "duplicateOfId" = ${to === "duplicate" ? (decision.duplicateOfId ?? null) : null},
        "suppressionRuleId" = ${decision.suppressionRuleId ?? null},
        "proposedStatus" = CASE WHEN ${keepsProposal} THEN f."proposedStatus" ELSE NULL END,
        "proposedById" = CASE WHEN ${keepsProposal} THEN f."proposedById" ELSE NULL END,
        "proposalReason" = CASE WHEN ${keepsProposal} THEN f."proposalReason" ELSE NULL END,
        "updatedAt" = ${at}
      FROM before WHERE f.id = before.id
      RETURNING f.id, before.status AS "from"`;
    moved.push(...rows);
  }
  const detail = (id: string) =>
    [
      reasonOf(id),
      decision.acceptedUntil ? `accepted until ${decision.acceptedUntil.toISOString().slice(0, 10)}` : null,
      decision.duplicateOfId ? `duplicate of ${decision.duplicateOfId}` : null,
    ].filter(Boolean).join("; ");
  await recordFindingEvents(
    tx,
    moved.map((m) => ({ findingId: m.id, type: "status", fromValue: m.from, toValue: to, comment: detail(m.id) || null, actor })),
    at,
  );
  return moved;
}

/** Assigns findings to a person (or nobody): one UPDATE, an "assigned" event per finding that changed (emails). */
export async function assignFindings(
  tx: Tx,
  ids: readonly string[],
  assignee: { id: string; email: string } | null,
  actor: EventActor,
  at: Date,
): Promise<{ id: string; from: string | null }[]> {
  const changed: { id: string; from: string | null }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await tx.$queryRaw<{ id: string; from: string | null }[]>`
      WITH before AS (
        SELECT f.id, u.email FROM finding f LEFT JOIN "user" u ON u.id = f."assigneeId"
        WHERE f.id = ANY(${chunk}::text[]) AND f."assigneeId" IS DISTINCT FROM ${assignee?.id ?? null} FOR UPDATE OF f
      )
      UPDATE finding f SET "assigneeId" = ${assignee?.id ?? null}, "updatedAt" = ${at}
      FROM before WHERE f.id = before.id
      RETURNING f.id, before.email AS "from"`;
    changed.push(...rows);
  }
  await recordFindingEvents(
    tx,
    changed.map((c) => ({ findingId: c.id, type: "assigned", fromValue: c.from, toValue: assignee?.email ?? null, actor })),
    at,
  );
  return changed;
}

/** A comment (markdown, stored as written; rendered through a sanitiser) in a finding's history. */
export async function addComment(tx: Tx, findingId: string, body: string, actor: EventActor, at: Date): Promise<void> {
  await recordFindingEvents(tx, [{ findingId, type: "comment", fromValue: null, toValue: null, comment: body, actor }], at);
}

/** A developer's proposal for security to decide (false positive): kept on the finding until a decision clears it. */
export async function propose(tx: Tx, findingId: string, to: FindingStatus, reason: string, actor: EventActor, at: Date): Promise<void> {
  await tx.finding.update({
    where: { id: findingId },
    data: { proposedStatus: to, proposedById: actor.id ?? null, proposalReason: reason, updatedAt: at },
  });
  await recordFindingEvents(tx, [{ findingId, type: "proposed", fromValue: null, toValue: to, comment: reason, actor }], at);
}

/** Security's "no" to a proposal: the proposal is cleared, the finding stays as it is, the history says why. */
export async function clearProposal(tx: Tx, findingId: string, reason: string, actor: EventActor, at: Date): Promise<void> {
  const before = await tx.finding.findUniqueOrThrow({ where: { id: findingId }, select: { proposedStatus: true } });
  await tx.finding.update({ where: { id: findingId }, data: { proposedStatus: null, proposedById: null, proposalReason: null, updatedAt: at } });
  await recordFindingEvents(tx, [{ findingId, type: "proposal_rejected", fromValue: before.proposedStatus, toValue: null, comment: reason, actor }], at);
}

/**
 * Acceptances whose expiry has come (acceptedUntil ≤ now) reopen, with the SLA clock resuming where it stood (the
 * accepted time not counted). Run on a schedule by the server and by `postern correlate --as-of`. Returns the ids.
 */
export async function expireAcceptances(tx: Tx, now: Date): Promise<string[]> {
  const due = await tx.finding.findMany({
    where: { status: "risk_accepted", acceptedUntil: { lte: now } },
    select: { id: true },
  });
  const moved = await applyDecision(tx, due.map((d) => d.id), { to: "open", reason: "risk acceptance expired" }, SYSTEM, now);
  return moved.map((m) => m.id);
}

/** Actors whose decision stands against a scanner's triage: a person (or their token), or Postern's own schedule. */
const TOOL_YIELDS_TO: ReadonlySet<string> = new Set(["user", "token", "system"]);
/** A SARIF justification that speaks of accepting (not "acceptable"): the suppression is a risk acceptance. */
const SPEAKS_OF_ACCEPTANCE = /\b(accept(s|ed|ing|ance)?|risk[- ]accepted)\b/i;

/**
 * The state a scanner's triage stands for, or null when none is in force:
 * - StackHawk false positive / risk accepted: those states;
 * - a SARIF suppression in force (status accepted, stored as "suppressed"): false positive — the tool was told not to
 *   report it — except an `external` suppression (kept outside the code, in a triage database) whose justification
 *   speaks of accepting, which is a risk acceptance;
 * - SARIF suppressions under review or rejected: none.
 */
export function toolTriageState(triage: Pick<ToolTriage, "state" | "kind" | "justification"> | null | undefined): "false_positive" | "risk_accepted" | null {
  if (!triage) return null;
  if (triage.state === "false_positive" || triage.state === "risk_accepted") return triage.state;
  if (triage.state !== "suppressed") return null;
  return triage.kind === "external" && SPEAKS_OF_ACCEPTANCE.test(triage.justification ?? "") ? "risk_accepted" : "false_positive";
}

function triageReason(tool: string, triage: ToolTriage | null): string {
  if (!triage) return `${tool} no longer triages it`;
  const how = triage.state === "suppressed" ? `suppressed in ${tool}${triage.kind ? ` (${triage.kind})` : ""}` : `marked ${triage.state.replace("_", " ")} in ${tool}`;
  return triage.justification ? `${how}: ${triage.justification}` : how;
}

export interface ToolTriageInput {
  id: string;
  /** The tool's name: the actor of the history event. */
  tool: string;
  /** What its latest report says (null: nothing, or a suppression not in force). */
  triage: ToolTriage | null;
}

/**
 * A scanner's own triage as a decision, made by the tool (history actor type "tool", id = the tool's name) through
 * applyDecision: a false positive or an accepted risk (until now + maxAcceptanceDays, as every acceptance ends) with
 * the tool's justification; when a finding the tool had closed comes without that triage, the tool reopens it.
 * Only findings nobody else decided are touched: a person's decision (decidedBy user or token), Postern's own (an
 * expired acceptance is not renewed by the tool restating it) and a suppression rule's stand. Resolved findings are
 * left to the rescan (reported again, they reopen first). One statement per tool and state.
 */
export async function applyToolTriage(
  tx: Tx,
  items: readonly ToolTriageInput[],
  options: { at: Date; maxAcceptanceDays: number },
): Promise<{ id: string; from: string; to: FindingStatus; tool: string }[]> {
  if (items.length === 0) return [];
  const current = new Map<string, { status: string; decidedBy: string | null; suppressionRuleId: string | null }>();
  for (let i = 0; i < items.length; i += CHUNK) {
    const rows = await tx.finding.findMany({
      where: { id: { in: items.slice(i, i + CHUNK).map((item) => item.id) } },
      select: { id: true, status: true, decidedBy: true, suppressionRuleId: true },
    });
    for (const r of rows) current.set(r.id, r);
  }
  const groups = new Map<string, { tool: string; to: FindingStatus; ids: string[]; reasons: Map<string, string> }>();
  for (const item of items) {
    const row = current.get(item.id);
    if (!row || row.suppressionRuleId || (row.decidedBy && TOOL_YIELDS_TO.has(row.decidedBy)) || row.status === "resolved" || row.status === "duplicate") continue;
    const want = toolTriageState(item.triage);
    let to: FindingStatus | null = null;
    if (want && row.status !== want) to = want;
    else if (!want && row.decidedBy === "tool" && (row.status === "false_positive" || row.status === "risk_accepted")) to = "open";
    if (!to) continue;
    const key = `${item.tool}\u0000${to}`;
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { tool: item.tool, to, ids: [], reasons: new Map() }));
    group.ids.push(item.id);
    group.reasons.set(item.id, triageReason(item.tool, want ? item.triage : null));
  }
  const until = new Date(options.at.getTime() + options.maxAcceptanceDays * 86_400_000);
  const moved: { id: string; from: string; to: FindingStatus; tool: string }[] = [];
  for (const group of groups.values()) {
    const accepting = group.to === "risk_accepted";
    const rows = await applyDecision(
      tx,
      group.ids,
      { to: group.to, reasons: group.reasons, acceptedUntil: accepting ? until : null },
      { type: "tool", id: group.tool },
      options.at,
    );
    for (const r of rows) moved.push({ ...r, to: group.to, tool: group.tool });
  }
  return moved;
}

/**
 * Changes the terms of standing acceptances (a suppression rule's reason or end edited): reason and expiry set, the
 * reminder cleared, an "acceptance" event each (from → to expiry). Only findings still accepted are touched.
 */
export async function amendAcceptance(
  tx: Tx,
  ids: readonly string[],
  terms: { reason: string; acceptedUntil: Date | null },
  actor: EventActor,
  at: Date,
): Promise<{ id: string; from: string | null }[]> {
  const changed: { id: string; from: string | null }[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    const rows = await tx.$queryRaw<{ id: string; from: Date | null }[]>`
      WITH before AS (
        SELECT id, "acceptedUntil" FROM finding WHERE id = ANY(${chunk}::text[]) AND status = 'risk_accepted' FOR UPDATE
      )
      UPDATE finding f SET "acceptanceReason" = ${terms.reason}, "acceptedUntil" = ${terms.acceptedUntil},
        "acceptanceRemindedAt" = NULL, "updatedAt" = ${at}
      FROM before WHERE f.id = before.id
      RETURNING f.id, before."acceptedUntil" AS "from"`;
    for (const r of rows) changed.push({ id: r.id, from: r.from ? r.from.toISOString().slice(0, 10) : null });
  }
  const to = terms.acceptedUntil ? terms.acceptedUntil.toISOString().slice(0, 10) : null;
  await recordFindingEvents(
    tx,
    changed.map((c) => ({ findingId: c.id, type: "acceptance", fromValue: c.from, toValue: to, comment: terms.reason, actor })),
    at,
  );
  return changed;
}

/**
 * Acceptances ending within `leadDays` of now whose reminder has not gone out: marks them reminded (once per
 * acceptance: a new acceptance or new terms clear the mark) and returns them for the notification hook.
 */
export async function dueAcceptanceReminders(
  tx: Tx,
  now: Date,
  leadDays: number,
): Promise<{ id: string; title: string; acceptedUntil: Date; acceptedById: string | null; assigneeId: string | null; teamId: string | null }[]> {
  const horizon = new Date(now.getTime() + leadDays * 86_400_000);
  return tx.$queryRaw`
    UPDATE finding SET "acceptanceRemindedAt" = ${now}
    WHERE status = 'risk_accepted' AND "acceptanceRemindedAt" IS NULL AND "acceptedUntil" > ${now} AND "acceptedUntil" <= ${horizon}
    RETURNING id, title, "acceptedUntil", "acceptedById", "assigneeId", "teamId"`;
}
