/**
 * shadow-endpoint (DESIGN.md §3): a (method, path template) observed in traffic under a known Api, served (a status
 * other than 404/410) within the lookback, that no inventory describes. Rollups are grouped in SQL; the few grouped
 * templates are re-checked against the Api's current endpoints (an inventory ingested after the traffic may document
 * them now). Clients per endpoint are not stored: the evidence names those seen in the endpoint's samples.
 * The finding points at the observed-only endpoint record of the template (server/traffic/observed.ts, DESIGN.md
 * "Shadow records"). Apis known only from traffic are left to shadow-api: every endpoint of theirs is undocumented.
 */
import { createMatcher, type PathMatcher } from "@/server/domain/path-matcher";
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n, sampleClients } from "./shared";

interface Row {
  apiId: string;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  requests: number;
  served: number;
  first: Date;
  last: Date;
}

export const shadowEndpoint: Rule = {
  id: "shadow-endpoint",
  kind: "traffic",
  description: "An endpoint served in traffic under a known Api that no inventory documents.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const rows = await ctx.tx.$queryRaw<Row[]>`
      SELECT r."apiId", max(e.id) AS "endpointId", r.method, r."pathTemplate", sum(r.requests)::int AS requests,
        sum(r.requests - r."status404" - r."status410")::int AS served, min(r."hourStart") AS first, max(r."hourStart") AS last
      FROM traffic_endpoint_hour r
      JOIN api a ON a.id = r."apiId" AND NOT a."discoveredFromTraffic"
      LEFT JOIN endpoint e ON e."apiId" = r."apiId" AND e.method = r.method AND e.path = r."pathTemplate" AND NOT e.documented
      WHERE r."apiId" IS NOT NULL AND NOT r.matched
        AND r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
        AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
      GROUP BY r."apiId", r.method, r."pathTemplate"
      HAVING sum(r.requests - r."status404" - r."status410") > 0
      ORDER BY r."apiId", r."pathTemplate", r.method`;
    if (rows.length === 0) return [];
    const apiIds = [...new Set(rows.map((r) => r.apiId))];
    const endpoints = await ctx.tx.endpoint.findMany({
      where: { apiId: { in: apiIds }, documented: true },
      select: { id: true, apiId: true, method: true, path: true },
    });
    const matchers = new Map<string, PathMatcher>();
    for (const id of apiIds) matchers.set(id, createMatcher(endpoints.filter((e) => e.apiId === id)));
    const open = rows.filter((r) => !matchers.get(r.apiId)?.match(r.method, r.pathTemplate));
    const samples = await loadSamples(
      ctx.tx,
      open.map((r) => ({ scopeKey: r.apiId, method: r.method, pathTemplate: r.pathTemplate, window: w })),
    );
    return open.map((r, i): DerivedFinding => {
      const clients = sampleClients(samples[i] ?? []);
      return {
        ruleId: "shadow-endpoint",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: r.endpointId,
        subject: `${r.method} ${r.pathTemplate}`,
        title: `Undocumented endpoint in traffic: ${r.method} ${r.pathTemplate}`,
        description: `${r.method} ${r.pathTemplate} served ${n(r.served)} of ${n(r.requests)} requests but no inventory describes it.`,
        severity: "medium",
        owaspCategory: "API9",
        cwe: 1059,
        evidence: evidence(w, { requests: n(r.requests), served: n(r.served), sampledClients: clients.length }, samples[i] ?? [], {
          endpoint: { method: r.method, path: r.pathTemplate },
          topClient: clients[0] ?? null,
        }),
        observedFrom: r.first,
        observedTo: r.last,
      };
    });
  },
};
