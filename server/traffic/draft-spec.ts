/**
 * "Draft spec from traffic" (issue 16): an OpenAPI 3.1 document of what gateway traffic showed of an Api, so its owner
 * can start documenting it. For an Api known only from traffic, every template seen; for a documented one, the
 * templates no documented endpoint matches. Built from the rollups (per template: SQL sums over traffic_endpoint_hour;
 * whether principals were seen: traffic_client_day), never from raw lines:
 *
 * - paths: the inferred templates ("/users/{id}"; a second identifier in one path is "{id2}", as attribution names
 *   its values), with their path parameters;
 * - responses: the statuses seen, as the rollups keep them (401, 403, 404, 410, 429 exactly; other classes as 2XX…);
 * - security: a bearer scheme when authenticated clients were seen; an operation whose 2xx all went to requests
 *   with a principal requires it, one that also served anonymous requests makes it optional, one that served only
 *   anonymous requests states nothing (undeclared: traffic cannot tell intent);
 * - servers: the Api's base URL.
 * Query parameter names are not kept by the rollups, so the draft has none. Scoped like the Api itself.
 */
import type { Actor } from "@/server/auth/roles";
import { apiScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import { notFound } from "@/server/domain/errors";
import { createMatcher } from "@/server/domain/path-matcher";
import type { StatusCounts } from "./status-counts";

/** A template's sums over its traffic_endpoint_hour rows. */
interface TemplateRow extends StatusCounts {
  method: string;
  pathTemplate: string;
  requests: number;
  first: Date;
  last: Date;
}

export interface DraftSpec {
  fileName: string;
  document: Record<string, unknown>;
  /** Operations in the draft. */
  operations: number;
}

const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** "{id}" segments numbered as attribution names their values ("id", "id2", …), so parameter names are unique. */
export function draftPath(template: string): { path: string; params: string[] } {
  const params: string[] = [];
  const segments = template.split("/").map((seg) => {
    const m = /^\{([^}]*)\}$/.exec(seg);
    if (!m) return seg;
    let name = (m[1] ?? "").replace(/[^A-Za-z0-9_.-]/g, "") || "id";
    if (params.includes(name)) name = `${name}${params.length + 1}`;
    while (params.includes(name)) name = `${name}_`;
    params.push(name);
    return `{${name}}`;
  });
  return { path: segments.join("/") || "/", params };
}

function responses(r: TemplateRow): Record<string, { description: string }> {
  const n = (v: unknown) => Number(v ?? 0);
  const other4xx = n(r.s4) - n(r.s401) - n(r.s403) - n(r.s404) - n(r.s410) - n(r.s429);
  const seen: [string, number][] = [
    ["2XX", n(r.s2)],
    ["3XX", n(r.s3)],
    ["401", n(r.s401)],
    ["403", n(r.s403)],
    ["404", n(r.s404)],
    ["410", n(r.s410)],
    ["429", n(r.s429)],
    ["4XX", other4xx],
    ["5XX", n(r.s5)],
  ];
  const out: Record<string, { description: string }> = {};
  for (const [code, count] of seen) if (count > 0) out[code] = { description: `Observed in traffic (${count} response${count === 1 ? "" : "s"}).` };
  // OpenAPI needs at least one response; every request has one, so an empty set means counts that were all moved.
  if (Object.keys(out).length === 0) out.default = { description: "Observed in traffic." };
  return out;
}

/** The draft of the Api with `slug`, if the actor may see it (another team's Api answers like a missing one). */
export async function draftSpec(prisma: Db, actor: Actor, slug: string): Promise<DraftSpec> {
  const api = await prisma.api.findFirst({
    where: { AND: [apiScope(actor), { slug }] },
    select: { id: true, slug: true, name: true, version: true, baseUrl: true, host: true, basePath: true, discoveredFromTraffic: true },
  });
  if (!api) throw notFound("Api");
  const rows = await prisma.$queryRaw<TemplateRow[]>`
    SELECT r.method, r."pathTemplate", sum(r.requests)::int AS requests, sum(r."status2xx")::int AS s2,
      sum(r."status3xx")::int AS s3, sum(r."status4xx")::int AS s4, sum(r."status5xx")::int AS s5,
      sum(r."status401")::int AS s401, sum(r."status403")::int AS s403, sum(r."status404")::int AS s404,
      sum(r."status410")::int AS s410, sum(r."status429")::int AS s429, sum(r."unauthenticated2xx")::int AS unauth2xx,
      min(r."hourStart") AS first, max(r."hourStart") AS last
    FROM traffic_endpoint_hour r
    WHERE r."scopeKey" = ${api.id} AND (${api.discoveredFromTraffic} OR NOT r.matched)
    GROUP BY r.method, r."pathTemplate"
    HAVING sum(r.requests - r."status404" - r."status410") > 0
    ORDER BY r."pathTemplate", r.method`;
  const [auth] = await prisma.$queryRaw<{ principals: boolean }[]>`
    SELECT EXISTS (SELECT 1 FROM traffic_client_day d WHERE d."scopeKey" = ${api.id} AND d.authenticated) AS principals`;
  // Templates stored before an inventory documented them under another name are documented, not drafts.
  const documented = api.discoveredFromTraffic
    ? []
    : await prisma.endpoint.findMany({ where: { apiId: api.id, documented: true }, select: { id: true, method: true, path: true } });
  const matcher = createMatcher(documented);
  const drafted = rows.filter((r) => METHODS.has(r.method.toLowerCase()) && !matcher.match(r.method, r.pathTemplate));

  const principals = auth?.principals === true;
  const paths: Record<string, Record<string, unknown>> = {};
  let first: Date | null = null;
  let last: Date | null = null;
  for (const r of drafted) {
    const { path, params } = draftPath(r.pathTemplate);
    const s2 = Number(r.s2);
    const anonymous = Number(r.unauth2xx);
    const operation: Record<string, unknown> = {
      summary: `Observed: ${r.method} ${path}`,
      description: `Seen in ${Number(r.requests)} request(s) between ${r.first.toISOString()} and ${r.last.toISOString()}.`,
      ...(params.length ? { parameters: params.map((name) => ({ name, in: "path", required: true, schema: { type: "string" } })) } : {}),
      responses: responses(r),
      ...(principals && s2 > 0 && anonymous === 0 ? { security: [{ observedPrincipal: [] }] } : {}),
      ...(principals && s2 > anonymous && anonymous > 0 ? { security: [{}, { observedPrincipal: [] }] } : {}),
      "x-postern-observed": { requests: Number(r.requests), anonymous2xx: anonymous, firstSeen: r.first.toISOString(), lastSeen: r.last.toISOString() },
    };
    (paths[path] ??= {})[r.method.toLowerCase()] = operation;
    if (!first || r.first < first) first = r.first;
    if (!last || r.last > last) last = r.last;
  }
  const server = api.baseUrl ?? (api.host ? `https://${api.host}${api.basePath}` : api.basePath || "/");
  const scope = api.discoveredFromTraffic ? "every path seen in traffic" : "the paths seen in traffic that no inventory documents";
  const document: Record<string, unknown> = {
    openapi: "3.1.0",
    info: {
      title: `${api.name} (draft from traffic)`,
      version: api.version ?? "0.0.0-draft",
      description:
        `Drafted by Postern from gateway traffic: ${scope}` +
        (first && last ? `, seen between ${first.toISOString()} and ${last.toISOString()}` : "") +
        ". Responses list the statuses seen; request and response bodies and query parameters are not recorded.",
    },
    servers: [{ url: server }],
    paths,
    ...(principals
      ? {
          components: {
            securitySchemes: {
              observedPrincipal: { type: "http", scheme: "bearer", description: "Requests carried an authenticated principal at the gateway." },
            },
          },
        }
      : {}),
    "x-postern-draft": { api: api.slug, observedOnly: api.discoveredFromTraffic },
  };
  return { fileName: `${api.slug}-draft-openapi.json`, document, operations: drafted.length };
}
