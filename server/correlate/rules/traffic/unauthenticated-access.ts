/**
 * unauthenticated-access (DESIGN.md §3): an endpoint whose spec requires auth, or that serves a sensitive data class,
 * returned 2xx to requests without a principal within the lookback. One finding per endpoint; critical when the
 * endpoint serves sensitive data. Counts from traffic_endpoint_hour (which has no client dimension); the evidence names
 * the unauthenticated clients seen in the endpoint's samples, most frequent first.
 */
import type { DerivedFinding, Rule } from "../../rule";
import { evidence, iso, loadSamples, lookback, n, type SampleEvent, sampleClients } from "./shared";

interface Row {
  apiId: string;
  endpointId: string;
  method: string;
  path: string;
  securityMode: string;
  dataClasses: string[];
  unauth2xx: number;
  requests: number;
  first: Date;
  last: Date;
}

const SENSITIVE = ["pii", "financial", "credentials", "health"];
const TOP_CLIENTS = 10;

/** A 2xx served to a request without a principal. */
const unauthenticated2xx = (s: SampleEvent) => typeof s.status !== "number" || (s.status >= 200 && s.status < 300 && !s.principal);

export const unauthenticatedAccess: Rule = {
  id: "unauthenticated-access",
  kind: "traffic",
  description: "An endpoint that requires auth (or serves sensitive data) answered 2xx to requests without a principal.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const rows = await ctx.tx.$queryRaw<Row[]>`
      SELECT e."apiId", e.id AS "endpointId", e.method, e.path, e."securityMode", e."dataClasses",
        sum(r."unauthenticated2xx")::int AS unauth2xx, sum(r.requests)::int AS requests,
        min(r."hourStart") FILTER (WHERE r."unauthenticated2xx" > 0) AS first,
        max(r."hourStart") FILTER (WHERE r."unauthenticated2xx" > 0) AS last
      FROM traffic_endpoint_hour r JOIN endpoint e ON e.id = r."endpointId"
      WHERE r."hourStart" >= date_trunc('hour', ${iso(w.from)}::timestamp) AND r."hourStart" < ${iso(w.to)}::timestamp
        AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
        AND (e."securityMode" = 'required' OR e."dataClasses" && ${SENSITIVE}::text[])
      GROUP BY e."apiId", e.id, e.method, e.path, e."securityMode", e."dataClasses"
      HAVING sum(r."unauthenticated2xx") > 0
      ORDER BY e."apiId", e.path, e.method`;
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r) => ({ scopeKey: r.apiId, method: r.method, pathTemplate: r.path, window: w, keep: unauthenticated2xx })),
    );
    return rows.map((r, i): DerivedFinding => {
      const sensitive = r.dataClasses.filter((c) => SENSITIVE.includes(c));
      const clients = sampleClients(samples[i] ?? []);
      return {
        ruleId: "unauthenticated-access",
        kind: "traffic",
        apiId: r.apiId,
        endpointId: r.endpointId,
        subject: `${r.method} ${r.path}`,
        title: `Unauthenticated access to ${r.method} ${r.path}`,
        description: `${n(r.unauth2xx)} successful responses went to requests without a principal (${clients.length} client(s) in the samples) although the endpoint ${r.securityMode === "required" ? "requires authentication" : `serves ${sensitive.join(", ")} data`}.`,
        severity: sensitive.length ? "critical" : "high",
        owaspCategory: "API2",
        cwe: 306,
        evidence: evidence(
          w,
          { unauthenticated2xx: n(r.unauth2xx), requests: n(r.requests), sampledClients: clients.length },
          samples[i] ?? [],
          { endpoint: { method: r.method, path: r.path }, securityMode: r.securityMode, dataClasses: sensitive, clients: clients.slice(0, TOP_CLIENTS), client: clients[0] ?? null },
        ),
        observedFrom: r.first,
        observedTo: r.last,
      };
    });
  },
};
