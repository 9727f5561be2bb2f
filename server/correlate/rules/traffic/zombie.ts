/**
 * zombie (DESIGN.md §3, "Served"): an Api whose lifecycle is deprecated or retired, or a deprecated endpoint, that served
 * traffic (any status other than 404 and 410 — a 401 counts) within zombieWindowDays. One finding per Api (whole-Api
 * lifecycle) or per deprecated endpoint of a live Api. Counts from traffic_endpoint_hour; distinct clients of a whole
 * Api from traffic_client_day, of an endpoint (not stored per endpoint) only as seen in its samples.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, n, sampleClients, windowBack } from "./shared";

interface Row {
  apiId: string;
  apiName: string;
  lifecycle: string | null;
  endpointId: string | null;
  method: string | null;
  path: string | null;
  requests: number;
  served: number;
  s2: number;
  s401: number;
  s403: number;
  s404: number;
  s410: number;
  clients: number | null;
  first: Date;
  last: Date;
}

export const zombie: Rule = {
  id: "zombie",
  kind: "traffic",
  description: "A deprecated or retired Api or endpoint still serving traffic.",
  async evaluate(ctx) {
    const w = windowBack(ctx, ctx.settings.zombieWindowDays);
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH t AS (
        SELECT r."apiId", r."endpointId", r."hourStart", r.requests, r."status2xx", r."status401", r."status403", r."status404", r."status410"
        FROM traffic_endpoint_hour r
        WHERE r."apiId" IS NOT NULL
          AND r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
      ), scoped AS (
        SELECT a.id AS "apiId", a.name AS "apiName", a.lifecycle, NULL::text AS "endpointId", NULL::text AS method, NULL::text AS path,
          t."hourStart", t.requests, t."status2xx", t."status401", t."status403", t."status404", t."status410"
        FROM t JOIN api a ON a.id = t."apiId"
        WHERE a.lifecycle IN ('deprecated', 'retired')
        UNION ALL
        SELECT a.id, a.name, a.lifecycle, e.id, e.method, e.path,
          t."hourStart", t.requests, t."status2xx", t."status401", t."status403", t."status404", t."status410"
        FROM t JOIN endpoint e ON e.id = t."endpointId" JOIN api a ON a.id = e."apiId"
        WHERE e.deprecated AND (a.lifecycle IS NULL OR a.lifecycle NOT IN ('deprecated', 'retired'))
      ), g AS (
        SELECT s."apiId", s."apiName", s.lifecycle, s."endpointId", s.method, s.path,
          sum(s.requests)::int AS requests, sum(s.requests - s."status404" - s."status410")::int AS served,
          sum(s."status2xx")::int AS s2, sum(s."status401")::int AS s401, sum(s."status403")::int AS s403,
          sum(s."status404")::int AS s404, sum(s."status410")::int AS s410,
          min(s."hourStart") AS first, max(s."hourStart") AS last
        FROM scoped s
        GROUP BY s."apiId", s."apiName", s.lifecycle, s."endpointId", s.method, s.path
        HAVING sum(s.requests - s."status404" - s."status410") > 0
      )
      SELECT g.*, CASE WHEN g."endpointId" IS NULL THEN (
        SELECT count(DISTINCT d."clientKey")::int FROM traffic_client_day d
        WHERE d."scopeKey" = g."apiId" AND d.day >= date_trunc('day', ${iso(w.from)}::timestamp) AND d.day < ${iso(w.to)}::timestamp
      ) END AS clients
      FROM g
      ORDER BY g."apiId", g.path NULLS FIRST`;
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r) => ({ scopeKey: r.apiId, method: r.method, pathTemplate: r.path, window: w })),
    );
    return rows.map((r, i): DerivedFinding => {
      const what = r.endpointId ? `deprecated endpoint ${r.method} ${r.path}` : `${r.lifecycle} Api ${r.apiName}`;
      return {
        ruleId: "zombie",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: r.endpointId,
        subject: r.endpointId ? `${r.method} ${r.path}` : "",
        title: `Zombie: ${what} still serves traffic`,
        description: `The ${what} served ${n(r.served)} requests (statuses other than 404/410) in the last ${ctx.settings.zombieWindowDays} days.`,
        severity: "high",
        owaspCategory: "API9",
        cwe: 1059,
        evidence: evidence(
          w,
          {
            requests: n(r.requests),
            served: n(r.served),
            status2xx: n(r.s2),
            status401: n(r.s401),
            status403: n(r.s403),
            status404: n(r.s404),
            status410: n(r.s410),
            ...(r.clients === null ? { sampledClients: sampleClients(samples[i] ?? []).length } : { clients: n(r.clients) }),
          },
          samples[i] ?? [],
          { lifecycle: r.lifecycle, ...(r.endpointId ? { endpoint: { method: r.method, path: r.path } } : {}) },
        ),
        observedFrom: r.first,
        observedTo: r.last,
      };
    });
  },
};
