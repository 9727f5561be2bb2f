/**
 * What the posture rules share: the Apis and endpoints in scope (read once per evaluation and memoised on the rule
 * context, so six rules cost two queries), and the small predicates the rules agree on.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { AuthScheme, DataClass } from "@/server/domain/records";
import type { RuleContext } from "../../rule";

export interface ApiRow {
  id: string;
  slug: string;
  name: string;
  baseUrl: string | null;
  host: string | null;
  ownerTeamId: string | null;
  contact: Prisma.JsonValue;
  version: string | null;
  lifecycle: string | null;
  discoveredFromTraffic: boolean;
  sourceFormats: string[];
  documentedEndpoints: number;
  observedEndpoints: number;
  /** Spectral lint summary of the latest spec (SpecLintSummary), or null. */
  specLint: Prisma.JsonValue;
}

export interface EndpointRow {
  id: string;
  apiId: string;
  method: string;
  path: string;
  summary: string | null;
  hasDescription: boolean;
  tags: string[];
  deprecated: boolean;
  securityMode: string;
  securitySchemes: Prisma.JsonValue;
  hasSuccessSchema: boolean;
  hasExamples: boolean;
  dataClasses: string[];
  responseFields: Prisma.JsonValue;
  documented: boolean;
  observed: boolean;
}

export function apiWhere(ctx: RuleContext): Prisma.ApiWhereInput {
  return ctx.apiIds === null ? {} : { id: { in: ctx.apiIds } };
}

const apiCache = new WeakMap<RuleContext, Promise<ApiRow[]>>();
const endpointCache = new WeakMap<RuleContext, Promise<Map<string, EndpointRow[]>>>();

export function scopeApis(ctx: RuleContext): Promise<ApiRow[]> {
  let p = apiCache.get(ctx);
  if (!p) {
    p = ctx.tx.api.findMany({
      where: apiWhere(ctx),
      select: {
        id: true,
        slug: true,
        name: true,
        baseUrl: true,
        host: true,
        ownerTeamId: true,
        contact: true,
        version: true,
        lifecycle: true,
        discoveredFromTraffic: true,
        sourceFormats: true,
        documentedEndpoints: true,
        observedEndpoints: true,
        specLint: true,
      },
      orderBy: { id: "asc" },
    });
    apiCache.set(ctx, p);
  }
  return p;
}

/** Endpoints of the Apis in scope, grouped by Api id. */
export function scopeEndpoints(ctx: RuleContext): Promise<Map<string, EndpointRow[]>> {
  let p = endpointCache.get(ctx);
  if (!p) {
    p = ctx.tx.endpoint
      .findMany({
        where: ctx.apiIds === null ? {} : { apiId: { in: ctx.apiIds } },
        select: {
          id: true,
          apiId: true,
          method: true,
          path: true,
          summary: true,
          hasDescription: true,
          tags: true,
          deprecated: true,
          securityMode: true,
          securitySchemes: true,
          hasSuccessSchema: true,
          hasExamples: true,
          dataClasses: true,
          responseFields: true,
          documented: true,
          observed: true,
        },
        orderBy: [{ apiId: "asc" }, { path: "asc" }, { method: "asc" }],
      })
      .then((rows) => {
        const byApi = new Map<string, EndpointRow[]>();
        for (const r of rows) {
          const list = byApi.get(r.apiId);
          if (list) list.push(r);
          else byApi.set(r.apiId, [r]);
        }
        return byApi;
      });
    endpointCache.set(ctx, p);
  }
  return p;
}

/** Loopback and *.localhost names: the only hosts where cleartext is not a transport risk. */
export function isLocalHost(host: string | null | undefined): boolean {
  if (!host) return true;
  const h = host.toLowerCase().replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return h === "localhost" || h.endsWith(".localhost") || h === "::1" || /^127\./.test(h) || h === "0.0.0.0";
}

/** The Api's stored base URL is plain http:// on a non-local host. */
export function isCleartextBaseUrl(api: { baseUrl: string | null; host: string | null }): boolean {
  return !!api.baseUrl && /^http:\/\//i.test(api.baseUrl) && !isLocalHost(api.host ?? api.baseUrl.replace(/^http:\/\//i, "").split("/")[0]);
}

export function schemesOf(endpoint: EndpointRow): AuthScheme[] {
  return Array.isArray(endpoint.securitySchemes) ? (endpoint.securitySchemes as unknown as AuthScheme[]) : [];
}

/** Why a scheme is weak (HTTP Basic, API key in the query string), else null. */
export function weakScheme(s: AuthScheme): string | null {
  if (s.kind === "basic") return "HTTP Basic";
  if (s.kind === "apiKey" && s.in === "query") return "API key in the query string";
  return null;
}

const AUTH_SEGMENT = /^(login|logon|signin|sign-in|signup|sign-up|token|tokens|oauth|oauth2|auth|authenticate|authorize|session|sessions|refresh|refresh-token)$/i;

/** A login/token/signin/auth endpoint, by a path segment or a tag (DESIGN.md "Data classes"). */
export function isAuthenticationEndpoint(endpoint: { path: string; tags: string[] }): boolean {
  const segments = endpoint.path.split("/").filter((s) => s && !s.startsWith("{"));
  if (segments.some((s) => AUTH_SEGMENT.test(s))) return true;
  return endpoint.tags.some((t) => /^(auth|authentication|login|identity|oauth2?)$/i.test(t.trim()));
}

export const EXPOSURE_CLASSES: readonly DataClass[] = ["pii", "financial", "credentials"];

export function responseFields(endpoint: EndpointRow): { path: string; dataClass: DataClass }[] {
  return Array.isArray(endpoint.responseFields) ? (endpoint.responseFields as unknown as { path: string; dataClass: DataClass }[]) : [];
}

export function label(endpoint: { method: string; path: string }): string {
  return `${endpoint.method} ${endpoint.path}`;
}
