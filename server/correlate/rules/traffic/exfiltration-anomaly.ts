/**
 * exfiltration-anomaly (DESIGN.md §3, "Exfiltration"): a client's response bytes on an Api in one UTC day exceed
 * exfiltrationMultiplier × the median of its previous exfiltrationBaselineDays calendar days that have traffic from
 * that client (at least exfiltrationMinBaselineDays such days) and exfiltrationMinBytes (MB = 10^6 bytes). Days are
 * evaluated within the lookback; one finding per Api × client with its worst day. Reads traffic_client_day.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  scopeKey: string;
  apiId: string | null;
  clientKey: string;
  day: Date;
  bytes: number;
  requests: number;
  median: number;
  baselineDays: number;
  days: number;
}

const DAY = 86_400_000;

export const exfiltrationAnomaly: Rule = {
  id: "exfiltration-anomaly",
  kind: "traffic",
  description: "A client downloaded far more from an Api in one day than its recent daily median.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const s = ctx.settings;
    const baselineDays = Math.max(1, Math.round(s.exfiltrationBaselineDays));
    // Only days above the byte floor can be anomalies: their baselines are index look-ups, not a self-join of all days.
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH candidate AS (
        SELECT r."scopeKey", r."apiId", r."clientKey", r.day, r.bytes::float8 AS bytes, r.requests
        FROM traffic_client_day r
        WHERE r.day >= date_trunc('day', ${iso(w.from)}::timestamp) AND r.day < ${iso(w.to)}::timestamp
          AND r.bytes > ${s.exfiltrationMinBytes}::float8
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
      ), flagged AS (
        SELECT d.*, b.median, b.n AS "baselineDays"
        FROM candidate d
        CROSS JOIN LATERAL (
          SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p.bytes::float8) AS median, count(*)::int AS n
          FROM traffic_client_day p
          WHERE p."scopeKey" = d."scopeKey" AND p."clientKey" = d."clientKey"
            AND p.day >= d.day - ${baselineDays}::float8 * interval '1 day' AND p.day < d.day AND p.requests > 0
        ) b
        WHERE b.n >= ${s.exfiltrationMinBaselineDays}::float8 AND d.bytes > ${s.exfiltrationMultiplier}::float8 * b.median
      )
      SELECT "scopeKey", max("apiId") AS "apiId", "clientKey",
        (array_agg(day ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS day,
        (array_agg(bytes ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS bytes,
        (array_agg(requests ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS requests,
        (array_agg(median ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS median,
        (array_agg("baselineDays" ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS "baselineDays",
        count(*)::int AS days
      FROM flagged
      GROUP BY "scopeKey", "clientKey"
      ORDER BY "scopeKey", "clientKey"`;
    const days = rows.map((r) => ({ from: r.day, to: new Date(r.day.getTime() + DAY) }));
    const samples = await loadSamples(ctx.tx, rows.map((r, i) => ({ scopeKey: r.scopeKey, clientKey: r.clientKey, window: days[i] ?? w })));
    return rows.map((r, i): DerivedFinding => {
      const ratio = n(r.median) > 0 ? n(r.bytes) / n(r.median) : null;
      return {
        ruleId: "exfiltration-anomaly",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: null,
        subject: r.clientKey,
        title: `Exfiltration anomaly: ${r.clientKey} downloaded ${(n(r.bytes) / 1e6).toFixed(1)} MB in one day`,
        description: `On ${iso(r.day).slice(0, 10)} client ${r.clientKey} received ${(n(r.bytes) / 1e6).toFixed(1)} MB, ${ratio === null ? "far more than" : `${ratio.toFixed(1)}×`} its median of ${(n(r.median) / 1e6).toFixed(2)} MB over ${n(r.baselineDays)} previous day(s) with traffic.`,
        severity: "high",
        owaspCategory: "API3",
        cwe: 200,
        evidence: evidence(
          days[i] ?? w,
          { bytes: n(r.bytes), requests: n(r.requests), baselineMedianBytes: n(r.median), baselineDays: n(r.baselineDays), anomalousDays: n(r.days), multiplier: s.exfiltrationMultiplier },
          samples[i] ?? [],
          { client: r.clientKey, ...(r.apiId ? {} : { scope: r.scopeKey }) },
        ),
        observedFrom: r.day,
        observedTo: new Date(r.day.getTime() + DAY),
      };
    });
  },
};
