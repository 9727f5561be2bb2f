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
import { ACTIVE_STATUSES } from "@/server/domain/findings";

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
