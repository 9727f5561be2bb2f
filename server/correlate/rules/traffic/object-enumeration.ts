/**
 * object-enumeration (BOLA signal, DESIGN.md §3): one client touched ≥ enumerationDistinctValues distinct values of one
 * object-identifying parameter of one endpoint within an hour — a path parameter, or a query parameter the spec declares
 * or whose values look like identifiers (server/domain/query-params.ts; stored as "?name") — (hourly buckets of
 * traffic_param_values, within the lookback). One
 * finding per Api/scope × endpoint × client × parameter, with the worst hour. Request counts per client × endpoint ×
 * hour are not stored, so the evidence gives the endpoint's counts in that hour across all clients.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { declaredIn, paramLabel } from "./param-label";
import { evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  scopeKey: string;
  method: string;
  pathTemplate: string;
  clientKey: string;
  paramName: string;
  maxDistinct: number;
  hours: number;
  worstHour: Date;
  first: Date;
  last: Date;
  endpointId: string | null;
  parameters: unknown;
  endpointRequests: number;
  s2: number;
  s4: number;
}

const HOUR = 3_600_000;

export const objectEnumeration: Rule = {
  id: "object-enumeration",
  kind: "traffic",
  description: "One client touched many distinct values of one object-identifying path or query parameter of one endpoint within an hour.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const threshold = ctx.settings.enumerationDistinctValues;
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH hot AS (
        SELECT p."scopeKey", p.method, p."pathTemplate", p."clientKey", p."paramName", p."hourStart", cardinality(p."valueHashes") AS distinct_values
        FROM traffic_param_values p
        WHERE p."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND p."hourStart" < ${iso(w.to)}::timestamp
          AND cardinality(p."valueHashes") >= ${threshold}::float8
          AND (${ctx.apiIds}::text[] IS NULL OR p."scopeKey" = ANY(${ctx.apiIds}::text[]))
      ), g AS (
        SELECT "scopeKey", method, "pathTemplate", "clientKey", "paramName", max(distinct_values)::int AS "maxDistinct",
          count(*)::int AS hours, (array_agg("hourStart" ORDER BY distinct_values DESC, "hourStart"))[1] AS "worstHour",
          min("hourStart") AS first, max("hourStart") AS last
        FROM hot GROUP BY 1, 2, 3, 4, 5
      )
      SELECT g.*, e.id AS "endpointId", e.parameters, coalesce(h.requests, 0)::int AS "endpointRequests", coalesce(h."status2xx", 0)::int AS s2,
        coalesce(h."status4xx", 0)::int AS s4
      FROM g
      LEFT JOIN endpoint e ON e."apiId" = g."scopeKey" AND e.method = g.method AND e.path = g."pathTemplate"
      LEFT JOIN traffic_endpoint_hour h
        ON h."scopeKey" = g."scopeKey" AND h.method = g.method AND h."pathTemplate" = g."pathTemplate" AND h."hourStart" = g."worstHour"
      ORDER BY g."scopeKey", g."pathTemplate", g."clientKey"`;
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r) => ({
        scopeKey: r.scopeKey,
        method: r.method,
        pathTemplate: r.pathTemplate,
        clientKey: r.clientKey,
        window: { from: r.worstHour, to: new Date(r.worstHour.getTime() + HOUR) },
      })),
    );
    return rows.map((r, i): DerivedFinding => {
      const apiId = r.scopeKey.startsWith("host:") ? null : r.scopeKey;
      const hour = { from: r.worstHour, to: new Date(r.worstHour.getTime() + HOUR) };
      const p = paramLabel(r.paramName);
      const kind = p.in === "path" ? "path parameter" : `${declaredIn(r.parameters, p) ? "declared" : "undocumented"} query parameter`;
      return {
        ruleId: "object-enumeration",
        kind: "traffic",
        apiId,
        endpointId: r.endpointId,
        // Path parameters keep the subject they always had ("{id}"), so their findings stay the same findings.
        subject: `${r.clientKey} ${r.method} ${r.pathTemplate} ${p.shown}`,
        title: `Object enumeration: ${r.clientKey} walked ${n(r.maxDistinct)}${n(r.maxDistinct) >= 2 * threshold ? "+" : ""} values of ${p.shown} on ${r.method} ${r.pathTemplate}`,
        description: `Client ${r.clientKey} requested at least ${n(r.maxDistinct)} distinct values of ${kind} ${p.shown} within one hour (threshold ${threshold}) in ${n(r.hours)} hour(s).`,
        severity: "high",
        owaspCategory: "API1",
        cwe: 639,
        evidence: evidence(
          hour,
          {
            distinctValues: n(r.maxDistinct),
            threshold,
            hoursOverThreshold: n(r.hours),
            endpointRequests: n(r.endpointRequests),
            endpointStatus2xx: n(r.s2),
            endpointStatus4xx: n(r.s4),
          },
          samples[i] ?? [],
          {
            client: r.clientKey,
            endpoint: { method: r.method, path: r.pathTemplate },
            parameter: p.name,
            parameterIn: p.in,
            parameterKind: p.in === "path" ? "path" : declaredIn(r.parameters, p) ? "declared" : "inferred",
            windowKind: "hour",
            ...(apiId ? {} : { scope: r.scopeKey }),
          },
        ),
        observedFrom: r.first,
        observedTo: new Date(r.last.getTime() + HOUR),
      };
    });
  },
};
