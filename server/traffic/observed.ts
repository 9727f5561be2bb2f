/**
 * After a gateway log is stored: what traffic showed that no inventory knows becomes records (DESIGN.md "Shadow
 * records"). Hosts that served traffic (a status other than 404/410) and that no Api holds become shadow Apis (the
 * inventory writer records them; their rollups move from "host:<host>" to the Api), and the (method, inferred
 * template) pairs served under an Api that no documented endpoint matches become observed-only endpoints. Everything
 * is grouped in SQL; only the few grouped rows reach this process.
 */
import type { Tx } from "@/server/db/types";
import { isPublicAddress } from "@/server/domain/network";
import { createMatcher, type PathMatcher } from "@/server/domain/path-matcher";
import { type ObservedHost, persistObservedApis, persistObservedEndpoints } from "@/server/inventory/persist";
import { moveScopes } from "./scopes";

/** Distinct unauthenticated clients read per host to infer its exposure (one public address is enough). */
const EXPOSURE_CLIENTS = 500;

interface HostRow {
  scopeKey: string;
  host: string | null;
  tls: number;
  first: Date;
  last: Date;
  clients: string[] | null;
}

/** Shadow hosts not recorded yet, with their scheme (https unless every request was plain HTTP) and exposure. */
async function observedHosts(tx: Tx): Promise<ObservedHost[]> {
  const rows = await tx.$queryRaw<HostRow[]>`
    WITH g AS (
      SELECT r."scopeKey", max(r.host) AS host, sum(r.requests - r."plainHttp")::int AS tls,
        min(r."hourStart") AS first, max(r."hourStart") AS last
      FROM traffic_endpoint_hour r
      WHERE r."apiId" IS NULL AND r."scopeKey" LIKE 'host:%' AND r."scopeKey" <> 'host:unknown'
      GROUP BY r."scopeKey"
      HAVING sum(r.requests - r."status404" - r."status410") > 0
    )
    SELECT g.*, (
      SELECT array_agg(c."clientKey") FROM (
        SELECT DISTINCT d."clientKey" FROM traffic_client_day d
        WHERE d."scopeKey" = g."scopeKey" AND NOT d.authenticated LIMIT ${EXPOSURE_CLIENTS}) c
    ) AS clients
    FROM g
    WHERE NOT EXISTS (SELECT 1 FROM api a WHERE a.host IS NOT NULL AND lower(a.host) = g.host)
    ORDER BY g."scopeKey"`;
  return rows.map((r) => ({
    scopeKey: r.scopeKey,
    host: r.host ?? r.scopeKey.slice("host:".length),
    scheme: Number(r.tls) > 0 ? "https" : "http",
    exposure: (r.clients ?? []).some(isPublicAddress) ? "internet" : null,
    firstSeenAt: r.first,
    lastSeenAt: r.last,
  }));
}

interface TemplateRow {
  apiId: string;
  method: string;
  pathTemplate: string;
  first: Date;
  last: Date;
}

/** Served (method, template) pairs of the Apis that match no endpoint record yet. */
async function observedTemplates(tx: Tx, apiIds: readonly string[]): Promise<TemplateRow[]> {
  if (apiIds.length === 0) return [];
  const rows = await tx.$queryRaw<TemplateRow[]>`
    SELECT r."apiId", r.method, r."pathTemplate", min(r."hourStart") AS first, max(r."hourStart") AS last
    FROM traffic_endpoint_hour r
    WHERE r."apiId" = ANY(${apiIds}::text[]) AND NOT r.matched
      AND NOT EXISTS (SELECT 1 FROM endpoint e WHERE e."apiId" = r."apiId" AND e.method = r.method AND e.path = r."pathTemplate")
    GROUP BY r."apiId", r.method, r."pathTemplate"
    HAVING sum(r.requests - r."status404" - r."status410") > 0`;
  if (rows.length === 0) return [];
  // Documented after the traffic was stored under another name ("/users/{id}" for "/users/{userId}"): not a shadow.
  const documented = await tx.endpoint.findMany({
    where: { apiId: { in: [...new Set(rows.map((r) => r.apiId))] }, documented: true },
    select: { id: true, apiId: true, method: true, path: true },
  });
  const matchers = new Map<string, PathMatcher>();
  const matcher = (apiId: string) => {
    let m = matchers.get(apiId);
    if (!m) matchers.set(apiId, (m = createMatcher(documented.filter((e) => e.apiId === apiId))));
    return m;
  };
  return rows.filter((r) => !matcher(r.apiId).match(r.method, r.pathTemplate));
}

export interface ObservedCounts {
  shadowApisRecorded: number;
  observedEndpointsRecorded: number;
}

/** Records shadow Apis and observed-only endpoints; answers the counts and the Apis it recorded or added to. */
export async function recordObserved(tx: Tx, touchedApiIds: readonly string[]): Promise<{ counts: ObservedCounts; apiIds: string[] }> {
  const moves = await persistObservedApis(tx, await observedHosts(tx));
  await moveScopes(tx, moves);
  const apiIds = [...new Set([...touchedApiIds, ...moves.map((m) => m.apiId)])];
  const templates = await observedTemplates(tx, apiIds);
  const observedEndpointsRecorded = await persistObservedEndpoints(
    tx,
    templates.map((t) => ({ apiId: t.apiId, method: t.method, path: t.pathTemplate, firstSeenAt: t.first, lastSeenAt: t.last })),
  );
  return { counts: { shadowApisRecorded: moves.length, observedEndpointsRecorded }, apiIds };
}
