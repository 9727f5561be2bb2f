/**
 * Evaluates a framework's controls for a scope (all / a team / an Api) and a period [from, to] (DESIGN.md §6):
 * per control its status at `to` — failing (an active finding mapped to it), passing, or not assessed (no evidence
 * source that covers it was ingested: never silently passing) — the open findings behind it by severity, the Apis
 * they sit on, and a weekly trend of its failing findings over the period. Also the period's SLA compliance and
 * mean time to remediate by severity, for a report's header.
 *
 * A past period shows what was true then: a finding's state at a moment is the last `created`/`status` event of its
 * history (`finding_event`, written only by server/findings/lifecycle.ts) at or before that moment; a finding not yet
 * created then does not count. Everything is aggregated in SQL: the mapping table (./mapping.ts) travels to the
 * database as arrays, findings are joined to it there, and only per control × severity × week rows come back.
 * A finding's team is its Api's current owner (DESIGN.md §5), so a team scope follows today's ownership.
 */
import { Prisma } from "@/generated/prisma/client";
import type { Actor } from "@/server/auth/roles";
import { seesAllApis } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { withWorkMem } from "@/server/db/work-mem";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { DomainError, notFound } from "@/server/domain/errors";
import { SEVERITIES, type Severity } from "@/server/domain/severity";
import { FRAMEWORKS, type FrameworkId } from "./frameworks";
import { type EvidenceSource, EVIDENCE_SOURCES, isControlAssessed, isEvidenceSource, mappingForRule, mappingForScannerFinding } from "./mapping";

export type ReportScope = { kind: "all" } | { kind: "team"; slug: string } | { kind: "api"; slug: string };

export type ControlStatus = "passing" | "failing" | "not_assessed";

export type SeverityCounts = Record<Severity, number>;

export interface ControlEvaluation {
  id: string;
  title: string;
  status: ControlStatus;
  /** Active findings (open, triaged, in progress) mapped to the control at `to`, by severity. */
  open: SeverityCounts;
  openTotal: number;
  /** Findings standing accepted (risk_accepted) at `to`: not failing, but an exception an auditor asks about. */
  accepted: number;
  /** Distinct Apis with an active finding mapped to the control at `to`. */
  apis: number;
  /** Active findings mapped to the control at each trend point. */
  trend: number[];
}

export interface ResolvedScope {
  kind: ReportScope["kind"];
  /** Team or Api slug (null for all). */
  slug: string | null;
  /** What a reader sees: "All Apis", "Team Payments (payments)", "Api Orders (orders)". */
  label: string;
}

export interface Evaluation {
  framework: FrameworkId;
  scope: ResolvedScope;
  from: Date;
  to: Date;
  /** Evidence sources ingested by `to` (for a team or Api scope, traffic and vault evidence must concern its Apis). */
  evidence: EvidenceSource[];
  /** Apis in scope known by `to`. */
  apisInScope: number;
  /** The trend's points: `to`, and every 7 days back from it while not before `from`, oldest first. */
  trendPoints: Date[];
  controls: ControlEvaluation[];
  /** Distinct active findings behind any of the framework's controls at `to`, by severity. */
  openFindings: SeverityCounts;
  summary: { passing: number; failing: number; notAssessed: number };
  sla: {
    /** Findings in scope resolved in [from, to) that had an SLA, and how many by their due date. */
    closed: number;
    closedWithinSla: number;
    share: number | null;
  };
  /** Mean days from first seen to resolved, of findings in scope resolved in [from, to), by severity. */
  mttrDays: Record<Severity, { resolved: number; meanDays: number | null }>;
}

const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
/** Memory for the pass over the findings' history: 200,000 findings' keys hash in about 40 MB. */
const REPORT_WORK_MEM_MB = 64;
/** Enough weekly points for a two-year period; longer periods are refused rather than made into huge queries. */
const MAX_POINTS = 106;

export function emptyCounts(): SeverityCounts {
  return { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
}

function isSeverity(value: string): value is Severity {
  return (SEVERITIES as readonly string[]).includes(value);
}

/** The trend's points: `to` and each week before it back to `from`, oldest first. */
export function trendPoints(from: Date, to: Date): Date[] {
  const n = Math.floor((to.getTime() - from.getTime()) / WEEK_MS);
  const points: Date[] = [];
  for (let k = n; k >= 0; k--) points.push(new Date(to.getTime() - k * WEEK_MS));
  return points;
}

export interface ScopeSql {
  resolved: ResolvedScope;
  /** Condition on `api a` for the Apis in scope. */
  apis: Prisma.Sql;
  /** Condition on `finding f LEFT JOIN api a` for the findings in scope. */
  findings: Prisma.Sql;
}

/**
 * The scope as SQL conditions, checked against what the actor may see: a developer's "all" is their teams' Apis;
 * another team or its Api answers like a missing one (404). Executives and security see every Api.
 */
export async function resolveScope(prisma: Db, actor: Actor, scope: ReportScope): Promise<ScopeSql> {
  const everything = seesAllApis(actor) || actor.role === "executive";
  if (scope.kind === "all") {
    if (everything) return { resolved: { kind: "all", slug: null, label: "All Apis" }, apis: Prisma.sql`TRUE`, findings: Prisma.sql`TRUE` };
    const mine = Prisma.sql`a."ownerTeamId" = ANY(${actor.teamIds}::text[])`;
    return { resolved: { kind: "all", slug: null, label: "All Apis of your teams" }, apis: mine, findings: mine };
  }
  if (scope.kind === "team") {
    const team = await prisma.team.findUnique({ where: { slug: scope.slug }, select: { id: true, slug: true, name: true } });
    if (!team || (!everything && !actor.teamIds.includes(team.id))) throw notFound(`Team ${scope.slug}`);
    const cond = Prisma.sql`a."ownerTeamId" = ${team.id}`;
    return { resolved: { kind: "team", slug: team.slug, label: `Team ${team.name} (${team.slug})` }, apis: cond, findings: cond };
  }
  const api = await prisma.api.findUnique({ where: { slug: scope.slug }, select: { id: true, slug: true, name: true, ownerTeamId: true } });
  if (!api || (!everything && !(api.ownerTeamId && actor.teamIds.includes(api.ownerTeamId)))) throw notFound(`Api ${scope.slug}`);
  return {
    resolved: { kind: "api", slug: api.slug, label: `Api ${api.name} (${api.slug})` },
    apis: Prisma.sql`a.id = ${api.id}`,
    findings: Prisma.sql`f."apiId" = ${api.id}`,
  };
}

/**
 * Evidence sources ingested by `to`: the families of successful ingest runs. For a team or an Api, gateway logs
 * count only when they carried traffic of its Apis, and vault audits only when a secret is linked to one of them —
 * an Api behind no gateway says nothing about rate limits however many logs others sent.
 */
export async function ingestedEvidence(prisma: Db, scope: ScopeSql, to: Date): Promise<Set<EvidenceSource>> {
  const runs = await prisma.$queryRaw<{ family: string }[]>`
    SELECT DISTINCT family FROM ingest_run WHERE status = 'succeeded' AND family IS NOT NULL AND "startedAt" <= ${to}`;
  const set = new Set(runs.map((r) => r.family).filter(isEvidenceSource));
  if (scope.resolved.kind !== "all") {
    const [row] = await prisma.$queryRaw<{ traffic: boolean; vault: boolean }[]>`
      SELECT
        EXISTS (SELECT 1 FROM traffic_endpoint_hour t JOIN api a ON a.id = t."apiId" WHERE ${scope.apis} AND t."hourStart" <= ${to}) AS traffic,
        EXISTS (SELECT 1 FROM secret_api_link l JOIN api a ON a.id = l."apiId" WHERE ${scope.apis}) AS vault`;
    if (!row?.traffic) set.delete("traffic");
    if (!row?.vault) set.delete("vault");
  }
  return set;
}

/**
 * The state changes of a finding's history as differences: each `created`/`status` event moves its finding into the
 * class of `toValue` and out of the class of `fromValue` (none for `created`). A finding's class at a moment is the sum
 * of its changes up to then, so counts at the trend's points are running sums of per-week differences — one pass over
 * the events joined to their findings, with no per-finding ordering (a window over every finding's history sorted
 * 340,000 events to disk and took 2.3 s of the 200,000-finding report on PostgreSQL). The lifecycle
 * (server/findings/lifecycle.ts), the only writer of these events, records each change's previous status as its
 * `fromValue`.
 */
function classDelta(cls: readonly string[]): Prisma.Sql {
  return Prisma.sql`((CASE WHEN e."toValue" = ANY(${cls}::text[]) THEN 1 ELSE 0 END) - (CASE WHEN e.type = 'status' AND e."fromValue" = ANY(${cls}::text[]) THEN 1 ELSE 0 END))`;
}

/** A finding's mapping key: its rule id (derived findings), or its OWASP category and CWE (scanner findings). */
export interface KeyRow {
  rule_key: string | null;
  cat: string | null;
  cwe: number | null;
}

interface DeltaRow extends KeyRow {
  /** Null on the per-Api rows of the grouping (whose `apiId` is never null). */
  severity: string | null;
  /** The first trend point at or after the changes; null on the per-Api rows. */
  k: number | null;
  /** Null on the per-severity rows. */
  apiId: string | null;
  active: bigint | number;
  accepted: bigint | number;
}

/** The key columns of `finding f`, in KeyRow's names. */
export const KEY_COLUMNS = Prisma.sql`CASE WHEN f.kind <> 'scan' THEN f."ruleId" END AS rule_key,
  CASE WHEN f.kind = 'scan' THEN f."owaspCategory" END AS cat, CASE WHEN f.kind = 'scan' THEN f.cwe END AS cwe`;

/** The framework's controls a mapping key bears on (./mapping.ts), memoised per key. */
export function controlsForKeys(framework: FrameworkId): (key: KeyRow) => string[] {
  const memo = new Map<string, string[]>();
  return (key) => {
    const id = `${key.rule_key ?? ""}|${key.cat ?? ""}|${key.cwe ?? ""}`;
    let controls = memo.get(id);
    if (!controls) {
      const rows = key.rule_key !== null ? mappingForRule(key.rule_key) : mappingForScannerFinding({ cwe: key.cwe, owaspCategory: key.cat });
      controls = [...new Set(rows.filter((r) => r.framework === framework).flatMap((r) => r.controls))];
      memo.set(id, controls);
    }
    return controls;
  };
}

export interface EvaluateInput {
  framework: FrameworkId;
  scope: ReportScope;
  from: Date;
  to: Date;
}

export async function evaluateFramework(prisma: Db, actor: Actor, input: EvaluateInput): Promise<Evaluation> {
  const { framework, from, to } = input;
  if (!(from.getTime() < to.getTime())) throw new DomainError("BAD_REQUEST", "from must be before to");
  const points = trendPoints(from, to);
  if (points.length > MAX_POINTS) throw new DomainError("BAD_REQUEST", "the period may span at most two years");
  const scope = await resolveScope(prisma, actor, input.scope);
  const evidence = await ingestedEvidence(prisma, scope, to);
  const n = points.length - 1; // index of `to`
  const t0 = points[0]!;
  const controlsOf = controlsForKeys(framework);

  // A change at moment t counts from point k = the first point at or after t (T_k = t0 + k weeks; changes before t0
  // count from 0; changes after `to` are not read). Grouped by the finding's mapping key (rule id, or OWASP category
  // and CWE), not by control: every finding of a group maps to the same controls, so the rows stay few and nothing
  // is counted twice. The second grouping set answers which Apis hold an active finding of each key at `to` (their
  // changes up to `to` sum above zero).
  const weekSeconds = WEEK_MS / 1000;
  const k = Prisma.sql`GREATEST(0, CEIL(EXTRACT(EPOCH FROM (e."createdAt" - ${t0}::timestamp)) / ${weekSeconds}::float8)::int)`;
  // One pass over the events for both groupings (GROUPING SETS); a row with an Api is of the per-Api one.
  const rows = await withWorkMem(prisma, REPORT_WORK_MEM_MB, (tx) => tx.$queryRaw<DeltaRow[]>`
    SELECT rule_key, cat, cwe, severity, k, "apiId", sum(active) AS active, sum(accepted) AS accepted
    FROM (
      SELECT ${KEY_COLUMNS}, f.severity, f."apiId", ${k} AS k, ${classDelta(ACTIVE_STATUSES)} AS active, ${classDelta(["risk_accepted"])} AS accepted
      FROM finding_event e JOIN finding f ON f.id = e."findingId" LEFT JOIN api a ON a.id = f."apiId"
      WHERE e.type IN ('created', 'status') AND e."createdAt" <= ${to}::timestamp AND ${scope.findings}
    ) d
    GROUP BY GROUPING SETS ((rule_key, cat, cwe, severity, k), (rule_key, cat, cwe, "apiId"))
    HAVING CASE WHEN GROUPING("apiId") = 0 THEN "apiId" IS NOT NULL AND sum(active) > 0 ELSE sum(active) <> 0 OR sum(accepted) <> 0 END`);

  const byControl = new Map<string, ControlEvaluation>();
  const framed = FRAMEWORKS[framework];
  for (const c of framed.controls) {
    byControl.set(c.id, { id: c.id, title: c.title, status: "passing", open: emptyCounts(), openTotal: 0, accepted: 0, apis: 0, trend: new Array<number>(n + 1).fill(0) });
  }
  const openFindings = emptyCounts();
  const apisOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const controls = controlsOf(r);
    if (r.apiId !== null) {
      for (const id of controls) {
        let set = apisOf.get(id);
        if (!set) apisOf.set(id, (set = new Set()));
        set.add(r.apiId);
      }
      continue;
    }
    if (r.k === null || r.k > n || r.severity === null || !isSeverity(r.severity)) continue;
    const active = Number(r.active);
    const accepted = Number(r.accepted);
    if (controls.length > 0) openFindings[r.severity] += active;
    for (const id of controls) {
      const c = byControl.get(id);
      if (!c) continue;
      // Differences of every point up to `to` sum to the state at `to`.
      c.open[r.severity] += active;
      c.accepted += accepted;
      c.trend[r.k]! += active;
    }
  }
  const controls: ControlEvaluation[] = [];
  for (const c of byControl.values()) {
    c.apis = apisOf.get(c.id)?.size ?? 0;
    let running = 0;
    c.trend = c.trend.map((difference) => (running += difference));
    c.openTotal = SEVERITIES.reduce((sum, s) => sum + c.open[s], 0);
    c.status = c.openTotal > 0 ? "failing" : isControlAssessed(framework, c.id, evidence) ? "passing" : "not_assessed";
    controls.push(c);
  }

  const [apisRow] = await prisma.$queryRaw<{ n: bigint | number }[]>`
    SELECT count(*) AS n FROM api a WHERE ${scope.apis} AND a."firstSeenAt" <= ${to}`;
  const { sla, mttrDays } = await remediation(prisma, scope, from, to);

  return {
    framework,
    scope: scope.resolved,
    from,
    to,
    evidence: EVIDENCE_SOURCES.filter((e) => evidence.has(e)),
    apisInScope: Number(apisRow?.n ?? 0),
    trendPoints: points,
    controls,
    openFindings,
    summary: {
      passing: controls.filter((c) => c.status === "passing").length,
      failing: controls.filter((c) => c.status === "failing").length,
      notAssessed: controls.filter((c) => c.status === "not_assessed").length,
    },
    sla,
    mttrDays,
  };
}

/**
 * SLA compliance and mean time to remediate of the findings in scope resolved in [from, to): closed by their due
 * date (the time they stood accepted not counted: their due date moved), and the mean of resolved − first seen.
 * Like server/findings/sla-service.ts, "resolved" is remediation; false positives, duplicates and accepted risks are
 * not. A finding resolved in the period and reopened since counts no more (its resolvedAt was cleared).
 */
async function remediation(prisma: Db, scope: ScopeSql, from: Date, to: Date): Promise<Pick<Evaluation, "sla" | "mttrDays">> {
  const rows = await prisma.$queryRaw<{ severity: string; resolved: bigint | number; with_sla: bigint | number; within: bigint | number; mean_days: number | null }[]>`
    SELECT f.severity, count(*) AS resolved,
      count(*) FILTER (WHERE f."slaDueAt" IS NOT NULL) AS with_sla,
      count(*) FILTER (WHERE f."slaDueAt" IS NOT NULL AND f."resolvedAt" <= f."slaDueAt") AS within,
      avg(EXTRACT(EPOCH FROM (f."resolvedAt" - f."firstSeenAt")) / 86400.0)::float8 AS mean_days
    FROM finding f LEFT JOIN api a ON a.id = f."apiId"
    WHERE f.status = 'resolved' AND f."resolvedAt" >= ${from} AND f."resolvedAt" < ${to} AND ${scope.findings}
    GROUP BY f.severity`;
  const mttrDays = Object.fromEntries(SEVERITIES.map((s) => [s, { resolved: 0, meanDays: null as number | null }])) as Evaluation["mttrDays"];
  let closed = 0;
  let within = 0;
  for (const r of rows) {
    closed += Number(r.with_sla);
    within += Number(r.within);
    if (isSeverity(r.severity)) mttrDays[r.severity] = { resolved: Number(r.resolved), meanDays: r.mean_days === null ? null : Math.round(r.mean_days * 10) / 10 };
  }
  return { sla: { closed, closedWithinSla: within, share: closed === 0 ? null : within / closed }, mttrDays };
}
