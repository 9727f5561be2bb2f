/**
 * new-client-harvesting (DESIGN.md §3): a client with no baseline — fewer than newClientMaxEarlierDays earlier UTC days
 * with traffic on the Api — whose response bytes on the Api in one UTC day exceed newClientMultiplier × the median of
 * that day's other clients of the Api (at least newClientMinOtherClients of them) and newClientMinBytes (MB = 10^6).
 * It compares the client with its peers of the day, so it needs no history of its own: the scraper that
 * `exfiltration-anomaly` (which compares a client with its own past) cannot see. Days within the lookback; one finding
 * per Api × client with its worst day. Reads traffic_client_day.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  apiId: string;
  clientKey: string;
  day: Date;
  bytes: number;
  requests: number;
  median: number;
  others: number;
  earlier: number;
  days: number;
}

const DAY = 86_400_000;

export const newClientHarvesting: Rule = {
  id: "new-client-harvesting",
  kind: "traffic",
  description: "A client without history downloaded far more from an Api in one day than the day's other clients.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const s = ctx.settings;
    const maxEarlier = Math.max(1, Math.round(s.newClientMaxEarlierDays));
    // Only days above the byte floor can be harvests: their peers and history are index look-ups.
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH candidate AS (
        SELECT r."apiId", r."clientKey", r.day, r.bytes::float8 AS bytes, r.requests
        FROM traffic_client_day r
        WHERE r.day >= date_trunc('day', ${iso(w.from)}::timestamp) AND r.day < ${iso(w.to)}::timestamp
          AND r.bytes > ${s.newClientMinBytes}::float8 AND r."apiId" IS NOT NULL
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
      ), flagged AS (
        SELECT c.*, o.median, o.n AS others, e.n AS earlier
        FROM candidate c
        CROSS JOIN LATERAL (
          SELECT count(*)::int AS n FROM (
            SELECT 1 FROM traffic_client_day p
            WHERE p."scopeKey" = c."apiId" AND p."clientKey" = c."clientKey" AND p.day < c.day AND p.requests > 0
            LIMIT ${maxEarlier}
          ) x
        ) e
        CROSS JOIN LATERAL (
          SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY p.bytes::float8) AS median, count(*)::int AS n
          FROM traffic_client_day p
          WHERE p."apiId" = c."apiId" AND p.day = c.day AND p."clientKey" <> c."clientKey" AND p.requests > 0
        ) o
        WHERE e.n < ${maxEarlier} AND o.n >= ${s.newClientMinOtherClients}::float8 AND c.bytes > ${s.newClientMultiplier}::float8 * o.median
      )
      SELECT "apiId", "clientKey",
        (array_agg(day ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS day,
        (array_agg(bytes ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS bytes,
        (array_agg(requests ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS requests,
        (array_agg(median ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS median,
        (array_agg(others ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS others,
        (array_agg(earlier ORDER BY bytes / nullif(median, 0) DESC NULLS FIRST, day))[1] AS earlier,
        count(*)::int AS days
      FROM flagged
      GROUP BY "apiId", "clientKey"
      ORDER BY "apiId", "clientKey"`;
    const days = rows.map((r) => ({ from: r.day, to: new Date(r.day.getTime() + DAY) }));
    const samples = await loadSamples(ctx.tx, rows.map((r, i) => ({ scopeKey: r.apiId, clientKey: r.clientKey, window: days[i] ?? w })));
    return rows.map((r, i): DerivedFinding => {
      const ratio = n(r.median) > 0 ? n(r.bytes) / n(r.median) : null;
      const mb = (v: unknown) => (n(v) / 1e6).toFixed(1);
      return {
        ruleId: "new-client-harvesting",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: null,
        subject: r.clientKey,
        title: `New-client harvesting: ${r.clientKey} downloaded ${mb(r.bytes)} MB on its ${n(r.earlier) === 0 ? "first" : `${n(r.earlier) + 1}th`} day`,
        description: `On ${iso(r.day).slice(0, 10)} client ${r.clientKey}, seen on ${n(r.earlier)} earlier day(s), received ${mb(r.bytes)} MB, ${ratio === null ? "far more than" : `${ratio.toFixed(0)}×`} the median of ${(n(r.median) / 1e6).toFixed(2)} MB of the day's ${n(r.others)} other clients of the Api.`,
        severity: "high",
        owaspCategory: "API3",
        cwe: 200,
        evidence: evidence(
          days[i] ?? w,
          {
            bytesServed: n(r.bytes),
            requests: n(r.requests),
            otherClientsMedianBytes: n(r.median),
            otherClients: n(r.others),
            earlierDays: n(r.earlier),
            harvestingDays: n(r.days),
            multiplier: s.newClientMultiplier,
          },
          samples[i] ?? [],
          { client: r.clientKey, windowKind: "UTC day" },
        ),
        observedFrom: r.day,
        observedTo: new Date(r.day.getTime() + DAY),
      };
    });
  },
};
