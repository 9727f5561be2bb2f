/**
 * Reading risk: the Overview aggregates, one Api's factor breakdown, and the weights editor's preview.
 *
 * Object-level access (DESIGN.md §7): every query is scoped with apiScope / findingScope — developers see their
 * teams' Apis and findings only; admins, the security team and executives see the organisation. Executives get
 * aggregates (counts, scores, trend), never finding titles: the factor breakdown omits the findings behind the
 * factors for them.
 */
import type { z } from "zod";
import { type Prisma } from "@/generated/prisma/client";
import { type Actor, seesAllApis, seesDetail } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/domain/errors";
import { SEVERITIES, type Severity } from "@/server/domain/severity";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { type Band, BANDS, contributionLabel } from "@/server/domain/risk";
import { apiScope, apiSqlScope, findingScope } from "@/server/auth/scope";
import { loadRiskInputs } from "./inputs";
import { mainFactor, type RiskFactor, scoreApi } from "./score";
import type { riskBreakdownOutput, riskOverviewOutput, TrendPoint, weightsPreviewOutput } from "./schemas";
import { loadRiskWeights, type RiskWeights } from "./weights";
import { ATTACK_SIGNAL_RULE_IDS } from "@/server/correlate/rules/traffic";

const DAY_MS = 86_400_000;
export const TREND_DAYS = 90;

export async function riskOverview(prisma: Db, actor: Actor, now = new Date()): Promise<z.infer<typeof riskOverviewOutput>> {
  const apis = apiScope(actor);
  const findings: Prisma.FindingWhereInput = { AND: [findingScope(actor), { status: { in: [...ACTIVE_STATUSES] } }] };
  const active = (where: Prisma.FindingWhereInput) => prisma.finding.count({ where: { AND: [findings, where] } });
  const since = new Date(now.getTime() - DAY_MS);
  const [bands, top, ownerless, shadow, zombie, bySeverity, attack, attackByRule, staleSecrets, unscored, trend] = await Promise.all([
    prisma.api.groupBy({ by: ["riskBand"], where: apis, _count: { _all: true } }),
    prisma.api.findMany({
      where: { AND: [apis, { riskScore: { not: null } }] },
      orderBy: [{ riskScore: "desc" }, { id: "asc" }],
      take: 10,
      select: { slug: true, name: true, riskScore: true, riskBand: true, riskFactors: true, ownerTeam: { select: { name: true } } },
    }),
    prisma.api.count({ where: { AND: [apis, { ownerTeamId: null }] } }),
    active({ ruleId: "shadow-api" }),
    active({ ruleId: "zombie" }),
    prisma.finding.groupBy({ by: ["severity"], where: findings, _count: { _all: true } }),
    active({ kind: "traffic", ruleId: { in: [...ATTACK_SIGNAL_RULE_IDS] }, lastSeenAt: { gte: since } }),
    prisma.finding.groupBy({
      by: ["ruleId"],
      where: { AND: [findings, { kind: "traffic", ruleId: { in: [...ATTACK_SIGNAL_RULE_IDS] }, lastSeenAt: { gte: since } }] },
      _count: { _all: true },
    }),
    active({ ruleId: "stale-secret" }),
    prisma.api.count({ where: { AND: [apis, { riskScore: null }] } }),
    riskTrend(prisma, actor, now),
  ]);
  const severity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const r of bySeverity) if (r.severity in severity) severity[r.severity as Severity] = r._count._all;
  const distribution = Object.fromEntries(BANDS.map((b) => [b, 0])) as Record<Band, number>;
  for (const r of bands) if (r.riskBand && r.riskBand in distribution) distribution[r.riskBand as Band] = r._count._all;
  return {
    distribution,
    unscored,
    top: top.map((a) => {
      const main = mainFactor(Array.isArray(a.riskFactors) ? (a.riskFactors as unknown as { name: string; points: number }[]) : []);
      return {
        slug: a.slug,
        name: a.name,
        owner: a.ownerTeam?.name ?? null,
        score: a.riskScore ?? 0,
        band: a.riskBand ?? "low",
        mainFactor: main ? { name: main.name, label: contributionLabel(main.name), points: main.points } : null,
      };
    }),
    counts: { ownerless, shadow, zombie, staleSecrets },
    openFindings: severity,
    attackSignals: { total: attack, byRule: attackByRule.map((r) => ({ ruleId: r.ruleId, count: r._count._all })).sort((x, y) => y.count - x.count) },
    trend,
    /** Whether the viewer may open finding lists (executives may not). */
    linksToFindings: seesDetail(actor),
  };
}

/**
 * The organisation's risk per UTC day over the last TREND_DAYS days. Snapshots are written only for Apis recomputed
 * that day, so each Api's latest snapshot carries forward: computed in SQL as running sums of per-Api deltas
 * (score change, band entry/exit) over the snapshot days, then filled forward over days without snapshots.
 */
export async function riskTrend(prisma: Db, actor: Actor, now = new Date()): Promise<TrendPoint[]> {
  const scope = apiSqlScope(actor, "a");
  const today = now.toISOString().slice(0, 10);
  const rows = await prisma.$queryRaw<{ day: Date | string; apis: number; total: number; critical: number; high: number }[]>`
    WITH s AS (
      SELECT r.day, r.score, r.band,
        lag(r.score) OVER w AS prev_score, lag(r.band) OVER w AS prev_band
      FROM risk_snapshot r JOIN api a ON a.id = r."apiId"
      WHERE ${scope} AND r.day <= ${today}::date
      WINDOW w AS (PARTITION BY r."apiId" ORDER BY r.day)
    ), d AS (
      SELECT day,
        sum(score - coalesce(prev_score, 0)) AS dscore,
        sum(CASE WHEN prev_score IS NULL THEN 1 ELSE 0 END) AS dcount,
        sum((band = 'critical')::int - (coalesce(prev_band, '') = 'critical')::int) AS dcritical,
        sum((band = 'high')::int - (coalesce(prev_band, '') = 'high')::int) AS dhigh
      FROM s GROUP BY day
    )
    SELECT day,
      (sum(dcount) OVER o)::int AS apis,
      (sum(dscore) OVER o)::float8 AS total,
      (sum(dcritical) OVER o)::int AS critical,
      (sum(dhigh) OVER o)::int AS high
    FROM d
    WINDOW o AS (ORDER BY day)
    ORDER BY day`;
  const byDay = new Map(rows.map((r) => [(r.day instanceof Date ? r.day.toISOString() : String(r.day)).slice(0, 10), r]));
  const start = new Date(`${today}T00:00:00Z`).getTime() - (TREND_DAYS - 1) * DAY_MS;
  let carried = rows.filter((r) => (r.day instanceof Date ? r.day.toISOString() : String(r.day)).slice(0, 10) < new Date(start).toISOString().slice(0, 10)).at(-1) ?? null;
  const out: TrendPoint[] = [];
  for (let t = start; t <= start + (TREND_DAYS - 1) * DAY_MS; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    carried = byDay.get(day) ?? carried;
    if (!carried) continue;
    out.push({
      day,
      apis: carried.apis,
      averageScore: carried.apis ? Math.round((Number(carried.total) / carried.apis) * 10) / 10 : 0,
      critical: carried.critical,
      high: carried.high,
    });
  }
  return out;
}

/** One Api's score and factor breakdown (from the stored computation). */
export async function apiRiskBreakdown(prisma: Db, actor: Actor, slug: string): Promise<z.infer<typeof riskBreakdownOutput>> {
  const api = await prisma.api.findFirst({
    where: { AND: [apiScope(actor), { slug }] },
    select: { id: true, slug: true, riskScore: true, riskBand: true, riskFactors: true },
  });
  if (!api) throw notFound("Api");
  const detail = seesDetail(actor);
  const factors = (Array.isArray(api.riskFactors) ? (api.riskFactors as unknown as RiskFactor[]) : []).map((f) => ({
    name: f.name,
    label: contributionLabel(f.name),
    points: f.points,
    max: f.max ?? null,
    detail: f.detail ?? "",
    findings: detail ? (f.findings ?? []) : [],
  }));
  return { slug: api.slug, score: api.riskScore, band: api.riskBand, factors };
}

/**
 * What candidate weights would change: every Api visible to the actor rescored with the current and the candidate
 * weights (from the same inputs), and the rank moves among the top `limit` under either.
 */
export async function previewWeights(prisma: Db, actor: Actor, candidate: RiskWeights, limit = 20): Promise<z.infer<typeof weightsPreviewOutput>> {
  const current = await loadRiskWeights(prisma);
  const ids = seesAllApis(actor) || actor.role === "executive" ? null : (await prisma.api.findMany({ where: apiScope(actor), select: { id: true } })).map((a) => a.id);
  const inputs = await loadRiskInputs(prisma, ids);
  const names = new Map((await prisma.api.findMany({ where: ids === null ? {} : { id: { in: ids } }, select: { id: true, slug: true, name: true } })).map((a) => [a.id, a]));
  const scored = inputs.map((i) => ({ id: i.apiId, before: scoreApi(i, current), after: scoreApi(i, candidate) }));
  const rank = (key: "before" | "after") => {
    const sorted = [...scored].sort((a, b) => b[key].score - a[key].score || a.id.localeCompare(b.id));
    return new Map(sorted.map((s, i) => [s.id, i + 1]));
  };
  const rb = rank("before");
  const ra = rank("after");
  const rows = scored
    .filter((s) => (rb.get(s.id) ?? Infinity) <= limit || (ra.get(s.id) ?? Infinity) <= limit)
    .map((s) => ({
      slug: names.get(s.id)?.slug ?? s.id,
      name: names.get(s.id)?.name ?? s.id,
      before: { score: s.before.score, band: s.before.band, rank: rb.get(s.id) ?? 0 },
      after: { score: s.after.score, band: s.after.band, rank: ra.get(s.id) ?? 0 },
    }))
    .sort((a, b) => a.after.rank - b.after.rank);
  const bandChanges = scored.filter((s) => s.before.band !== s.after.band).length;
  const count = (key: "before" | "after") => Object.fromEntries(BANDS.map((b) => [b, scored.filter((s) => s[key].band === b).length])) as Record<Band, number>;
  return { apis: scored.length, bandChanges, distribution: { before: count("before"), after: count("after") }, rows };
}
