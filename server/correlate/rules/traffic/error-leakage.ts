/**
 * error-leakage (DESIGN.md §3): on an endpoint (a matched or inferred template of a known Api), in one UTC day of the
 * lookback, 5xx responses are more than errorLeakageRatio of at least errorLeakageMinRequests requests. One finding
 * per endpoint with its worst day.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  apiId: string;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  day: Date;
  requests: number;
  s5: number;
  days: number;
}

const DAY = 86_400_000;

export const errorLeakage: Rule = {
  id: "error-leakage",
  kind: "traffic",
  description: "An endpoint answers a large share of requests with server errors.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const s = ctx.settings;
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH daily AS (
        SELECT r."apiId", max(r."endpointId") AS "endpointId", r.method, r."pathTemplate", date_trunc('day', r."hourStart") AS day,
          sum(r.requests)::int AS requests, sum(r."status5xx")::int AS s5
        FROM traffic_endpoint_hour r
        WHERE r."apiId" IS NOT NULL AND r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
        GROUP BY r."apiId", r.method, r."pathTemplate", date_trunc('day', r."hourStart")
        HAVING sum(r.requests) >= ${s.errorLeakageMinRequests}::float8 AND sum(r."status5xx")::float8 > ${s.errorLeakageRatio}::float8 * sum(r.requests)
      )
      SELECT "apiId", max("endpointId") AS "endpointId", method, "pathTemplate",
        (array_agg(day ORDER BY s5::float8 / requests DESC, day))[1] AS day,
        (array_agg(requests ORDER BY s5::float8 / requests DESC, day))[1] AS requests,
        (array_agg(s5 ORDER BY s5::float8 / requests DESC, day))[1] AS s5,
        count(*)::int AS days
      FROM daily GROUP BY "apiId", method, "pathTemplate"
      ORDER BY "apiId", "pathTemplate", method`;
    const days = rows.map((r) => ({ from: r.day, to: new Date(r.day.getTime() + DAY) }));
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r, i) => ({
        scopeKey: r.apiId,
        method: r.method,
        pathTemplate: r.pathTemplate,
        window: days[i] ?? w,
        keep: (e) => typeof e.status !== "number" || e.status >= 500,
      })),
    );
    return rows.map((r, i): DerivedFinding => {
      const pct = (100 * n(r.s5)) / Math.max(1, n(r.requests));
      return {
        ruleId: "error-leakage",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: r.endpointId,
        subject: `${r.method} ${r.pathTemplate}`,
        title: `Server errors on ${r.method} ${r.pathTemplate}: ${pct.toFixed(1)} % 5xx`,
        description: `On ${iso(r.day).slice(0, 10)} ${n(r.s5)} of ${n(r.requests)} requests (${pct.toFixed(1)} %) got a 5xx response; error pages often leak stack traces and internals.`,
        severity: "low",
        owaspCategory: "API8",
        cwe: 209,
        evidence: evidence(
          days[i] ?? w,
          { requests: n(r.requests), status5xx: n(r.s5), ratio: Number((n(r.s5) / Math.max(1, n(r.requests))).toFixed(4)), days: n(r.days) },
          samples[i] ?? [],
          { endpoint: { method: r.method, path: r.pathTemplate } },
        ),
        observedFrom: r.day,
        observedTo: new Date(r.day.getTime() + DAY),
      };
    });
  },
};
