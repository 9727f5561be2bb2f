/**
 * missing-rate-limit (DESIGN.md §3, "Rate limit"): a client sustains more than rateLimitRequestsPerMinute requests per
 * minute on one endpoint for at least rateLimitSustainedMinutes consecutive minutes (gaps-and-islands over
 * traffic_client_minute), while no rate limit is known for that endpoint: no 429 to anyone in the window, no
 * RateLimit-* / X-RateLimit-* response headers in the window (both from traffic_endpoint_hour), and no gateway policy
 * (Endpoint.rateLimited or Api.rateLimited from Kong rate-limiting plugins). Client minutes are stored only from
 * min(60, the threshold at ingest time) requests up, so a threshold lowered below that after ingest misses quieter
 * minutes of older traffic.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  clientKey: string;
  runMinutes: number;
  runStart: Date;
  runEnd: Date;
  runRequests: number;
  peakPerMinute: number;
  runs: number;
}

const MINUTE = 60_000;

export const missingRateLimit: Rule = {
  id: "missing-rate-limit",
  kind: "traffic",
  description: "A client sustained a high request rate on an endpoint that has no known rate limit.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const perMinute = ctx.settings.rateLimitRequestsPerMinute;
    const sustained = Math.max(1, Math.round(ctx.settings.rateLimitSustainedMinutes));
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH limited AS (
        SELECT h."scopeKey", h.method, h."pathTemplate" FROM traffic_endpoint_hour h
        WHERE h."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND h."hourStart" < ${iso(w.to)}::timestamp
          AND (h."status429" > 0 OR h."rateLimitHeaders" > 0)
          AND (${ctx.apiIds}::text[] IS NULL OR h."apiId" = ANY(${ctx.apiIds}::text[]))
        GROUP BY 1, 2, 3
      ), hot AS (
        SELECT m."scopeKey", m."apiId", m."endpointId", m.method, m."pathTemplate", m."clientKey", m."minuteStart", m.requests,
          m."minuteStart" - (row_number() OVER (PARTITION BY m."scopeKey", m.method, m."pathTemplate", m."clientKey" ORDER BY m."minuteStart")
            * interval '1 minute') AS island
        FROM traffic_client_minute m
        WHERE m."minuteStart" >= ${iso(w.from)}::timestamp AND m."minuteStart" < ${iso(w.to)}::timestamp
          AND m.requests > ${perMinute}::float8
          AND (${ctx.apiIds}::text[] IS NULL OR m."apiId" = ANY(${ctx.apiIds}::text[]))
      ), runs AS (
        SELECT "scopeKey", max("apiId") AS "apiId", max("endpointId") AS "endpointId", method, "pathTemplate", "clientKey",
          count(*)::int AS minutes, min("minuteStart") AS start, max("minuteStart") AS "end", sum(requests)::int AS requests,
          max(requests)::int AS peak
        FROM hot GROUP BY "scopeKey", method, "pathTemplate", "clientKey", island
        HAVING count(*) >= ${sustained}::float8
      )
      SELECT r."scopeKey", r."apiId", r."endpointId", r.method, r."pathTemplate", r."clientKey",
        (array_agg(r.minutes ORDER BY r.minutes DESC, r.start))[1] AS "runMinutes",
        (array_agg(r.start ORDER BY r.minutes DESC, r.start))[1] AS "runStart",
        (array_agg(r."end" ORDER BY r.minutes DESC, r.start))[1] AS "runEnd",
        (array_agg(r.requests ORDER BY r.minutes DESC, r.start))[1] AS "runRequests",
        max(r.peak)::int AS "peakPerMinute", count(*)::int AS runs
      FROM runs r
      LEFT JOIN endpoint e ON e.id = r."endpointId"
      LEFT JOIN api a ON a.id = r."apiId"
      WHERE NOT coalesce(e."rateLimited", false) AND NOT coalesce(a."rateLimited", false)
        AND NOT EXISTS (SELECT 1 FROM limited l WHERE l."scopeKey" = r."scopeKey" AND l.method = r.method AND l."pathTemplate" = r."pathTemplate")
      GROUP BY r."scopeKey", r."apiId", r."endpointId", r.method, r."pathTemplate", r."clientKey"
      ORDER BY r."scopeKey", r."pathTemplate", r."clientKey"`;
    const windows = rows.map((r) => ({ from: r.runStart, to: new Date(r.runEnd.getTime() + MINUTE) }));
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r, i) => ({ scopeKey: r.scopeKey, method: r.method, pathTemplate: r.pathTemplate, clientKey: r.clientKey, window: windows[i] ?? w })),
    );
    return rows.map((r, i): DerivedFinding => ({
      ruleId: "missing-rate-limit",
      kind: "traffic",
      apiId: r.apiId,
      endpointId: r.endpointId,
      subject: `${r.clientKey} ${r.method} ${r.pathTemplate}`,
      title: `No rate limit: ${r.clientKey} sustained ${n(r.peakPerMinute)} req/min on ${r.method} ${r.pathTemplate}`,
      description: `Client ${r.clientKey} sent more than ${perMinute} requests per minute for ${n(r.runMinutes)} consecutive minutes; no 429, no rate-limit headers and no gateway rate-limit policy were seen for this endpoint.`,
      severity: "medium",
      owaspCategory: "API4",
      cwe: 770,
      evidence: evidence(
        windows[i] ?? w,
        { consecutiveMinutes: n(r.runMinutes), requests: n(r.runRequests), peakPerMinute: n(r.peakPerMinute), threshold: perMinute, sustainedRuns: n(r.runs) },
        samples[i] ?? [],
        { client: r.clientKey, endpoint: { method: r.method, path: r.pathTemplate }, ...(r.apiId ? {} : { scope: r.scopeKey }) },
      ),
      observedFrom: r.runStart,
      observedTo: new Date(r.runEnd.getTime() + MINUTE),
    }));
  },
};
