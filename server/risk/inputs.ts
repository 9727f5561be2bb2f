/**
 * Risk inputs for many Apis at once, aggregated in the database: four queries whatever the number of Apis
 * (Apis, endpoint auth counts, active finding counts by factor × severity, the top findings behind each factor).
 * Then recomputeRisk() scores them (./score.ts) and stores Api.riskScore/riskBand/riskFactors and the day's
 * RiskSnapshot.
 *
 * RiskSnapshot is append-only per Api per UTC day: the first computation of a day inserts the row, later ones the
 * same day update that day's row (the day's latest score); earlier days are never touched. The day is the UTC day of
 * the evaluation time (asOf), so `correlate --as-of` over old data fills that day.
 */
import { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { isCleartextBaseUrl } from "@/server/correlate/rules/posture/common";
import { type FindingBucket, type FindingRef, type RiskInput, type RiskResult, scoreApi, type SeverityCounts } from "./score";
import { loadRiskWeights, type RiskWeights } from "./weights";
import { ATTACK_SIGNAL_RULE_IDS } from "@/server/correlate/rules/traffic";
import { AUTH_PATH_REGEX, AUTH_TAG_REGEX } from "@/server/correlate/rules/traffic/shared";

const ACTIVE = ["open", "triaged", "in_progress"];
const TOP_PER_FACTOR = 5;
const CHUNK = 5000;
/** The data classes whose exposure without auth sets the exposedSensitiveData floor (./score.ts). */
const SENSITIVE_CLASSES = ["credentials", "financial", "health", "pii"];

/** Which factor a finding feeds (SQL; kept in one place). */
const BUCKET_SQL = Prisma.sql`CASE
  WHEN f.kind = 'traffic' AND f."ruleId" = ANY(${[...ATTACK_SIGNAL_RULE_IDS]}::text[]) THEN 'attackSignals'
  WHEN f.kind = 'secret' THEN 'secretHygiene'
  WHEN f."ruleId" = 'documentation-gaps' AND f.kind = 'posture' THEN 'documentation'
  WHEN f."ruleId" = 'ownerless-api' AND f.kind = 'posture' THEN 'ownership'
  ELSE 'openFindings' END`;

/**
 * Which findings count as active: today's status, or, for a past day (`asOf`), a scanner finding's status then (from
 * its history: the last status event up to then, else open once first seen). Derived findings (posture, traffic,
 * secret) and the inventory facts have no such history: for a past day they count as they stand now.
 */
function activeFindings(asOf: Date | undefined): { join: Prisma.Sql; where: Prisma.Sql } {
  if (!asOf) return { join: Prisma.empty, where: Prisma.sql`f.status = ANY(${ACTIVE}::text[])` };
  return {
    join: Prisma.sql`LEFT JOIN LATERAL (SELECT e."toValue" FROM finding_event e
      WHERE e."findingId" = f.id AND e.type = 'status' AND e."createdAt" <= ${asOf}
      ORDER BY e."createdAt" DESC, e.id DESC LIMIT 1) st ON TRUE`,
    where: Prisma.sql`(CASE WHEN f.kind = 'scan' THEN f."firstSeenAt" <= ${asOf} AND coalesce(st."toValue", 'open') = ANY(${ACTIVE}::text[])
      ELSE f.status = ANY(${ACTIVE}::text[]) END)`,
  };
}

export async function loadRiskInputs(db: Db | Tx, apiIds: string[] | null, asOf?: Date): Promise<RiskInput[]> {
  const active = activeFindings(asOf);
  const endpointFilter = apiIds === null ? Prisma.sql`TRUE` : Prisma.sql`e."apiId" = ANY(${apiIds}::text[])`;
  const findingFilter = apiIds === null ? Prisma.sql`f."apiId" IS NOT NULL` : Prisma.sql`f."apiId" = ANY(${apiIds}::text[])`;
  const [apis, endpoints, counts, top] = await Promise.all([
    db.api.findMany({
      where: apiIds === null ? {} : { id: { in: apiIds } },
      select: { id: true, exposure: true, dataClasses: true, authKinds: true, ownerTeamId: true, baseUrl: true, host: true },
      orderBy: { id: "asc" },
    }),
    db.$queryRaw<{ apiId: string; total: number; undeclared: number; public: number; weak: number; sensitiveWithoutAuth: number }[]>`
      SELECT e."apiId",
        count(*)::int AS total,
        count(*) FILTER (WHERE e."securityMode" = 'undeclared')::int AS undeclared,
        count(*) FILTER (WHERE e."securityMode" = 'public')::int AS public,
        count(*) FILTER (WHERE e."securityMode" = 'required' AND jsonb_typeof(e."securitySchemes") = 'array'
          AND jsonb_array_length(e."securitySchemes") > 0
          AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(e."securitySchemes") s
            WHERE NOT (s->>'kind' = 'basic' OR (s->>'kind' = 'apiKey' AND s->>'in' = 'query'))))::int AS weak,
        count(*) FILTER (WHERE e."securityMode" <> 'required' AND (
          e."dataClasses" && ${SENSITIVE_CLASSES.filter((c) => c !== "credentials")}::text[]
          OR ('credentials' = ANY(e."dataClasses") AND NOT (e.path ~* ${AUTH_PATH_REGEX}
            OR EXISTS (SELECT 1 FROM unnest(e.tags) t WHERE t ~* ${AUTH_TAG_REGEX})))))::int AS "sensitiveWithoutAuth"
      FROM endpoint e WHERE ${endpointFilter} GROUP BY 1`,
    db.$queryRaw<{ apiId: string; bucket: FindingBucket; severity: string; n: number }[]>`
      SELECT f."apiId", ${BUCKET_SQL} AS bucket, f.severity, count(*)::int AS n
      FROM finding f ${active.join} WHERE ${findingFilter} AND ${active.where}
      GROUP BY 1, 2, 3`,
    db.$queryRaw<(FindingRef & { apiId: string; bucket: FindingBucket; docs: DocEvidence | null })[]>`
      SELECT "apiId", bucket, id, title, severity, "ruleId", docs FROM (
        SELECT f."apiId", ${BUCKET_SQL} AS bucket, f.id, f.title, f.severity, f."ruleId",
          CASE WHEN f."ruleId" = 'documentation-gaps' AND f.kind = 'posture' THEN jsonb_build_object(
            'gapRatio', f.evidence->'gapRatio', 'documented', f.evidence->'documentedEndpoints',
            'withGaps', f.evidence->'endpointsWithGaps', 'apiGaps', f.evidence->'apiGaps') END AS docs,
          row_number() OVER (PARTITION BY f."apiId", ${BUCKET_SQL}
            ORDER BY CASE f.severity WHEN 'critical' THEN 4 WHEN 'high' THEN 3 WHEN 'medium' THEN 2 WHEN 'low' THEN 1 ELSE 0 END DESC,
              f."lastSeenAt" DESC, f.id) AS rn
        FROM finding f ${active.join} WHERE ${findingFilter} AND ${active.where}
      ) t WHERE rn <= ${TOP_PER_FACTOR}
      ORDER BY "apiId", bucket, rn`,
  ]);

  const endpointsBy = new Map(endpoints.map((e) => [e.apiId, e]));
  const findingsBy = new Map<string, RiskInput["findings"]>();
  const docsBy = new Map<string, NonNullable<RiskInput["documentation"]>>();
  const bucketOf = (apiId: string, bucket: FindingBucket) => {
    let f = findingsBy.get(apiId);
    if (!f) findingsBy.set(apiId, (f = {}));
    return (f[bucket] ??= { counts: {} as SeverityCounts, top: [] });
  };
  for (const c of counts) {
    const b = bucketOf(c.apiId, c.bucket);
    b.counts[c.severity as keyof SeverityCounts] = c.n;
  }
  for (const t of top) {
    bucketOf(t.apiId, t.bucket).top.push({ id: t.id, title: t.title, severity: t.severity, ruleId: t.ruleId });
    if (t.docs && !docsBy.has(t.apiId)) docsBy.set(t.apiId, documentationOf(t.docs));
  }
  return apis.map((a) => ({
    apiId: a.id,
    exposure: a.exposure,
    dataClasses: a.dataClasses,
    authKinds: a.authKinds,
    ownerTeamId: a.ownerTeamId,
    cleartext: isCleartextBaseUrl(a),
    endpoints: endpointsBy.get(a.id) ?? { total: 0, undeclared: 0, public: 0, weak: 0, sensitiveWithoutAuth: 0 },
    findings: findingsBy.get(a.id) ?? {},
    documentation: docsBy.get(a.id) ?? null,
  }));
}

type DocEvidence = { gapRatio?: unknown; documented?: unknown; withGaps?: unknown; apiGaps?: unknown };

/** The documentation-gaps evidence the score reads, tolerant of older findings that lack a field. */
function documentationOf(d: DocEvidence): NonNullable<RiskInput["documentation"]> {
  const num = (v: unknown, fallback: number) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
  const documented = num(d.documented, 0);
  return {
    gapRatio: num(d.gapRatio, documented === 0 ? 1 : 0.5),
    documented,
    withGaps: num(d.withGaps, 0),
    apiGaps: Array.isArray(d.apiGaps) ? d.apiGaps.filter((g): g is string => typeof g === "string") : [],
  };
}

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** Scores the Apis (null = all), stores the result on each Api and in the day's snapshot. Returns how many. */
export async function recomputeRisk(tx: Tx, apiIds: string[] | null, asOf: Date, weights?: RiskWeights): Promise<number> {
  if (apiIds !== null && apiIds.length === 0) return 0;
  const w = weights ?? (await loadRiskWeights(tx));
  const inputs = await loadRiskInputs(tx, apiIds);
  const results: { apiId: string; r: RiskResult }[] = inputs.map((i) => ({ apiId: i.apiId, r: scoreApi(i, w) }));
  const day = utcDay(asOf);
  for (let i = 0; i < results.length; i += CHUNK) {
    const batch = results.slice(i, i + CHUNK);
    const ids = batch.map((b) => b.apiId);
    const scores = batch.map((b) => b.r.score);
    const bands = batch.map((b) => b.r.band);
    await tx.$executeRaw`
      UPDATE api a SET "riskScore" = u.score, "riskBand" = u.band, "riskFactors" = u.factors::jsonb
      FROM unnest(${ids}::text[], ${scores}::float8[], ${bands}::text[], ${batch.map((b) => JSON.stringify(b.r.factors))}::text[])
        AS u(id, score, band, factors)
      WHERE a.id = u.id`;
    await tx.$executeRaw`
      INSERT INTO risk_snapshot ("apiId", day, score, band, factors)
      SELECT u.id, ${day}::date, u.score, u.band, u.factors::jsonb
      FROM unnest(${ids}::text[], ${scores}::float8[], ${bands}::text[],
        ${batch.map((b) => JSON.stringify(b.r.factors.map((f) => ({ name: f.name, points: f.points }))))}::text[]) AS u(id, score, band, factors)
      ON CONFLICT ("apiId", day) DO UPDATE SET score = EXCLUDED.score, band = EXCLUDED.band, factors = EXCLUDED.factors`;
  }
  return results.length;
}

/**
 * Fills the daily snapshots of the `days` UTC days before `now` that have none, each scored as of the end of its
 * day (scanner findings by their history, see activeFindings). The demo loads this so a fresh install shows the
 * trend its own history implies; days that already have a snapshot are left as they are. The trend carries each
 * Api's latest snapshot forward (./service.ts riskTrend), so only the window's first day and the days on which a
 * scanner finding appeared or changed status are scored.
 */
export async function backfillRiskHistory(tx: Tx, days: number, now: Date, weights?: RiskWeights): Promise<number> {
  const w = weights ?? (await loadRiskWeights(tx));
  const today = new Date(`${utcDay(now)}T00:00:00Z`);
  const first = new Date(today.getTime() - days * 86_400_000);
  const changes = await tx.$queryRaw<{ day: string }[]>`
    SELECT DISTINCT to_char(t.at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day FROM (
      SELECT f."firstSeenAt" AS at FROM finding f WHERE f.kind = 'scan'
      UNION ALL
      SELECT e."createdAt" FROM finding_event e JOIN finding f ON f.id = e."findingId" WHERE f.kind = 'scan' AND e.type = 'status'
    ) t WHERE t.at >= ${first} AND t.at < ${today}`;
  const dayList = [...new Set([utcDay(first), ...changes.map((c) => c.day)])].sort();
  let written = 0;
  for (const day of dayList) {
    const endOfDay = new Date(Date.parse(`${day}T00:00:00Z`) + 86_399_999);
    const results = (await loadRiskInputs(tx, null, endOfDay)).map((i) => ({ apiId: i.apiId, r: scoreApi(i, w) }));
    for (let i = 0; i < results.length; i += CHUNK) {
      const batch = results.slice(i, i + CHUNK);
      written += await tx.$executeRaw`
        INSERT INTO risk_snapshot ("apiId", day, score, band, factors)
        SELECT u.id, ${day}::date, u.score, u.band, u.factors::jsonb
        FROM unnest(${batch.map((b) => b.apiId)}::text[], ${batch.map((b) => b.r.score)}::float8[], ${batch.map((b) => b.r.band)}::text[],
          ${batch.map((b) => JSON.stringify(b.r.factors.map((f) => ({ name: f.name, points: f.points }))))}::text[]) AS u(id, score, band, factors)
        ON CONFLICT ("apiId", day) DO NOTHING`;
    }
  }
  return written;
}
