/**
 * Postman collection v2.0 / v2.1 (JSON), bare or wrapped in the API export envelope `{"collection": {…}}`.
 *
 * Decisions:
 * - Every request (folders walked recursively, at most MAX_FOLDER_DEPTH deep) is one endpoint: the request's method
 *   and a path template from `url.path` (or `url.raw`). `:param` segments and whole-segment `{{var}}` become
 *   `{param}` / `{var}` (a variable inside a segment too: `user-{{id}}` → `user-{id}`). Path variables are never
 *   substituted with their values: a collection's example value (`userId = 42`) is not part of the template.
 * - The host is taken off the path. Host variables (`{{url}}`) are substituted from the collection's `variable[]`
 *   when they have a non-empty value; the value may carry a scheme and a base path (`http://localhost:8888/api`).
 *   With no scheme anywhere the base URL stays scheme-less (`api.example.com`): Postman would send plain HTTP, but a
 *   collection author omitting the scheme says nothing reliable about transport. An unresolved host variable
 *   gives no base URL; requests are still grouped by that host token.
 * - One host → one Api named after `info.name`; several hosts → one Api per host, `${info.name} (${host})`.
 * - Security: `request.auth` (`inherit`/absent → the nearest folder's auth, then the collection's); `noauth` →
 *   public; bearer/jwt/asap → bearer, basic/digest/ntlm → basic, apikey → apiKey (its `in`), oauth2 → oauth2,
 *   signature schemes (oauth1, hawk, awsv4, akamai/edgegrid) → apiKey in a header. An `Authorization` header (by its
 *   `Bearer`/`Basic` prefix) or an `X-API-Key`-style header/query parameter counts even when the helper says
 *   `noauth`. Nothing anywhere → undeclared.
 * - Saved responses (`response[]`): any with a body → hasExamples; a 2xx one → hasSuccessSchema, and the keys of its
 *   JSON body are classified (same path convention as classify.ts: `a.b`, `items[].x`, root array `[].x`).
 * - The same (method, path) saved several times is one endpoint: summaries/parameters/fields merged, and the
 *   strongest security statement kept (required > public > undeclared).
 */
import { classifyField } from "../../../classify";
import {
  ParseError,
  type AuthScheme,
  type EndpointSecurity,
  type HttpMethod,
  type InventoryApi,
  type InventoryEndpoint,
  type ParseContext,
  type Parser,
  type ResponseField,
  type SourceFile,
} from "../../../contract";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v : undefined);
const objList = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);

export const MAX_FOLDER_DEPTH = 32;
const MAX_BODY_DEPTH = 20;
const MAX_FIELDS = 500;
const MAX_EXAMPLE_BODY = 1 << 20;
const HTTP_METHODS: readonly HttpMethod[] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];
const VAR = /\{\{\s*([^{}]+?)\s*\}\}/g;
const HAS_VAR = /\{\{\s*[^{}]+?\s*\}\}/;

// ---------------------------------------------------------------------------------------------------------------
// JSON

function lineAt(text: string, position: number): number {
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/**
 * Where JSON.parse failed. V8 gives "at position N" for some errors; for an unexpected token it gives a snippet of
 * the source instead: 10 characters either side of the error, prefixed with "..." when cut.
 */
function jsonErrorPosition(text: string, message: string): number | undefined {
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) return Number(position);
  const m = /^Unexpected token '([\s\S])', (\.\.\.)?"([\s\S]*?)"(?:\.\.\.)? is not valid JSON$/.exec(message);
  if (!m?.[1] || m[3] === undefined) return undefined;
  const at = text.indexOf(m[3]);
  if (at < 0) return undefined;
  return at + (m[2] ? 10 : Math.max(0, m[3].indexOf(m[1])));
}

function parseJson(text: string): unknown {
  if (text.trim() === "") throw new ParseError("Not a Postman collection: the file is empty");
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/unexpected end|unterminated/i.test(message)) {
      throw new ParseError("Invalid JSON: the document ends unexpectedly (truncated file?)", lineAt(text, text.length));
    }
    const position = jsonErrorPosition(text, message);
    const line = position === undefined ? undefined : lineAt(text, position);
    throw new ParseError(`Invalid JSON: ${message.split("\n")[0] ?? message}`, line);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Variables and URLs

class Variables {
  private readonly values = new Map<string, string>();
  constructor(list: unknown) {
    for (const v of objList(list)) {
      const key = str(v.key) ?? str(v.id);
      if (key === undefined || v.disabled === true) continue;
      const value = typeof v.value === "number" || typeof v.value === "boolean" ? String(v.value) : str(v.value);
      if (value !== undefined && value.trim() !== "") this.values.set(key.trim(), value.trim());
    }
  }
  /** Substitutes defined variables (nested up to 5 levels); undefined ones stay as `{{name}}`. */
  resolve(text: string): string {
    let out = text;
    for (let i = 0; i < 5 && HAS_VAR.test(out); i++) {
      const next = out.replace(VAR, (m, name: string) => this.values.get(name) ?? m);
      if (next === out) break;
      out = next;
    }
    return out;
  }
}

interface ParsedUrl {
  /** Grouping key: the resolved base URL, or the unresolved host text. */
  hostKey: string;
  /** Display host (for Api names when hosts differ). */
  hostLabel: string;
  baseUrl?: string;
  path: string;
  pathParams: string[];
  query: string[];
}

function segmentTemplate(segment: string, params: string[]): string {
  if (/^:[A-Za-z0-9_.-]+$/.test(segment)) {
    const name = segment.slice(1);
    params.push(name);
    return `{${name}}`;
  }
  return segment.replace(VAR, (_m, name: string) => {
    params.push(name);
    return `{${name}}`;
  });
}

function segmentText(segment: unknown): string | undefined {
  if (typeof segment === "string") return segment;
  if (isObj(segment)) return typeof segment.value === "string" ? segment.value : undefined;
  return undefined;
}

/** Splits a raw URL into host part, path segments and query names. */
function splitRaw(raw: string): { protocol?: string; host: string; segments: string[]; query: string[] } {
  let rest = raw.trim();
  const hash = rest.indexOf("#");
  if (hash >= 0) rest = rest.slice(0, hash);
  let query: string[] = [];
  const q = rest.indexOf("?");
  if (q >= 0) {
    query = rest
      .slice(q + 1)
      .split("&")
      .map((pair) => pair.split("=")[0] ?? "")
      .filter((name) => name !== "");
    rest = rest.slice(0, q);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(rest);
  const protocol = scheme?.[1]?.toLowerCase();
  if (scheme) rest = rest.slice(scheme[0].length);
  const slash = rest.indexOf("/");
  const host = slash < 0 ? rest : rest.slice(0, slash);
  const segments = slash < 0 ? [] : rest.slice(slash + 1).split("/");
  return { ...(protocol === undefined ? {} : { protocol }), host, segments, query };
}

function parseUrl(url: unknown, vars: Variables): ParsedUrl | undefined {
  let protocol: string | undefined;
  let host: string | undefined;
  let port: string | undefined;
  let segments: string[] = [];
  let query: string[] = [];
  if (typeof url === "string") {
    const split = splitRaw(url);
    protocol = split.protocol;
    host = split.host;
    segments = split.segments;
    query = split.query;
  } else if (isObj(url)) {
    const raw = str(url.raw);
    const fromRaw = raw === undefined ? undefined : splitRaw(raw);
    protocol = str(url.protocol)?.replace(/:\/*$/, "").toLowerCase() ?? fromRaw?.protocol;
    host = Array.isArray(url.host)
      ? url.host.map(segmentText).filter((s): s is string => s !== undefined).join(".")
      : (str(url.host) ?? fromRaw?.host);
    port = typeof url.port === "number" ? String(url.port) : str(url.port);
    if (Array.isArray(url.path)) segments = url.path.map(segmentText).filter((s): s is string => s !== undefined);
    else if (typeof url.path === "string") segments = url.path.split("/");
    else segments = fromRaw?.segments ?? [];
    if (Array.isArray(url.query)) {
      query = objList(url.query)
        .filter((p) => p.disabled !== true)
        .map((p) => str(p.key))
        .filter((k): k is string => k !== undefined);
    } else query = fromRaw?.query ?? [];
  } else return undefined;

  // The host, resolved: a variable may hold "https://api.example.com/v1".
  let basePath = "";
  let hostText = (host ?? "").trim();
  const resolvedHost = vars.resolve(hostText);
  const resolved = !HAS_VAR.test(resolvedHost);
  if (resolved) {
    const inner = splitRaw(resolvedHost);
    if (inner.protocol) protocol = inner.protocol;
    hostText = inner.host;
    const innerSegments = inner.segments.filter((s) => s !== "");
    if (innerSegments.length > 0) basePath = `/${innerSegments.join("/")}`;
  }

  const pathParams: string[] = [];
  const templated = segments
    .filter((s) => s !== "")
    .map((s) => segmentTemplate(s, pathParams));
  const path = `/${templated.join("/")}`;

  if (!resolved || hostText === "") {
    const label = (host ?? "").trim() || "(no host)";
    return { hostKey: label, hostLabel: label, path, pathParams, query };
  }
  const hostWithPort = `${hostText.toLowerCase()}${port && !hostText.includes(":") ? `:${port}` : ""}`;
  const baseUrl = `${protocol ? `${protocol}://` : ""}${hostWithPort}${basePath}`;
  return { hostKey: baseUrl, hostLabel: hostWithPort, baseUrl, path, pathParams, query };
}


// ---------------------------------------------------------------------------------------------------------------
// Auth

type AuthStatement = { kind: "scheme"; scheme: AuthScheme } | { kind: "public" };

function apiKeyIn(auth: Obj): "header" | "query" {
  const params = auth.apikey;
  let where: string | undefined;
  if (Array.isArray(params)) {
    where = str(objList(params).find((p) => p.key === "in")?.value);
  } else if (isObj(params)) {
    where = str(params.in);
  }
  return where?.toLowerCase() === "query" ? "query" : "header";
}

/** A request/folder/collection `auth` object; undefined when absent or `inherit`. */
function readAuth(auth: unknown, ctx: ParseContext, where: string): AuthStatement | undefined {
  if (!isObj(auth)) return undefined;
  const type = str(auth.type)?.toLowerCase();
  const scheme = (kind: AuthScheme["kind"], location?: AuthScheme["in"]): AuthStatement => ({
    kind: "scheme",
    scheme: { name: type ?? kind, kind, ...(location === undefined ? {} : { in: location }) },
  });
  switch (type) {
    case undefined:
    case "inherit":
      return undefined;
    case "noauth":
      return { kind: "public" };
    case "bearer":
    case "jwt":
    case "asap":
      return scheme("bearer");
    case "basic":
    case "digest":
    case "ntlm":
      return scheme("basic");
    case "apikey":
      return scheme("apiKey", apiKeyIn(auth));
    case "oauth2":
      return scheme("oauth2");
    case "oauth1":
    case "hawk":
    case "awsv4":
    case "akamai":
    case "edgegrid":
      return scheme("apiKey", "header");
    default:
      ctx.warn(`Postman auth type "${type}" on ${where} is not known; treated as inherited`);
      return undefined;
  }
}

const KEY_HEADERS = /^(x-)?(api[-_]?key|auth[-_]?token|access[-_]?token)$/i;
const KEY_QUERY = /^(api[-_]?key|x-api-key|access[-_]?token|auth[-_]?token)$/i;

function headerList(headers: unknown): { key: string; value: string }[] {
  if (typeof headers === "string") {
    return headers
      .split(/\r?\n/)
      .map((line) => {
        const colon = line.indexOf(":");
        return colon < 0 ? undefined : { key: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() };
      })
      .filter((h): h is { key: string; value: string } => h !== undefined && h.key !== "");
  }
  return objList(headers)
    .filter((h) => h.disabled !== true)
    .map((h) => ({ key: str(h.key)?.trim() ?? "", value: typeof h.value === "string" ? h.value.trim() : "" }))
    .filter((h) => h.key !== "");
}

/** Credentials the request sends by hand (headers, query parameters). */
function manualSchemes(headers: { key: string; value: string }[], query: string[]): AuthScheme[] {
  const schemes: AuthScheme[] = [];
  for (const { key, value } of headers) {
    if (/^authorization$/i.test(key)) {
      if (value === "") continue;
      if (/^(basic|digest)\b/i.test(value)) schemes.push({ name: "Authorization", kind: "basic" });
      else schemes.push({ name: "Authorization", kind: "bearer" });
    } else if (KEY_HEADERS.test(key)) {
      schemes.push({ name: key, kind: "apiKey", in: "header" });
    }
  }
  for (const name of query) if (KEY_QUERY.test(name)) schemes.push({ name, kind: "apiKey", in: "query" });
  return schemes;
}

/** Two statements of the same kind of credential in the same place are one (the helper's bearer and a hand-set `Authorization: Bearer`). */
function sameScheme(a: AuthScheme, b: AuthScheme): boolean {
  return a.kind === b.kind && a.in === b.in;
}

function mergeSchemes(into: AuthScheme[], more: AuthScheme[]): AuthScheme[] {
  const out = [...into];
  for (const s of more) if (!out.some((o) => sameScheme(o, s))) out.push(s);
  return out;
}

const STRENGTH = { undeclared: 0, public: 1, required: 2 } as const;

function strongest(a: EndpointSecurity, b: EndpointSecurity): EndpointSecurity {
  if (a.mode === "required" && b.mode === "required") return { mode: "required", schemes: mergeSchemes(a.schemes, b.schemes) };
  return STRENGTH[b.mode] > STRENGTH[a.mode] ? b : a;
}

// ---------------------------------------------------------------------------------------------------------------
// Saved responses

/** Classified keys of a JSON example body, following classify.ts's path convention. */
function classifyExample(body: unknown): ResponseField[] {
  const fields = new Map<string, ResponseField>();
  const walk = (value: unknown, path: string, parent: string | undefined, depth: number): void => {
    if (depth > MAX_BODY_DEPTH || fields.size >= MAX_FIELDS) return;
    if (Array.isArray(value)) {
      for (const item of value.slice(0, 50)) walk(item, `${path}[]`, parent, depth + 1);
      return;
    }
    if (!isObj(value)) return;
    for (const [key, child] of Object.entries(value)) {
      const childPath = path === "" ? key : `${path}.${key}`;
      const dataClass = classifyField(key, parent);
      if (dataClass && !fields.has(childPath)) fields.set(childPath, { path: childPath, dataClass });
      walk(child, childPath, key, depth + 1);
    }
  };
  walk(body, "", undefined, 0);
  return [...fields.values()];
}

function parseExampleBody(body: string): unknown {
  const text = body.trim();
  if (text.length > MAX_EXAMPLE_BODY || !(text.startsWith("{") || text.startsWith("["))) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function bodyFields(body: unknown): string[] {
  if (!isObj(body)) return [];
  const mode = str(body.mode);
  if (mode === "urlencoded" || mode === "formdata") {
    return objList(body[mode])
      .filter((p) => p.disabled !== true)
      .map((p) => str(p.key))
      .filter((k): k is string => k !== undefined);
  }
  if (mode === "raw" && typeof body.raw === "string" && body.raw.length <= MAX_EXAMPLE_BODY) {
    // Unquoted variables ({"id": {{id}}}) would break JSON: give them a placeholder value.
    const parsed = parseExampleBody(body.raw.replace(VAR, "0"));
    if (isObj(parsed)) return Object.keys(parsed);
  }
  return [];
}

function text(v: unknown): string | undefined {
  if (isObj(v)) return str(v.content);
  return str(v);
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

interface Group {
  hostLabel: string;
  baseUrl?: string;
  endpoints: Map<string, InventoryEndpoint>;
}

function versionOf(info: Obj): string | undefined {
  const v = info.version;
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (isObj(v) && v.major !== undefined) return [v.major, v.minor ?? 0, v.patch ?? 0].map(String).join(".");
  return undefined;
}

function mergeEndpoint(a: InventoryEndpoint, b: InventoryEndpoint): void {
  a.summary ??= b.summary;
  a.hasDescription ||= b.hasDescription;
  for (const tag of b.tags) if (!a.tags.includes(tag)) a.tags.push(tag);
  a.security = strongest(a.security, b.security);
  for (const p of b.parameters) if (!a.parameters.some((q) => q.name === p.name && q.in === p.in)) a.parameters.push(p);
  a.hasSuccessSchema ||= b.hasSuccessSchema;
  a.hasExamples ||= b.hasExamples;
  for (const f of b.responseFields) if (!a.responseFields.some((g) => g.path === f.path)) a.responseFields.push(f);
}

async function* parsePostman(file: SourceFile, ctx: ParseContext): AsyncIterable<InventoryApi> {
  const root = parseJson(await file.text());
  if (!isObj(root)) throw new ParseError("Not a Postman collection: the document is not a JSON object");
  const collection = isObj(root.collection) && isObj(root.collection.info) ? root.collection : root;
  const info = collection.info;
  if (Array.isArray(root.requests) && root.order !== undefined) {
    throw new ParseError("Postman collection v1 is not supported: export the collection as v2.1");
  }
  if (!isObj(info) || !Array.isArray(collection.item)) {
    throw new ParseError("Not a Postman collection v2.x: `info` and `item[]` are missing");
  }
  const schema = str(info.schema);
  if (schema !== undefined && !/\/collection\/v2\./.test(schema)) {
    throw new ParseError(`Unsupported Postman collection schema ${schema}: export the collection as v2.1`);
  }
  const name = str(info.name)?.trim() ?? (file.name || "Postman collection");
  const vars = new Variables(collection.variable);
  const collectionAuth = readAuth(collection.auth, ctx, "the collection");

  const groups = new Map<string, Group>();
  const unresolved = new Set<string>();
  let skipped = 0;

  const visit = (items: unknown[], folders: string[], inherited: AuthStatement | undefined, depth: number): void => {
    if (depth > MAX_FOLDER_DEPTH) {
      throw new ParseError(`Postman folders are nested more than ${MAX_FOLDER_DEPTH} levels deep`);
    }
    for (const item of items) {
      if (!isObj(item)) continue;
      const itemName = str(item.name)?.trim();
      if (Array.isArray(item.item)) {
        const folderAuth = readAuth(item.auth, ctx, `folder ${itemName ?? "?"}`) ?? inherited;
        visit(item.item, itemName === undefined ? folders : [...folders, itemName], folderAuth, depth + 1);
        continue;
      }
      const request = item.request;
      if (request === undefined) continue;
      const req: Obj = typeof request === "string" ? { url: request } : isObj(request) ? request : {};
      const where = `request "${itemName ?? "?"}"`;
      const url = parseUrl(req.url, vars);
      if (!url) {
        ctx.warn(`Postman ${where} has no URL; skipped`);
        skipped++;
        continue;
      }
      const methodText = (str(req.method) ?? "GET").trim().toUpperCase();
      if (!(HTTP_METHODS as readonly string[]).includes(methodText)) {
        ctx.warn(`Postman ${where}: method ${methodText} is not an HTTP method Postern tracks; skipped`);
        skipped++;
        continue;
      }
      const method = methodText as HttpMethod;
      if (!url.baseUrl) unresolved.add(url.hostKey);

      // Security.
      const headers = headerList(req.header);
      const manual = manualSchemes(headers, url.query);
      const own = readAuth(req.auth, ctx, where);
      const effective = own ?? inherited;
      let security: EndpointSecurity;
      if (effective?.kind === "scheme") security = { mode: "required", schemes: mergeSchemes([effective.scheme], manual) };
      else if (manual.length > 0) security = { mode: "required", schemes: manual };
      else if (effective?.kind === "public") security = { mode: "public" };
      else security = { mode: "undeclared" };

      // Saved responses.
      let hasExamples = false;
      let hasSuccessSchema = false;
      let responseFields: ResponseField[] = [];
      for (const response of objList(item.response)) {
        const body = typeof response.body === "string" ? response.body : "";
        if (body.trim() !== "") hasExamples = true;
        const code = typeof response.code === "number" ? response.code : Number(response.code);
        if (!(code >= 200 && code < 300)) continue;
        hasSuccessSchema = true;
        const parsed = parseExampleBody(body);
        if (parsed !== undefined) {
          for (const f of classifyExample(parsed)) {
            if (!responseFields.some((g) => g.path === f.path)) responseFields = [...responseFields, f];
          }
        }
      }

      const parameters: InventoryEndpoint["parameters"] = [];
      const addParam = (pname: string, pin: InventoryEndpoint["parameters"][number]["in"]) => {
        if (!parameters.some((p) => p.name === pname && p.in === pin)) parameters.push({ name: pname, in: pin });
      };
      for (const p of url.pathParams) addParam(p, "path");
      for (const q of url.query) addParam(q, "query");
      for (const b of bodyFields(req.body)) addParam(b, "body");

      const description = text(req.description) ?? text(item.description);
      const endpoint: InventoryEndpoint = {
        method,
        path: url.path,
        ...(itemName === undefined ? {} : { summary: itemName }),
        hasDescription: description !== undefined,
        tags: [...folders],
        deprecated: false,
        security,
        parameters,
        hasSuccessSchema,
        hasExamples,
        responseFields,
      };

      let group = groups.get(url.hostKey);
      if (!group) {
        group = { hostLabel: url.hostLabel, ...(url.baseUrl === undefined ? {} : { baseUrl: url.baseUrl }), endpoints: new Map() };
        groups.set(url.hostKey, group);
      }
      const key = `${method} ${url.path}`;
      const existing = group.endpoints.get(key);
      if (existing) mergeEndpoint(existing, endpoint);
      else group.endpoints.set(key, endpoint);
    }
  };
  visit(collection.item, [], collectionAuth, 0);

  if (unresolved.size > 0) {
    ctx.warn(
      `Postman host variable(s) ${[...unresolved].join(", ")} have no value in the collection: their requests have no base URL (grouped by that host)`,
    );
  }
  if (skipped > 0) ctx.warn(`${skipped} Postman request(s) skipped`);

  const description = text(info.description);
  const version = versionOf(info);
  const common = {
    ...(version === undefined ? {} : { version }),
    ...(description === undefined ? {} : { description }),
    describesEndpoints: true,
  };
  if (groups.size === 0) {
    ctx.warn("Postman collection contains no requests");
    yield { name, baseUrls: [], ...common, endpoints: [] };
    return;
  }
  for (const group of groups.values()) {
    yield {
      name: groups.size === 1 ? name : `${name} (${group.hostLabel})`,
      baseUrls: group.baseUrl === undefined ? [] : [group.baseUrl],
      ...common,
      endpoints: [...group.endpoints.values()],
    };
  }
}

const POSTMAN_SCHEMA = /"schema"\s*:\s*"https?:\/\/schema\.(?:getpostman|postman)\.com\/json\/collection\/v\d/;

export const parser: Parser<"inventory"> = {
  id: "postman",
  family: "inventory",
  label: "Postman collection v2.x",
  detect(head) {
    if (!head.trimStart().startsWith("{")) return 0;
    if (POSTMAN_SCHEMA.test(head)) return 0.95;
    if (/"_postman_id"\s*:/.test(head)) return 0.9;
    return 0;
  },
  parse: parsePostman,
};
