/**
 * Writes what the correlation rules derived (server/correlate/rule.ts DerivedFinding) as Finding rows, inside the
 * correlation transaction, in batches (INSERT/UPDATE … FROM unnest(column arrays), like ./persist.ts).
 *
 * Identity: fingerprint = sha256("<ruleId>|<apiId>|<endpointId>|<subject>") (empty strings for nulls); scopeKey =
 * "rule:<ruleId>" plus "|api:<apiId>" when the finding has an Api. kind = the rule's kind; teamId = the Api's owner
 * team (kept once set, like scan findings); SLA from first seen, by the SLA settings (./sla.ts), plus the time the
 * finding stood accepted.
 *
 * Times: a new finding's firstSeenAt = the signal's observedFrom (else asOf); lastSeenAt = the later of the stored
 * value and observedTo (else asOf), so an --as-of run over old data never moves lastSeenAt backwards.
 *
 * Status semantics (DESIGN.md §5):
 * - fires, no row yet → open, a "created" event;
 * - fires, open/triaged/in progress → evidence, severity, title and last seen updated;
 * - fires, resolved → reopened with regression = true and a status event;
 * - fires, false_positive / risk_accepted / duplicate → evidence and last seen updated, never reopened (an
 *   acceptance ends on the schedule, ./schedule.ts);
 * - a suppression rule in force (./suppression.ts) covers new findings and active ones reported again (a
 *   regression always, others unless a person decided their state);
 * - does not fire, open/triaged/in progress, its rule was evaluated and its Api is in the evaluated scope →
 *   resolved: "no_longer_applies" (posture) or "signal_stopped" (traffic, secret), with an event. Findings without
 *   an Api are resolved only by a full evaluation (scope = every Api).
 */
import { createHash, randomUUID } from "node:crypto";
import type { DerivedFinding } from "@/server/correlate/rule";
import type { Tx } from "@/server/db/types";
import { severityRank } from "@/server/domain/severity";
import { recordCreated, reportedAgain, resolveUnreported } from "./lifecycle";
import { loadSlaSettings, slaDays, slaDueAt } from "./sla";
import { suppressMatching } from "./suppression";

const CHUNK = 5000;
const RESOLVABLE = ["open", "triaged", "in_progress"];

export interface DerivedCounts {
  fired: number;
  created: number;
  updated: number;
  reopened: number;
  resolved: number;
  /** New or reported-again findings a suppression rule covered. */
  suppressed: number;
}

export function derivedFingerprint(f: Pick<DerivedFinding, "ruleId" | "apiId" | "endpointId" | "subject">): string {
  return createHash("sha256")
    .update(`${f.ruleId}|${f.apiId ?? ""}|${f.endpointId ?? ""}|${f.subject}`)
    .digest("hex");
}

export function derivedScopeKey(ruleId: string, apiId: string | null): string {
  return apiId ? `rule:${ruleId}|api:${apiId}` : `rule:${ruleId}`;
}

interface Prepared {
  f: DerivedFinding;
  fingerprint: string;
  teamId: string | null;
  from: string;
  to: string;
}

export async function writeDerivedFindings(
  tx: Tx,
  derived: DerivedFinding[],
  options: { asOf: Date; evaluatedRules: { id: string; kind: string }[]; scopeApiIds: string[] | null },
): Promise<{ counts: DerivedCounts; apiIds: string[] }> {
  // Record times (createdAt, updatedAt, events) are wall-clock; signal times (first/last seen, resolvedAt) are asOf.
  const nowIso = new Date().toISOString();
  const counts: DerivedCounts = { fired: 0, created: 0, updated: 0, reopened: 0, resolved: 0, suppressed: 0 };
  const sla = await loadSlaSettings(tx);
  const apiIds = new Set<string>();

  // 1. Dedupe within this evaluation (a rule may return one subject twice): the worst severity wins.
  const byFp = new Map<string, DerivedFinding>();
  for (const f of derived) {
    const fp = derivedFingerprint(f);
    const prev = byFp.get(fp);
    if (!prev || severityRank(f.severity) > severityRank(prev.severity)) byFp.set(fp, f);
  }
  counts.fired = byFp.size;

  const findingApiIds = [...new Set([...byFp.values()].map((f) => f.apiId).filter((id): id is string => !!id))];
  const teams = new Map<string, string | null>();
  for (let i = 0; i < findingApiIds.length; i += CHUNK) {
    const rows = await tx.api.findMany({ where: { id: { in: findingApiIds.slice(i, i + CHUNK) } }, select: { id: true, ownerTeamId: true } });
    for (const r of rows) teams.set(r.id, r.ownerTeamId);
  }

  const prepared: Prepared[] = [];
  for (const [fingerprint, f] of byFp) {
    if (f.apiId && !teams.has(f.apiId)) continue; // the Api is gone
    prepared.push({
      f,
      fingerprint,
      teamId: f.apiId ? (teams.get(f.apiId) ?? null) : null,
      from: (f.observedFrom ?? options.asOf).toISOString(),
      to: (f.observedTo ?? options.asOf).toISOString(),
    });
  }

  // 2. Which exist already.
  const existing = new Map<string, { id: string; status: string; apiId: string | null }>();
  for (let i = 0; i < prepared.length; i += CHUNK) {
    const rows = await tx.finding.findMany({
      where: { fingerprint: { in: prepared.slice(i, i + CHUNK).map((p) => p.fingerprint) } },
      select: { id: true, fingerprint: true, status: true, apiId: true },
    });
    for (const r of rows) existing.set(r.fingerprint, r);
  }

  const creates: (Prepared & { id: string })[] = [];
  const seen: (Prepared & { id: string; reopen: boolean })[] = [];
  for (const p of prepared) {
    if (p.f.apiId) apiIds.add(p.f.apiId);
    const found = existing.get(p.fingerprint);
    if (found) seen.push({ ...p, id: found.id, reopen: found.status === "resolved" });
    else creates.push({ ...p, id: randomUUID() });
  }

  // 3. Inserts.
  for (let i = 0; i < creates.length; i += CHUNK) {
    const rows = creates.slice(i, i + CHUNK);
    const col = <T>(fn: (p: Prepared & { id: string }) => T): T[] => rows.map(fn);
    counts.created += await tx.$executeRaw`
      INSERT INTO finding (id, kind, "ruleId", title, description, severity, cwe, "owaspCategory", fingerprint, "scopeKey", "apiId",
        "endpointId", "teamId", location, evidence, occurrences, status, "slaDueAt", "firstSeenAt", "lastSeenAt", "createdAt", "updatedAt")
      SELECT u.id, u.kind, u.rule_id, u.title, u.description, u.severity, u.cwe, u.owasp, u.fingerprint, u.scope_key, u.api_id,
        u.endpoint_id, u.team_id, u.location::jsonb, u.evidence::jsonb, 1, 'open', u.sla_due_at::timestamp, u.first_seen::timestamp,
        u.last_seen::timestamp, ${nowIso}::timestamp, ${nowIso}::timestamp
      FROM unnest(
        ${col((p) => p.id)}::text[],
        ${col((p) => p.f.kind)}::text[],
        ${col((p) => p.f.ruleId)}::text[],
        ${col((p) => p.f.title.slice(0, 500))}::text[],
        ${col((p) => p.f.description ?? null)}::text[],
        ${col((p) => p.f.severity)}::text[],
        ${col((p) => p.f.cwe ?? null)}::int[],
        ${col((p) => p.f.owaspCategory)}::text[],
        ${col((p) => p.fingerprint)}::text[],
        ${col((p) => derivedScopeKey(p.f.ruleId, p.f.apiId))}::text[],
        ${col((p) => p.f.apiId)}::text[],
        ${col((p) => p.f.endpointId ?? null)}::text[],
        ${col((p) => p.teamId)}::text[],
        ${col((p) => (p.f.subject ? JSON.stringify({ subject: p.f.subject }) : null))}::text[],
        ${col((p) => JSON.stringify(p.f.evidence))}::text[],
        ${col((p) => slaDueAt(p.f.severity, new Date(p.from), sla)?.toISOString() ?? null)}::text[],
        ${col((p) => p.from)}::text[],
        ${col((p) => p.to)}::text[]
      ) AS u(id, kind, rule_id, title, description, severity, cwe, owasp, fingerprint, scope_key, api_id, endpoint_id, team_id,
        location, evidence, sla_due_at, first_seen, last_seen)`;
  }

  // 4. Seen again: what the rule says now; then the lifecycle reopens resolved ones as regressions.
  for (let i = 0; i < seen.length; i += CHUNK) {
    const batch = seen.slice(i, i + CHUNK);
    await tx.$executeRaw`
      UPDATE finding f SET
        "lastSeenAt" = GREATEST(f."lastSeenAt", u.last_seen::timestamp),
        severity = u.severity,
        title = u.title,
        description = u.description,
        evidence = u.evidence::jsonb,
        cwe = u.cwe,
        "owaspCategory" = u.owasp,
        "endpointId" = coalesce(u.endpoint_id, f."endpointId"),
        "teamId" = coalesce(f."teamId", u.team_id),
        "slaDueAt" = CASE WHEN u.sla_days IS NULL THEN NULL
          ELSE f."firstSeenAt" + u.sla_days * interval '1 day' + f."slaPausedSeconds" * interval '1 second' END,
        "updatedAt" = ${nowIso}::timestamp
      FROM unnest(
        ${batch.map((s) => s.id)}::text[],
        ${batch.map((s) => s.to)}::text[],
        ${batch.map((s) => s.f.severity)}::text[],
        ${batch.map((s) => s.f.title.slice(0, 500))}::text[],
        ${batch.map((s) => s.f.description ?? null)}::text[],
        ${batch.map((s) => JSON.stringify(s.f.evidence))}::text[],
        ${batch.map((s) => s.f.cwe ?? null)}::int[],
        ${batch.map((s) => s.f.owaspCategory)}::text[],
        ${batch.map((s) => s.f.endpointId ?? null)}::text[],
        ${batch.map((s) => s.teamId)}::text[],
        ${batch.map((s) => slaDays(s.f.severity, sla))}::int[]
      ) AS u(id, last_seen, severity, title, description, evidence, cwe, owasp, endpoint_id, team_id, sla_days)
      WHERE f.id = u.id`;
  }
  const now = new Date(nowIso);
  await recordCreated(tx, creates.map((c) => ({ id: c.id, comment: `derived by rule ${c.f.ruleId}` })), now);
  const reopened = await reportedAgain(tx, seen.filter((s) => s.reopen).map((s) => ({ id: s.id, why: `${s.f.ruleId} fires again` })), now);
  counts.reopened = reopened.length;
  counts.updated = seen.length - reopened.length;
  const regressions = new Set(reopened);
  counts.suppressed = (
    // A millisecond after the creation and regression events: the history reads in the order things happened.
    await suppressMatching(
      tx,
      [...creates.map((c) => ({ id: c.id, force: true })), ...seen.map((s) => ({ id: s.id, force: regressions.has(s.id) }))],
      new Date(now.getTime() + 1),
    )
  ).length;

  // 5. No longer firing, within the evaluated rules and scope: resolved.
  const rules = options.evaluatedRules;
  if (rules.length) {
    const fired = prepared.map((p) => p.fingerprint);
    const scope = options.scopeApiIds;
    const gone = await tx.$queryRaw<{ id: string; kind: string }[]>`
      SELECT f.id, f.kind FROM finding f
      LEFT JOIN unnest(${fired}::text[]) AS s(fp) ON s.fp = f.fingerprint
      WHERE f."ruleId" = ANY(${rules.map((r) => r.id)}::text[]) AND f.kind = ANY(${[...new Set(rules.map((r) => r.kind))]}::text[])
        AND f.status = ANY(${RESOLVABLE}::text[]) AND s.fp IS NULL
        AND (${scope === null} OR f."apiId" = ANY(${scope ?? []}::text[]))`;
    const at = { at: now, resolvedAt: options.asOf };
    const resolved = [
      ...(await resolveUnreported(tx, gone.filter((g) => g.kind === "posture").map((g) => g.id), { ...at, resolution: "no_longer_applies", comment: "no longer applies" })),
      ...(await resolveUnreported(tx, gone.filter((g) => g.kind !== "posture").map((g) => g.id), { ...at, resolution: "signal_stopped", comment: "signal stopped" })),
    ];
    counts.resolved += resolved.length;
    for (const r of resolved) if (r.apiId) apiIds.add(r.apiId);
  }
  return { counts, apiIds: [...apiIds] };
}
