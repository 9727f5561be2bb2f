/**
 * The executive home (DESIGN.md §1 "executives", issue 15): are we getting better, are SLAs met, what are the top
 * risks. Every number is aggregated in the database, on the actor's scope (apiSqlScope / findingSqlScope); the
 * answer carries counts, durations, shares and Api names, never a finding's title or evidence.
 */
import type { Actor } from "@/server/auth/roles";
import { apiSqlScope, findingSqlScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { type Band, BANDS } from "@/server/domain/risk";
import { riskTrend } from "@/server/risk/service";
import { type SlaCompliance, slaCompliance } from "@/server/findings/sla-service";
import { ATTACK_SIGNAL_RULE_IDS } from "@/server/correlate/rules/traffic";
import type { ExecutiveSummary } from "./schemas";

const DAY_MS = 86_400_000;
/** The SLA and opened/resolved period, in days (the trend's window). */
export const PERIOD_DAYS = 90;
const MONTH_DAYS = 30;
const CHANGE_DAYS = 7;
const TOP_RISKS = 5;
const MTTR_SEVERITIES = ["critical", "high", "medium", "low"] as const;
const ACTIVE = [...ACTIVE_STATUSES];

const round1 = (n: number) => Math.round(n * 10) / 10;
const pctChange = (now: number | null, before: number | null) => (now === null || before === null || before === 0 ? null : round1(((now - before) / before) * 100));
const isBand = (b: string | null): b is Band => b !== null && (BANDS as readonly string[]).includes(b);
/** critical 3 … low 0, for "did it rise". */
const bandRank = (b: string | null) => (isBand(b) ? BANDS.length - 1 - BANDS.indexOf(b) : -1);

export interface RiskFacts {
  exposure: string | null;
  dataClasses: string[];
  authKinds: string[];
  endpoints: number;
  undeclared: number;
  requiring: number;
  critical: number;
  high: number;
  attackSignals: number;
  owned: boolean;
}

const DATA_WORDS: Record<string, string> = { financial: "card/financial data", credentials: "credentials", health: "health data", pii: "personal data" };

/** One top risk in plain language: "internet-facing, no declared auth, holds card/financial data, 2 critical findings open". */
export function plainRisk(f: RiskFacts): string {
  const parts: string[] = [];
  parts.push(f.exposure === "internet" ? "internet-facing" : f.exposure === "partner" ? "open to partners" : f.exposure === "internal" ? "internal" : "exposure unknown");
  if ((f.endpoints > 0 && f.requiring === 0) || (f.endpoints === 0 && f.authKinds.length === 0)) parts.push("no declared auth");
  else if (f.undeclared > 0) parts.push(`${f.undeclared} of ${f.endpoints} endpoints without declared auth`);
  const data = ["financial", "credentials", "health", "pii"].filter((c) => f.dataClasses.includes(c)).map((c) => DATA_WORDS[c]);
  if (data.length) parts.push(`holds ${data.join(", ")}`);
  if (f.critical) parts.push(`${f.critical} critical finding${f.critical === 1 ? "" : "s"} open`);
  if (f.high) parts.push(`${f.high} high finding${f.high === 1 ? "" : "s"} open`);
  if (f.attackSignals) parts.push(`${f.attackSignals} active attack signal${f.attackSignals === 1 ? "" : "s"}`);
  if (!f.owned) parts.push("no owning team");
  return parts.join(", ");
}

const NO_TEAM = "No team";

/** Compliance per team joined with what each team has overdue now (teams with either). */
function slaRows(sla: SlaCompliance, overdue: { team: string | null; overdue: number }[]): ExecutiveSummary["sla"] {
  const rows = new Map<string, ExecutiveSummary["sla"][number]>();
  for (const t of sla.teams) {
    const team = t.team?.name ?? NO_TEAM;
    rows.set(team, { team, closed: t.closed, withinSla: t.closedWithinSla, compliance: t.share === null ? null : round1(t.share * 100), openOverdue: 0 });
  }
  for (const o of overdue) {
    const team = o.team ?? NO_TEAM;
    const row = rows.get(team) ?? { team, closed: 0, withinSla: 0, compliance: null, openOverdue: 0 };
    row.openOverdue = o.overdue;
    rows.set(team, row);
  }
  return [...rows.values()].sort((a, b) => (a.team === NO_TEAM ? 1 : b.team === NO_TEAM ? -1 : a.team.localeCompare(b.team)));
}

export async function executiveSummary(prisma: Db, actor: Actor, now = new Date()): Promise<ExecutiveSummary> {
  const apiScope = apiSqlScope(actor, "a");
  const findings = findingSqlScope(actor);
  const today = new Date(`${now.toISOString().slice(0, 10)}T00:00:00Z`);
  const periodStart = new Date(now.getTime() - PERIOD_DAYS * DAY_MS);
  const weeksFrom = new Date(today.getTime() - 12 * 7 * DAY_MS);
  const monthAgo = new Date(now.getTime() - MONTH_DAYS * DAY_MS);
  const twoMonthsAgo = new Date(now.getTime() - 2 * MONTH_DAYS * DAY_MS);
  const yearAgo = new Date(now.getTime() - 365 * DAY_MS);
  const yearAgoMonth = new Date(yearAgo.getTime() - MONTH_DAYS * DAY_MS);
  const changeFrom = new Date(now.getTime() - CHANGE_DAYS * DAY_MS);
  const changeDay = new Date(today.getTime() - CHANGE_DAYS * DAY_MS).toISOString().slice(0, 10);

  const [trend, weekly, mttr, sla, overdue, top, fresh, resolved, rises] = await Promise.all([
    riskTrend(prisma, actor, now),
    // Opened (first seen) and resolved (the lifecycle's status events) per ISO week, the last 13 weeks.
    prisma.$queryRaw<{ week: string; opened: number; resolved: number }[]>`
      WITH weeks AS (
        SELECT generate_series(date_trunc('week', ${weeksFrom}::timestamptz AT TIME ZONE 'UTC'), date_trunc('week', ${now}::timestamptz AT TIME ZONE 'UTC'), interval '7 days') AS week
      ), opened AS (
        SELECT date_trunc('week', f."firstSeenAt" AT TIME ZONE 'UTC') AS week, count(*)::int AS n
        FROM finding f LEFT JOIN api a ON a.id = f."apiId"
        WHERE ${findings} AND f."firstSeenAt" >= date_trunc('week', ${weeksFrom}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND f."firstSeenAt" <= ${now}
        GROUP BY 1
      ), closed AS (
        SELECT date_trunc('week', e."createdAt" AT TIME ZONE 'UTC') AS week, count(DISTINCT e."findingId")::int AS n
        FROM finding_event e JOIN finding f ON f.id = e."findingId" LEFT JOIN api a ON a.id = f."apiId"
        WHERE ${findings} AND e.type = 'status' AND e."toValue" = 'resolved'
          AND e."createdAt" >= date_trunc('week', ${weeksFrom}::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AND e."createdAt" <= ${now}
        GROUP BY 1
      )
      SELECT to_char(w.week, 'YYYY-MM-DD') AS week, coalesce(o.n, 0)::int AS opened, coalesce(c.n, 0)::int AS resolved
      FROM weeks w LEFT JOIN opened o ON o.week = w.week LEFT JOIN closed c ON c.week = w.week
      ORDER BY w.week`,
    // Mean time to remediate (first seen → resolved) by severity: the last 30 days, the 30 before, the same 30 a year ago.
    prisma.$queryRaw<{ severity: string; cur: number | null; n: number; prev: number | null; year: number | null }[]>`
      SELECT f.severity,
        (avg(extract(epoch FROM f."resolvedAt" - f."firstSeenAt")) FILTER (WHERE f."resolvedAt" > ${monthAgo} AND f."resolvedAt" <= ${now}) / 86400)::float8 AS cur,
        (count(*) FILTER (WHERE f."resolvedAt" > ${monthAgo} AND f."resolvedAt" <= ${now}))::int AS n,
        (avg(extract(epoch FROM f."resolvedAt" - f."firstSeenAt")) FILTER (WHERE f."resolvedAt" > ${twoMonthsAgo} AND f."resolvedAt" <= ${monthAgo}) / 86400)::float8 AS prev,
        (avg(extract(epoch FROM f."resolvedAt" - f."firstSeenAt")) FILTER (WHERE f."resolvedAt" > ${yearAgoMonth} AND f."resolvedAt" <= ${yearAgo}) / 86400)::float8 AS year
      FROM finding f LEFT JOIN api a ON a.id = f."apiId"
      WHERE ${findings} AND f.status = 'resolved' AND f."resolvedAt" IS NOT NULL AND f."resolvedAt" > ${yearAgoMonth}
      GROUP BY 1`,
    // SLA per team over the period: the same definition as the reports (server/findings/sla-service.ts) ...
    slaCompliance(prisma, actor, { from: periodStart, to: now }),
    // ... and what is overdue now, per team.
    prisma.$queryRaw<{ team: string | null; overdue: number }[]>`
      SELECT t.name AS team, count(*)::int AS overdue
      FROM finding f LEFT JOIN api a ON a.id = f."apiId" LEFT JOIN team t ON t.id = f."teamId"
      WHERE ${findings} AND f.status = ANY(${ACTIVE}::text[]) AND f."slaDueAt" < ${now}
      GROUP BY 1`,
    // The riskiest Apis with the facts behind their plain-language summary.
    prisma.$queryRaw<(RiskFacts & { slug: string; name: string; score: number; band: string })[]>`
      SELECT a.slug, a.name, a."riskScore" AS score, a."riskBand" AS band, a.exposure, coalesce(a."dataClasses", ARRAY[]::text[]) AS "dataClasses", coalesce(a."authKinds", ARRAY[]::text[]) AS "authKinds",
        (a."ownerTeamId" IS NOT NULL) AS owned,
        (SELECT count(*) FROM endpoint e WHERE e."apiId" = a.id)::int AS endpoints,
        (SELECT count(*) FROM endpoint e WHERE e."apiId" = a.id AND e."securityMode" = 'undeclared')::int AS undeclared,
        (SELECT count(*) FROM endpoint e WHERE e."apiId" = a.id AND e."securityMode" = 'required')::int AS requiring,
        (SELECT count(*) FROM finding f WHERE f."apiId" = a.id AND f.status = ANY(${ACTIVE}::text[]) AND f.severity = 'critical')::int AS critical,
        (SELECT count(*) FROM finding f WHERE f."apiId" = a.id AND f.status = ANY(${ACTIVE}::text[]) AND f.severity = 'high')::int AS high,
        (SELECT count(*) FROM finding f WHERE f."apiId" = a.id AND f.status = ANY(${ACTIVE}::text[]) AND f.kind = 'traffic'
          AND f."ruleId" = ANY(${[...ATTACK_SIGNAL_RULE_IDS]}::text[]) AND f.severity IN ('critical', 'high'))::int AS "attackSignals"
      FROM api a WHERE ${apiScope} AND a."riskScore" IS NOT NULL
      ORDER BY a."riskScore" DESC, a.id LIMIT ${TOP_RISKS}`,
    prisma.$queryRaw<{ severity: string; n: number }[]>`
      SELECT f.severity, count(*)::int AS n FROM finding f LEFT JOIN api a ON a.id = f."apiId"
      WHERE ${findings} AND f.severity IN ('critical', 'high') AND f."firstSeenAt" > ${changeFrom} AND f."firstSeenAt" <= ${now}
      GROUP BY 1`,
    prisma.$queryRaw<{ severity: string; n: number }[]>`
      SELECT f.severity, count(DISTINCT f.id)::int AS n
      FROM finding_event e JOIN finding f ON f.id = e."findingId" LEFT JOIN api a ON a.id = f."apiId"
      WHERE ${findings} AND f.severity IN ('critical', 'high') AND e.type = 'status' AND e."toValue" = 'resolved'
        AND e."createdAt" > ${changeFrom} AND e."createdAt" <= ${now}
      GROUP BY 1`,
    // Apis whose band now is worse than their latest snapshot a week ago (none then: new since).
    prisma.$queryRaw<{ slug: string; name: string; before: string | null; band: string }[]>`
      SELECT a.slug, a.name, b.band AS before, a."riskBand" AS band
      FROM api a
      LEFT JOIN LATERAL (SELECT r.band FROM risk_snapshot r WHERE r."apiId" = a.id AND r.day <= ${changeDay}::date ORDER BY r.day DESC LIMIT 1) b ON TRUE
      WHERE ${apiScope} AND a."riskBand" IS NOT NULL
        AND (CASE a."riskBand" WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END)
          > (CASE b.band WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 WHEN 'low' THEN 0 ELSE -1 END)
      ORDER BY a."riskScore" DESC NULLS LAST, a.id`,
  ]);

  const bySeverity = new Map(mttr.map((m) => [m.severity, m]));
  const count = (rows: { severity: string; n: number }[], s: string) => rows.find((r) => r.severity === s)?.n ?? 0;
  const num = (v: number | null | undefined) => (v === null || v === undefined ? null : round1(Number(v)));
  return {
    asOf: now.toISOString(),
    trend,
    weekly,
    mttr: MTTR_SEVERITIES.map((severity) => {
      const m = bySeverity.get(severity);
      const days = num(m?.cur);
      const previousMonthDays = num(m?.prev);
      const previousYearDays = num(m?.year);
      return { severity, days, resolved: m?.n ?? 0, previousMonthDays, previousYearDays, monthOverMonth: pctChange(days, previousMonthDays), yearOverYear: pctChange(days, previousYearDays) };
    }),
    sla: slaRows(sla, overdue),
    periodDays: PERIOD_DAYS,
    topRisks: top.filter((t) => isBand(t.band)).map((t) => ({ slug: t.slug, name: t.name, score: t.score, band: t.band as Band, summary: plainRisk(t) })),
    changes: {
      days: CHANGE_DAYS,
      newFindings: { critical: count(fresh, "critical"), high: count(fresh, "high") },
      resolvedFindings: { critical: count(resolved, "critical"), high: count(resolved, "high") },
      bandRises: rises
        .filter((r) => isBand(r.band) && bandRank(r.band) > bandRank(r.before))
        .map((r) => ({ slug: r.slug, name: r.name, from: isBand(r.before) ? r.before : null, to: r.band as Band })),
    },
  };
}
