/**
 * unused-endpoint (DESIGN.md §3, "Unused"): a documented, not deprecated endpoint of an Api whose lifecycle is
 * production or unknown, with no traffic at all in unusedWindowDays — only for Apis whose traffic is ingested at all
 * (some traffic_endpoint_hour row attributed to the Api, at any time before asOf).
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, n, windowBack } from "./shared";

interface Row {
  apiId: string;
  endpointId: string;
  method: string;
  path: string;
  apiRequests: number;
  lastSeen: Date | null;
}

export const unusedEndpoint: Rule = {
  id: "unused-endpoint",
  kind: "traffic",
  description: "A documented production endpoint that received no traffic in the window although the Api's traffic is ingested.",
  async evaluate(ctx) {
    const w = windowBack(ctx, ctx.settings.unusedWindowDays);
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH ingested AS (
        SELECT r."apiId", sum(r.requests) FILTER (WHERE r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp))::int AS "apiRequests"
        FROM traffic_endpoint_hour r
        WHERE r."apiId" IS NOT NULL AND r."hourStart" < ${iso(w.to)}::timestamp
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
        GROUP BY r."apiId"
      ), used AS (
        SELECT r."endpointId", max(r."hourStart") AS last,
          bool_or(r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp)) AS recent
        FROM traffic_endpoint_hour r JOIN ingested i ON i."apiId" = r."apiId"
        WHERE r."endpointId" IS NOT NULL AND r."hourStart" < ${iso(w.to)}::timestamp
        GROUP BY r."endpointId"
      )
      SELECT e."apiId", e.id AS "endpointId", e.method, e.path, coalesce(i."apiRequests", 0)::int AS "apiRequests", u.last AS "lastSeen"
      FROM endpoint e
      JOIN api a ON a.id = e."apiId"
      JOIN ingested i ON i."apiId" = e."apiId"
      LEFT JOIN used u ON u."endpointId" = e.id
      WHERE e.documented AND NOT e.deprecated AND (a.lifecycle IS NULL OR a.lifecycle = 'production')
        AND (u."endpointId" IS NULL OR NOT u.recent)
      ORDER BY e."apiId", e.path, e.method`;
    return rows.map((r): DerivedFinding => ({
      ruleId: "unused-endpoint",
      kind: "traffic",
      apiId: r.apiId,
      endpointId: r.endpointId,
      subject: `${r.method} ${r.path}`,
      title: `Unused endpoint: ${r.method} ${r.path}`,
      description: `${r.method} ${r.path} is documented for production but received no traffic in the last ${ctx.settings.unusedWindowDays} days while the Api received ${n(r.apiRequests)} requests.`,
      severity: "info",
      owaspCategory: "API9",
      evidence: evidence(w, { requests: 0, apiRequests: n(r.apiRequests) }, [], {
        endpoint: { method: r.method, path: r.path },
        lastSeen: r.lastSeen ? iso(r.lastSeen) : null,
      }),
    }));
  },
};
