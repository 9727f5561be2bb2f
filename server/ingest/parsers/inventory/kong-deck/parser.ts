/**
 * Kong decK declarative configuration (`_format_version: "3.0"`, also 1.1/2.1), YAML or JSON.
 *
 * One InventoryApi per Kong service, plus one for routes that are attached to no service. Decisions:
 *
 * - **Base URLs are what clients call**: `${scheme}://${routeHost}` for every host of the service's routes. The
 *   service's own `url`/`protocol`/`host`/`port`/`path` is the *upstream* (backend) address behind the gateway, not
 *   an address clients use: it is not a base URL. A route without `hosts` matches any host on the gateway, whose
 *   address the config does not state, so a service whose routes name no host has no base URL (identity falls back
 *   to the service name, which Kong logs also carry). Endpoint paths are the route paths, relative to the host.
 * - **Scheme**: the most secure HTTP-family protocol the route accepts (https > grpcs > wss > http > grpc > ws). Kong
 *   routes accept `http` and `https` by default; plain-HTTP use is reported from traffic, not guessed here.
 * - **Methods**: a route without `methods` matches every method. The contract has no "ANY", so such a route is
 *   emitted as GET, POST, PUT, PATCH and DELETE, each tagged `kong:any-method` (one warning per file says so).
 * - **Paths**: plain paths are kept. Regex paths (`~/users/(?<id>\d+)$`, or regex-looking paths in format < 3.0)
 *   become templates (`/users/{id}`) when every regex part is a whole-segment capture; otherwise the literal is
 *   kept with a warning. A route with hosts but no paths is the root `/`. Kong paths are prefix matches.
 * - **Auth**: per plugin name, the most specific enabled instance applies (route+service > route > service >
 *   global); consumer-scoped plugins are ignored. Each effective auth plugin becomes one scheme. key-auth (and
 *   key-auth-enc, vault-auth) read the key from the query string unless `key_in_query: false` (Kong's default is
 *   true), so they are recorded `in: "query"` (weak auth) unless disabled, then `in: "header"`. No auth plugin at
 *   route, service or global level → `undeclared`. `config.anonymous` makes auth optional: recorded, with a warning.
 * - **Rate limits**: `rate-limiting` / `rate-limiting-advanced` (any scope except consumer-only) mark the affected
 *   endpoints; on the service or globally they also mark the Api.
 * - **Owner**: a service tag `owner:team` / `owner=team` (else the first route's owner tag).
 */
import { parseDocument } from "yaml";
import {
  ParseError,
  type AuthScheme,
  type EndpointSecurity,
  type HttpMethod,
  type InventoryApi,
  type InventoryEndpoint,
  type ParseContext,
  type Parser,
  type SourceFile,
} from "../../../contract";
import { assertYamlDepth } from "../yaml-depth";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : typeof v === "number" ? String(v) : undefined;
const strList = (v: unknown): string[] =>
  Array.isArray(v) ? v.map(str).filter((s): s is string => s !== undefined) : [];
const objList = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

const HTTP_METHODS: readonly HttpMethod[] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];
/** What a route without `methods` is emitted as. */
export const ANY_METHODS: readonly HttpMethod[] = ["GET", "POST", "PUT", "PATCH", "DELETE"];
export const ANY_METHOD_TAG = "kong:any-method";
const HTTP_PROTOCOLS = ["https", "grpcs", "wss", "http", "grpc", "ws"] as const;
const MAX_ROUTES = 100_000;

// ---------------------------------------------------------------------------------------------------------------
// Loading

/** Parses YAML (or JSON) into a plain value: syntax errors and alias bombs become ParseError with a line. */
export function loadYaml(text: string, what: string): unknown {
  assertYamlDepth(text, what);
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  } catch (err) {
    throw new ParseError(`${what}: invalid YAML/JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    throw new ParseError(`${what}: invalid YAML/JSON: ${error.message.split("\n")[0] ?? error.code}`, line);
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new ParseError(`${what}: ${message}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Model

interface KPlugin {
  name: string;
  config: Obj;
  /** Where the plugin applies; all undefined = global. */
  service?: string;
  route?: string;
  consumer?: string;
  origin: string;
}

interface KRoute {
  key: string;
  name?: string;
  id?: string;
  paths: string[];
  methods: string[];
  protocols: string[];
  hosts: string[];
  tags: string[];
}

interface KService {
  key: string;
  name?: string;
  id?: string;
  label: string;
  tags: string[];
  routes: KRoute[];
  enabled: boolean;
}

/** A reference to a service/route/consumer: a name or id string, or `{ name }` / `{ id }`. */
function ref(v: unknown): string | undefined {
  if (isObj(v)) return str(v.name) ?? str(v.id) ?? str(v.username);
  return str(v);
}

function readRoute(raw: Obj, index: string): KRoute {
  const name = str(raw.name);
  const id = str(raw.id);
  const protocols = strList(raw.protocols).map((p) => p.toLowerCase());
  return {
    key: name ?? id ?? `route#${index}`,
    ...(name === undefined ? {} : { name }),
    ...(id === undefined ? {} : { id }),
    paths: strList(raw.paths),
    methods: strList(raw.methods).map((m) => m.toUpperCase()),
    protocols: protocols.length > 0 ? protocols : ["http", "https"],
    hosts: strList(raw.hosts),
    tags: strList(raw.tags),
  };
}

function readPlugin(raw: Obj, origin: string, scope: { service?: string; route?: string; consumer?: string }): KPlugin | undefined {
  const name = str(raw.name);
  if (name === undefined || raw.enabled === false) return undefined;
  const service = scope.service ?? ref(raw.service);
  const route = scope.route ?? ref(raw.route);
  const consumer = scope.consumer ?? ref(raw.consumer) ?? ref(raw.consumer_group);
  return {
    name: name.toLowerCase(),
    config: isObj(raw.config) ? raw.config : {},
    ...(service === undefined ? {} : { service }),
    ...(route === undefined ? {} : { route }),
    ...(consumer === undefined ? {} : { consumer }),
    origin,
  };
}

function ownerFromTags(tags: string[]): string | undefined {
  for (const tag of tags) {
    const m = /^owner\s*[:=]\s*(.+)$/i.exec(tag);
    if (m?.[1]) return m[1].trim();
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Auth and rate limits

function authScheme(plugin: KPlugin): AuthScheme | undefined {
  const c = plugin.config;
  const keyIn = (queryFlag: unknown, headerFlag: unknown): AuthScheme["in"] =>
    queryFlag !== false ? "query" : headerFlag !== false ? "header" : undefined;
  const scheme = (kind: AuthScheme["kind"], where?: AuthScheme["in"]): AuthScheme => ({
    name: plugin.name,
    kind,
    ...(where === undefined ? {} : { in: where }),
  });
  switch (plugin.name) {
    case "key-auth":
    case "key-auth-enc":
      return scheme("apiKey", keyIn(c.key_in_query, c.key_in_header));
    case "vault-auth":
      // Reads access_token / secret_token from a header or the query string.
      return scheme("apiKey", "query");
    case "hmac-auth":
      return scheme("apiKey", "header");
    case "basic-auth":
    case "ldap-auth":
    case "ldap-auth-advanced":
      return scheme("basic");
    case "oauth2":
    case "oauth2-introspection":
      return scheme("oauth2");
    case "jwt":
      return scheme("bearer");
    case "openid-connect":
      return scheme("openIdConnect");
    case "mtls-auth":
    case "header-cert-auth":
      return scheme("mutualTLS");
    default:
      return undefined;
  }
}

const RATE_LIMIT_PLUGINS = new Set(["rate-limiting", "rate-limiting-advanced"]);

interface Effective {
  security: EndpointSecurity;
  rateLimited: boolean;
}

class PluginIndex {
  private readonly plugins: KPlugin[];
  private readonly warnedAnonymous = new Set<KPlugin>();
  constructor(
    plugins: KPlugin[],
    private readonly ctx: ParseContext,
  ) {
    // Consumer-scoped plugins apply to one consumer only: they say nothing about the route's posture.
    this.plugins = plugins.filter((p) => p.consumer === undefined);
  }

  private matches(p: KPlugin, ids: string[] | undefined, value: string | undefined): boolean {
    return value !== undefined && ids !== undefined && ids.includes(value);
  }

  /** The most specific instance of each plugin name for a route (or, with no route, for the service as a whole). */
  effective(serviceIds: string[] | undefined, routeIds: string[] | undefined): Map<string, KPlugin> {
    const rank = (p: KPlugin): number => {
      const onRoute = p.route !== undefined;
      const onService = p.service !== undefined;
      if (onRoute && !this.matches(p, routeIds, p.route)) return -1;
      if (onService && !this.matches(p, serviceIds, p.service)) return -1;
      if (onRoute && onService) return 3;
      if (onRoute) return 2;
      if (onService) return 1;
      return 0;
    };
    const best = new Map<string, { plugin: KPlugin; rank: number }>();
    for (const plugin of this.plugins) {
      const r = rank(plugin);
      if (r < 0) continue;
      const current = best.get(plugin.name);
      if (!current || r > current.rank) best.set(plugin.name, { plugin, rank: r });
    }
    return new Map([...best].map(([name, { plugin }]) => [name, plugin]));
  }

  evaluate(serviceIds: string[] | undefined, routeIds: string[] | undefined, where: string): Effective {
    const schemes: AuthScheme[] = [];
    let rateLimited = false;
    for (const plugin of this.effective(serviceIds, routeIds).values()) {
      if (RATE_LIMIT_PLUGINS.has(plugin.name)) rateLimited = true;
      const scheme = authScheme(plugin);
      if (!scheme) continue;
      schemes.push(scheme);
      if (str(plugin.config.anonymous) !== undefined && !this.warnedAnonymous.has(plugin)) {
        this.warnedAnonymous.add(plugin);
        this.ctx.warn(
          `${plugin.name} (${plugin.origin}) sets config.anonymous: requests without credentials pass as an anonymous consumer on ${where}; recorded as auth required`,
        );
      }
    }
    return {
      security: schemes.length > 0 ? { mode: "required", schemes } : { mode: "undeclared" },
      rateLimited,
    };
  }

  /** Rate limit that covers the whole service (service-level or global instance). */
  serviceRateLimited(serviceIds: string[] | undefined): boolean {
    for (const plugin of this.effective(serviceIds, undefined).values()) {
      if (RATE_LIMIT_PLUGINS.has(plugin.name) && plugin.route === undefined) return true;
    }
    return false;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Paths

const REGEX_META = /[\\^$*+?()[\]{}|]/;

/**
 * Turns a Kong regex path into a template when every regex construct is a whole-segment capture or character
 * class (`(?<id>\d+)`, `([^/]+)`, `[0-9]+`, `\d+`). Returns undefined when the regex cannot be expressed so.
 */
export function regexToTemplate(regex: string): { path: string; params: string[] } | undefined {
  let s = regex.startsWith("~") ? regex.slice(1) : regex;
  if (s.startsWith("^")) s = s.slice(1);
  if (s.endsWith("$") && !s.endsWith("\\$")) s = s.slice(0, -1);
  if (s.endsWith("/?")) s = s.slice(0, -2);
  let out = "";
  const params: string[] = [];
  const nextName = () => `param${params.length + 1}`;
  const quantifier = (at: number): number => {
    const c = s[at];
    if (c === "+" || c === "*") return 1;
    if (c === "{") {
      const close = s.indexOf("}", at);
      return close > at && /^\{\d+(,\d*)?\}$/.test(s.slice(at, close + 1)) ? close + 1 - at : -1;
    }
    return 0;
  };
  // A param must fill a whole segment: preceded by "/" and followed by "/" or the end.
  const wholeSegment = (end: number) => out.endsWith("/") && (end >= s.length || s[end] === "/");
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === "\\") {
      const next = s[i + 1];
      if (next === undefined) return undefined;
      if (next === "d" || next === "w") {
        const q = quantifier(i + 2);
        if (q <= 0 || !wholeSegment(i + 2 + q)) return undefined;
        const name = nextName();
        params.push(name);
        out += `{${name}}`;
        i += 2 + q;
        continue;
      }
      if (/[A-Za-z0-9]/.test(next)) return undefined;
      out += next;
      i += 2;
      continue;
    }
    if (c === "(") {
      let depth = 0;
      let j = i;
      for (; j < s.length; j++) {
        const ch = s[j];
        if (ch === "\\") j++;
        else if (ch === "(") depth++;
        else if (ch === ")" && --depth === 0) break;
      }
      if (j >= s.length) return undefined;
      let inner = s.slice(i + 1, j);
      let name: string | undefined;
      const named = /^\?(?:P?<)([A-Za-z_][A-Za-z0-9_]*)>/.exec(inner);
      if (named?.[1]) {
        name = named[1];
        inner = inner.slice(named[0].length);
      } else if (inner.startsWith("?")) return undefined;
      // The group must not span segments and must not be optional/repeated.
      if (/(^|[^\\])\//.test(inner) && !/\[\^\/\]/.test(inner)) return undefined;
      if (inner.includes("|") && /\//.test(inner)) return undefined;
      const after = s[j + 1];
      if (after === "?" || after === "*" || after === "+" || after === "{") return undefined;
      if (!wholeSegment(j + 1)) return undefined;
      const paramName = name ?? nextName();
      params.push(paramName);
      out += `{${paramName}}`;
      i = j + 1;
      continue;
    }
    if (c === "[") {
      const close = s.indexOf("]", i + 2);
      if (close < 0) return undefined;
      const cls = s.slice(i, close + 1);
      if (cls.includes("/") && !cls.startsWith("[^")) return undefined;
      const q = quantifier(close + 1);
      if (q <= 0 || !wholeSegment(close + 1 + q)) return undefined;
      const name = nextName();
      params.push(name);
      out += `{${name}}`;
      i = close + 1 + q;
      continue;
    }
    // An unescaped "." matches a literal dot too: the template is the common reading of sloppy regexes.
    if (REGEX_META.test(c)) return undefined;
    out += c;
    i++;
  }
  if (!out.startsWith("/")) out = `/${out}`;
  return { path: out, params };
}

function isLegacyFormat(version: string): boolean {
  const major = Number.parseInt(version, 10);
  return Number.isFinite(major) && major < 3;
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

async function* parseKong(file: SourceFile, ctx: ParseContext): AsyncIterable<InventoryApi> {
  const root = loadYaml(await file.text(), file.name || "Kong config");
  if (!isObj(root)) throw new ParseError("Not a Kong decK declarative config: the document is not a mapping");
  const formatVersion = str(root._format_version);
  if (formatVersion === undefined) {
    throw new ParseError("Not a Kong decK declarative config: `_format_version` is missing");
  }
  const legacy = isLegacyFormat(formatVersion);

  const services: KService[] = [];
  const serviceByRef = new Map<string, KService>();
  const plugins: KPlugin[] = [];
  let routeCount = 0;
  const countRoute = () => {
    if (++routeCount > MAX_ROUTES) throw new ParseError(`Kong config has more than ${MAX_ROUTES} routes`);
  };

  objList(root.services).forEach((raw, si) => {
    const name = str(raw.name);
    const id = str(raw.id);
    const label = name ?? id ?? str(raw.host) ?? `service #${si + 1}`;
    if (name === undefined) ctx.warn(`Kong service #${si + 1} has no name; named "${label}"`);
    const service: KService = {
      key: name ?? id ?? `service#${si}`,
      ...(name === undefined ? {} : { name }),
      ...(id === undefined ? {} : { id }),
      label,
      tags: strList(raw.tags),
      routes: [],
      enabled: raw.enabled !== false,
    };
    services.push(service);
    for (const r of [name, id]) if (r !== undefined) serviceByRef.set(r, service);
    for (const p of objList(raw.plugins)) {
      const plugin = readPlugin(p, `service ${label}`, { service: service.key });
      if (plugin) plugins.push(plugin);
    }
    objList(raw.routes).forEach((rr, ri) => {
      countRoute();
      const route = readRoute(rr, `${si}.${ri}`);
      service.routes.push(route);
      for (const p of objList(rr.plugins)) {
        const plugin = readPlugin(p, `route ${route.key}`, { route: route.key });
        if (plugin) plugins.push(plugin);
      }
    });
  });

  const orphanRoutes: KRoute[] = [];
  objList(root.routes).forEach((rr, ri) => {
    countRoute();
    const route = readRoute(rr, `top.${ri}`);
    const serviceRef = ref(rr.service);
    const service = serviceRef === undefined ? undefined : serviceByRef.get(serviceRef);
    if (serviceRef !== undefined && !service) {
      ctx.warn(`Kong route ${route.key} references unknown service "${serviceRef}"`);
    }
    (service ? service.routes : orphanRoutes).push(route);
    for (const p of objList(rr.plugins)) {
      const plugin = readPlugin(p, `route ${route.key}`, { route: route.key });
      if (plugin) plugins.push(plugin);
    }
  });

  const seenGlobal = new Set<string>();
  for (const p of objList(root.plugins)) {
    const plugin = readPlugin(p, "global", {});
    if (!plugin) continue;
    // Resolve service references by id to the service key used for nested plugins.
    if (plugin.service !== undefined) plugin.service = serviceByRef.get(plugin.service)?.key ?? plugin.service;
    if (plugin.service === undefined && plugin.route === undefined && plugin.consumer === undefined) {
      if (seenGlobal.has(plugin.name)) {
        ctx.warn(`Kong config declares the global plugin ${plugin.name} more than once; the first one is used`);
        continue;
      }
      seenGlobal.add(plugin.name);
    } else {
      plugin.origin = plugin.route !== undefined ? `route ${plugin.route}` : `service ${plugin.service}`;
    }
    plugins.push(plugin);
  }

  const index = new PluginIndex(plugins, ctx);
  let anyMethodRoutes = 0;
  let hostlessServices = 0;

  const buildApi = (name: string, service: KService | undefined, routes: KRoute[]): InventoryApi => {
    const serviceIds = service ? [service.key, ...(service.name ? [service.name] : []), ...(service.id ? [service.id] : [])] : undefined;
    const baseUrls = new Set<string>();
    const endpoints = new Map<string, InventoryEndpoint>();
    let httpRoutes = 0;

    for (const route of routes) {
      ctx.signal?.throwIfAborted();
      const protocol = HTTP_PROTOCOLS.find((p) => route.protocols.includes(p));
      if (protocol === undefined) continue; // tcp/tls/udp stream route: no HTTP endpoints
      httpRoutes++;
      for (const host of route.hosts) baseUrls.add(`${protocol}://${host.toLowerCase()}`);

      const routeIds = [route.key, ...(route.name ? [route.name] : []), ...(route.id ? [route.id] : [])];
      const { security, rateLimited } = index.evaluate(serviceIds, routeIds, `route ${route.key}`);

      let methods: HttpMethod[];
      const anyMethod = route.methods.length === 0;
      if (anyMethod) {
        methods = [...ANY_METHODS];
        anyMethodRoutes++;
      } else {
        methods = [];
        for (const m of route.methods) {
          if ((HTTP_METHODS as readonly string[]).includes(m)) methods.push(m as HttpMethod);
          else ctx.warn(`Kong route ${route.key}: method ${m} is not an HTTP method Postern tracks; skipped`);
        }
      }

      const tags = route.tags.filter((t) => !/^owner\s*[:=]/i.test(t));
      if (anyMethod) tags.push(ANY_METHOD_TAG);
      const paths = route.paths.length > 0 ? route.paths : ["/"];
      for (const rawPath of paths) {
        let path = rawPath;
        let params: string[] = [];
        const isRegex = rawPath.startsWith("~") || (legacy && REGEX_META.test(rawPath));
        if (isRegex) {
          const template = regexToTemplate(rawPath);
          if (template) {
            path = template.path;
            params = template.params;
          } else {
            path = rawPath.startsWith("~") ? rawPath.slice(1) : rawPath;
            ctx.warn(`Kong route ${route.key}: regex path ${rawPath} cannot be expressed as a path template; kept literally`);
          }
        }
        if (!path.startsWith("/")) path = `/${path}`;
        for (const method of methods) {
          const key = `${method} ${path}`;
          const existing = endpoints.get(key);
          if (existing) {
            existing.rateLimited = (existing.rateLimited ?? false) || rateLimited;
            continue;
          }
          endpoints.set(key, {
            method,
            path,
            ...(route.name === undefined ? {} : { operationId: route.name }),
            hasDescription: false,
            tags: [...tags],
            deprecated: false,
            security,
            parameters: params.map((p) => ({ name: p, in: "path" as const })),
            hasSuccessSchema: false,
            hasExamples: false,
            responseFields: [],
            rateLimited,
          });
        }
      }
    }

    if (httpRoutes > 0 && baseUrls.size === 0) hostlessServices++;
    const owner =
      (service ? ownerFromTags(service.tags) : undefined) ??
      routes.map((r) => ownerFromTags(r.tags)).find((o) => o !== undefined);
    return {
      name,
      baseUrls: [...baseUrls],
      ...(owner === undefined ? {} : { owner }),
      describesEndpoints: httpRoutes > 0,
      endpoints: [...endpoints.values()],
      rateLimited: index.serviceRateLimited(serviceIds),
    };
  };

  const out: InventoryApi[] = [];
  for (const service of services) {
    if (!service.enabled) ctx.warn(`Kong service ${service.label} is disabled (enabled: false)`);
    out.push(buildApi(service.label, service, service.routes));
  }
  if (orphanRoutes.length > 0) {
    ctx.warn(
      `${orphanRoutes.length} Kong route(s) are attached to no service (${orphanRoutes.map((r) => r.key).join(", ")}); grouped as "Kong routes without a service"`,
    );
    out.push(buildApi("Kong routes without a service", undefined, orphanRoutes));
  }
  if (out.length === 0) ctx.warn("Kong config declares no services and no routes: no Api to record");
  if (anyMethodRoutes > 0) {
    ctx.warn(
      `${anyMethodRoutes} Kong route(s) accept any HTTP method; each is listed as ${ANY_METHODS.join("/")} tagged "${ANY_METHOD_TAG}"`,
    );
  }
  if (hostlessServices > 0) {
    ctx.warn(
      `${hostlessServices} Kong service(s) have routes without hosts: they are served on the gateway's own address, which the config does not state, so they have no base URL`,
    );
  }
  yield* out;
}

export const parser: Parser<"inventory"> = {
  id: "kong-deck",
  family: "inventory",
  label: "Kong decK declarative config",
  detect(head, fileName) {
    // `_format_version` as a YAML key at the start of a line, or a JSON key.
    if (/(^|\n)\s*["']?_format_version["']?\s*:/.test(head)) return 0.95;
    if (/\.kong\.ya?ml$|(^|\/)kong\.ya?ml$/i.test(fileName)) return 0.2;
    return 0;
  },
  parse: parseKong,
};
