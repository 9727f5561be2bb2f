/**
 * shadow-api (DESIGN.md §3, "Shadow records"): served traffic (a status other than 404/410) within the lookback to a
 * host/base path that no inventory knows. Such a host is recorded as an Api known only from traffic
 * (Api.discoveredFromTraffic, server/traffic/observed.ts) and the finding points at it; rollups still stored under
 * "host:<host>" (a host not recorded yet) give a finding without an Api, produced only when every Api is evaluated.
 * Once an inventory documents the Api it is no longer observed only and the finding resolves. Counts from
 * traffic_endpoint_hour; distinct clients from traffic_client_day (days overlapping the lookback).
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  apiId: string | null;
  scopeKey: string;
  host: string | null;
  requests: number;
  served: number;
  clients: number;
  templates: number;
  topPaths: string[];
  first: Date;
  last: Date;
}

export const shadowApi: Rule = {
  id: "shadow-api",
  kind: "traffic",
  description: "Traffic to a host or base path that no inventory knows.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH g AS (
        SELECT r."scopeKey", max(a.id) AS "apiId", coalesce(max(a.host), max(r.host)) AS host, sum(r.requests)::int AS requests,
          sum(r.requests - r."status404" - r."status410")::int AS served,
          count(DISTINCT r.method || ' ' || r."pathTemplate")::int AS templates,
          min(r."hourStart") AS first, max(r."hourStart") AS last
        FROM traffic_endpoint_hour r LEFT JOIN api a ON a.id = r."apiId"
        WHERE (
            (r."apiId" IS NULL AND ${ctx.apiIds}::text[] IS NULL AND r."scopeKey" LIKE 'host:%' AND r."scopeKey" <> 'host:unknown')
            OR (a."discoveredFromTraffic" AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[])))
          )
          AND r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
        GROUP BY r."scopeKey"
        HAVING sum(r.requests - r."status404" - r."status410") > 0
      )
      SELECT g.*, (
        SELECT array_agg(p ORDER BY c DESC) FROM (
          SELECT r.method || ' ' || r."pathTemplate" AS p, sum(r.requests) AS c FROM traffic_endpoint_hour r
          WHERE r."scopeKey" = g."scopeKey" AND r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
          GROUP BY 1 ORDER BY 2 DESC LIMIT 10) t
      ) AS "topPaths", (
        SELECT count(DISTINCT d."clientKey")::int FROM traffic_client_day d
        WHERE d."scopeKey" = g."scopeKey" AND d.day >= date_trunc('day', ${iso(w.from)}::timestamp) AND d.day < ${iso(w.to)}::timestamp
      ) AS clients
      FROM g
      WHERE NOT EXISTS (
        SELECT 1 FROM api a WHERE a.host IS NOT NULL AND lower(a.host) = lower(g.host) AND NOT a."discoveredFromTraffic")
      ORDER BY g."scopeKey"`;
    const samples = await loadSamples(ctx.tx, rows.map((r) => ({ scopeKey: r.scopeKey, window: w })));
    return rows.map((r, i): DerivedFinding => {
      const host = r.host ?? r.scopeKey.slice("host:".length);
      return {
        ruleId: "shadow-api",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: null,
        subject: `host:${host}`,
        title: `Shadow API: traffic to unknown host ${host}`,
        description: `${n(r.served)} of ${n(r.requests)} requests to ${host} were served (${n(r.templates)} path template(s), ${n(r.clients)} client(s)); no inventory lists this host.`,
        severity: "high",
        owaspCategory: "API9",
        cwe: 1059,
        evidence: evidence(w, { requests: n(r.requests), served: n(r.served), clients: n(r.clients), pathTemplates: n(r.templates) }, samples[i] ?? [], {
          host,
          topPaths: r.topPaths ?? [],
        }),
        observedFrom: r.first,
        observedTo: r.last,
      };
    });
  },
};
