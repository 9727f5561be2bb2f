/**
 * Attributes a gateway event to an Api and endpoint (DESIGN.md §3 "Traffic maps to an Api…", "Logs without a host"):
 *
 * 1. by host: Apis declared with that host (exact host:port, then the bare host), longest base-path prefix;
 * 2. by the gateway's own id of the Api: the event's apiId / service / route equal to an Api's slug, alias, name or
 *    catalog name (case-insensitive; Kong decK services become Apis named after the service);
 * 3. by base-path prefix among Apis known without a host, or, when the event has no host, among all Apis (unique
 *    longest prefix; a root base path "/" only counts when the event carries no host);
 * 4. for events without a host, the ingest option `api` (slug, alias or name) that attributes the whole file;
 * 5. else the scope "host:<host>" (a shadow API candidate), path grouped under an inferred template.
 *
 * Under an Api, the path below the base path goes through the Api's endpoint matcher (literal segments beat params);
 * an unmatched path gets an inferred template and matched = false.
 *
 * Object-identifying query parameters (server/domain/query-params.ts: declared on the matched endpoint, or with
 * identifier-looking values) join the path parameters as "?name", so that their distinct values count the same way.
 */
import { ownString } from "./own-string";
import {
  type BaseMatcher,
  createBaseMatcher,
  createMatcher,
  inferTemplate,
  isIdentifierSegment,
  normaliseBasePath,
  normaliseHost,
  type PathMatcher,
  rawSegments,
} from "@/server/domain/path-matcher";
import { objectQueryParams } from "@/server/domain/query-params";
import { slugify } from "@/server/domain/slug";
import type { TrafficEvent } from "@/server/domain/records";
import type { Attribution } from "./aggregate";

export interface ApiRef {
  id: string;
  slug: string;
  name: string;
  catalogName: string | null;
  aliases: string[];
  host: string | null;
  basePath: string;
}

export interface EndpointRef {
  id: string;
  apiId: string;
  method: string;
  path: string;
  /** Query parameters the spec declares (`in: query`). */
  queryParams?: string[];
}

const CACHE_LIMIT = 50_000;
/** Longer paths (and hosts) are attributed every time rather than kept. */
const CACHED_PATH_MAX = 512;

function decodeSafe(s: string): string {
  if (s.indexOf("%") === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parameter values of an inferred template, by position: "id", "id2", … */
function inferredParams(path: string): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  let n = 0;
  for (const raw of rawSegments(path)) {
    const seg = decodeSafe(raw);
    if (!isIdentifierSegment(seg) || (seg.startsWith("{") && seg.endsWith("}"))) continue;
    n++;
    out ??= {};
    out[n === 1 ? "id" : `id${n}`] = seg;
  }
  return out;
}

/** An event's host as attribute() uses it (see hostOf). */
interface HostInfo {
  host: string;
  scopeKey: string;
  baseHost: string | undefined;
}

function hasKeys(o: Record<string, string>): boolean {
  for (const _ in o) return true;
  return false;
}

/** What an Attributor is made from (part of a fold's TrafficSetup; the parse worker's attribution stage gets it). */
export interface AttributorSetup {
  apis: readonly ApiRef[];
  endpoints: readonly EndpointRef[];
  /** The ingest option that attributes host-less traffic to one Api. */
  apiOption: string | undefined;
}

export class Attributor {
  private readonly base: BaseMatcher;
  private readonly hostlessBase: BaseMatcher;
  private readonly hosts: Set<string>;
  private readonly byName = new Map<string, ApiRef>();
  private readonly apis = new Map<string, ApiRef>();
  private readonly endpointsByApi = new Map<string, EndpointRef[]>();
  private readonly matchers = new Map<string, PathMatcher>();
  private readonly optionApi: ApiRef | undefined;
  /** Declared query parameters by endpoint id. */
  private readonly declaredQuery = new Map<string, ReadonlySet<string>>();
  /** host \0 service \0 route \0 apiId → Api id (or null): the per-event Api lookup is mostly repeated. */
  private readonly scopeCache = new Map<string, ApiRef | null>();
  readonly unknownOption: string | undefined;

  constructor(apis: readonly ApiRef[], endpoints: readonly EndpointRef[], option: string | undefined) {
    for (const a of apis) {
      this.apis.set(a.id, a);
      for (const n of [a.slug, a.name, a.catalogName, ...a.aliases]) {
        if (!n) continue;
        for (const k of [n.toLowerCase(), slugify(n)]) if (!this.byName.has(k)) this.byName.set(k, a);
      }
    }
    for (const e of endpoints) {
      if (e.queryParams?.length) this.declaredQuery.set(e.id, new Set(e.queryParams));
      const list = this.endpointsByApi.get(e.apiId);
      if (list) list.push(e);
      else this.endpointsByApi.set(e.apiId, [e]);
    }
    const bases = apis.map((a) => ({ id: a.id, host: a.host, basePath: a.basePath }));
    this.base = createBaseMatcher(bases.filter((a) => a.host));
    this.hostlessBase = createBaseMatcher(bases);
    this.hosts = new Set(apis.flatMap((a) => (a.host ? [normaliseHost(a.host) ?? a.host] : [])));
    const o = option?.trim();
    if (o) {
      this.optionApi = this.byName.get(o.toLowerCase()) ?? this.byName.get(slugify(o));
      if (!this.optionApi) this.unknownOption = o;
    }
  }

  private byGatewayId(event: TrafficEvent): ApiRef | undefined {
    for (const id of [event.apiId, event.service, event.route]) {
      if (!id) continue;
      const hit = this.byName.get(id.toLowerCase()) ?? this.byName.get(slugify(id));
      if (hit) return hit;
    }
    return undefined;
  }

  private basePathOf(api: ApiRef): string {
    return normaliseBasePath(api.basePath);
  }

  /** The part of `path` below the Api's base path, or the whole path when it is not under it. */
  private relative(api: ApiRef, path: string): string {
    const base = this.basePathOf(api);
    if (base === "/") return path;
    const segs = rawSegments(path);
    const baseSegs = rawSegments(base);
    for (let i = 0; i < baseSegs.length; i++) if (decodeSafe(segs[i] ?? "") !== decodeSafe(baseSegs[i] ?? "")) return path;
    const rest = segs.slice(baseSegs.length);
    return rest.length ? `/${rest.join("/")}` : "/";
  }

  private matcher(apiId: string): PathMatcher {
    let m = this.matchers.get(apiId);
    if (!m) {
      m = createMatcher(this.endpointsByApi.get(apiId) ?? []);
      this.matchers.set(apiId, m);
    }
    return m;
  }

  private endpointPath = new Map<string, string>();

  private templateOf(apiId: string, endpointId: string): string {
    let p = this.endpointPath.get(endpointId);
    if (p === undefined) {
      p = this.endpointsByApi.get(apiId)?.find((e) => e.id === endpointId)?.path ?? "/";
      this.endpointPath.set(endpointId, p);
    }
    return p;
  }

  /** Per raw host: normaliseHost() of it, the shadow scope key of that, and what base matching normalises it to. */
  private readonly hostCache = new Map<string, HostInfo>();

  private hostOf(raw: string | undefined): HostInfo | null {
    if (raw === undefined) return null;
    let hit = this.hostCache.get(raw);
    if (hit === undefined) {
      const host = normaliseHost(raw);
      if (host === undefined) return null;
      const own = ownString(host);
      hit = { host: own, scopeKey: `host:${own}`, baseHost: normaliseHost(own) };
      if (this.hostCache.size >= CACHE_LIMIT) this.hostCache.clear();
      this.hostCache.set(ownString(raw), hit);
    }
    return hit;
  }

  /**
   * Answers without path parameters by host, method and path: most requests of a log repeat a few such paths (lists,
   * health checks, logins), and attributing one is ~2 µs of path matching. `byHost` holds answers found through the
   * host (step 1: nothing else in the event matters), `plain` those of events without gateway ids. Paths with
   * parameters (ids) rarely repeat and are not kept. Bounded by CACHE_LIMIT; keys are strings of their own.
   */
  private readonly answers = { byHost: new AnswerCache(), plain: new AnswerCache() };

  attribute(event: TrafficEvent): Attribution {
    const at = this.attributePath(event);
    const query = event.query;
    if (query === undefined || query.length === 0) return at;
    const q = objectQueryParams(query, { declared: at.endpointId === null ? null : this.declaredQuery.get(at.endpointId) });
    if (q === null) return at;
    const params: Record<string, string> = at.params === null ? {} : { ...at.params };
    for (const name in q) params[`?${name}`] = q[name] as string;
    return { scopeKey: at.scopeKey, apiId: at.apiId, endpointId: at.endpointId, host: at.host, pathTemplate: at.pathTemplate, matched: at.matched, params };
  }

  /** The attribution of the event's path (its path parameters only). */
  private attributePath(event: TrafficEvent): Attribution {
    const known = this.answers.byHost.get(event) ?? (hasGatewayIds(event) ? undefined : this.answers.plain.get(event));
    if (known !== undefined) return known;
    const { at, byHost } = this.resolve(event);
    if (at.params === null && event.path.length <= CACHED_PATH_MAX && (event.host?.length ?? 0) <= CACHED_PATH_MAX) {
      if (byHost) this.answers.byHost.set(event, at);
      else if (!hasGatewayIds(event)) this.answers.plain.set(event, at);
    }
    return at;
  }

  /** The attribution of `event`, and whether its host decided it (step 1). */
  private resolve(event: TrafficEvent): { at: Attribution; byHost: boolean } {
    const hostInfo = this.hostOf(event.host);
    const host = hostInfo === null ? null : hostInfo.host;
    let api: ApiRef | undefined;
    let relativePath: string | undefined;

    // 1. Host (+ base path).
    if (host !== null && this.hosts.size > 0) {
      const m = this.base.matchNormalised(hostInfo?.baseHost, event.path);
      if (m) {
        api = this.apis.get(m.apiId);
        relativePath = m.relativePath;
      }
    }
    const byHost = api !== undefined;
    // 2. Gateway service / route / api id.
    if (!api && hasGatewayIds(event)) {
      const cacheKey = `${event.apiId ?? ""}\u0000${event.service ?? ""}\u0000${event.route ?? ""}`;
      let hit = this.scopeCache.get(cacheKey);
      if (hit === undefined) {
        hit = this.byGatewayId(event) ?? null;
        if (this.scopeCache.size > CACHE_LIMIT) this.scopeCache.clear();
        this.scopeCache.set(ownString(cacheKey), hit);
      }
      if (hit) {
        api = hit;
        relativePath = this.relative(hit, event.path);
      }
    }
    // 3. Base-path prefix: for an event without a host, Apis without a host, else a unique Api of any host; for an
    //    event whose host no Api declares, only Apis declared without a host and with a non-root base path. A root
    //    base path ("/" matches everything) yields to the ingest option.
    if (!api) {
      const m = this.hostlessBase.match(null, event.path);
      const candidate = m ? this.apis.get(m.apiId) : undefined;
      const root = m?.basePath === "/";
      if (m && candidate && (host === null ? !(root && this.optionApi) : !candidate.host && !root)) {
        api = candidate;
        relativePath = m.relativePath;
      }
    }
    // 4. The ingest option, for events without a host (an event naming a host no inventory knows stays a shadow-API
    //    candidate even in a file attributed to one Api).
    if (!api && this.optionApi && host === null) {
      api = this.optionApi;
      relativePath = this.relative(api, event.path);
    }

    if (!api) {
      const at: Attribution = {
        scopeKey: hostInfo === null ? "host:unknown" : hostInfo.scopeKey,
        apiId: null,
        endpointId: null,
        host,
        pathTemplate: inferTemplate(event.path),
        matched: false,
        params: inferredParams(event.path),
      };
      return { at, byHost };
    }
    const rel = relativePath ?? event.path;
    const hit = this.matcher(api.id).match(event.method, rel);
    if (hit) {
      const at: Attribution = {
        scopeKey: api.id,
        apiId: api.id,
        endpointId: hit.id,
        host,
        pathTemplate: this.templateOf(api.id, hit.id),
        matched: true,
        params: hasKeys(hit.params) ? hit.params : null,
      };
      return { at, byHost };
    }
    const at: Attribution = { scopeKey: api.id, apiId: api.id, endpointId: null, host, pathTemplate: inferTemplate(rel), matched: false, params: inferredParams(rel) };
    return { at, byHost };
  }
}

function hasGatewayIds(event: TrafficEvent): boolean {
  return !!(event.apiId || event.service || event.route);
}

/** Attributions by host (or none), method and path, up to CACHE_LIMIT (then it starts over). */
class AnswerCache {
  private readonly hosts = new Map<string | undefined, Map<string, Map<string, Attribution>>>();
  private size = 0;

  get(event: TrafficEvent): Attribution | undefined {
    return this.hosts.get(event.host)?.get(event.method)?.get(event.path);
  }

  set(event: TrafficEvent, at: Attribution): void {
    if (this.size >= CACHE_LIMIT) {
      this.hosts.clear();
      this.size = 0;
    }
    const host = event.host === undefined ? undefined : ownString(event.host);
    let methods = this.hosts.get(host);
    if (methods === undefined) this.hosts.set(host, (methods = new Map()));
    let paths = methods.get(event.method);
    if (paths === undefined) methods.set(ownString(event.method), (paths = new Map()));
    paths.set(ownString(event.path), at);
    this.size++;
  }
}
