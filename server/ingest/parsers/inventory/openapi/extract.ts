/**
 * Shared reading of OpenAPI 3.0/3.1 and Swagger 2.0 documents into an InventoryApi (used by the "openapi" and
 * "swagger2" parsers).
 *
 * Pipeline: text (bounded by MAX_DOCUMENT_BYTES) → JSON.parse or yaml (alias bombs refused) → version check →
 * @apidevtools/swagger-parser `dereference` with every resolver off (no file, no network; external `$ref`s are
 * left in place and reported with one warning; circular `$ref`s are kept as `$ref` nodes) → extraction.
 * When swagger-parser rejects a document that is parseable but odd (a numeric `info.version`, an OpenAPI version it
 * does not list, a `$ref` to a missing pointer), we warn and fall back to resolving local `$ref`s lazily ourselves.
 * Either way every read of a node goes through `deref`, so left-over `$ref`s (circular, or fallback mode) are
 * followed, and the schema walker in classify.ts cuts cycles.
 * Before dereferencing, the document as written is linted with Spectral (server/ingest/spec-lint.ts: `spectral:oas`
 * and OWASP rulesets, no $ref fetching, bounded by size and time) and the summary is attached as `specLint`.
 *
 * Semantics (DESIGN.md §2, §3 "Public vs undeclared"):
 * - operation `security: []` → public; no operation `security` → the global `security`, else undeclared; a global
 *   `security: []` is an explicit statement too (public).
 * - an empty requirement object `{}` among the alternatives means "authentication optional": an anonymous caller is
 *   served, so the endpoint is public (whatever else the list offers). `[{}]` alone is public as well.
 * - a requirement naming a scheme that is not defined is reported by warning and skipped; if no scheme resolves,
 *   the endpoint is still "required" (with no schemes), since the author did ask for authentication.
 * - owner comes only from `x-owner` (root or info), never from `info.contact`.
 */
// Loaded when a spec is parsed (below): with Spectral, ~50 MB of modules that a gateway-log ingest never needs.
import type SwaggerParser from "@apidevtools/swagger-parser";
import { parseDocument } from "yaml";
import { classifySchema, isObject, MAX_SHAPE_PATHS, schemaHasExamples } from "../../../classify";
import {
  ParseError,
  type AuthScheme,
  type EndpointSecurity,
  type Exposure,
  type HttpMethod,
  type InventoryApi,
  type InventoryEndpoint,
  type InventoryParameter,
  type Lifecycle,
  type ParseContext,
  type ResponseField,
  type SourceFile,
} from "../../../contract";
import { assertYamlDepth } from "../yaml-depth";

type JsonObject = Record<string, unknown>;
export type SpecKind = "openapi3" | "swagger2";

const METHODS: readonly HttpMethod[] = ["GET", "PUT", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH", "TRACE"];
/** YAML aliases allowed when converting to JS (yaml's default, stated so it cannot drift). */
const MAX_YAML_ALIASES = 100;
const MAX_REF_HOPS = 32;
/**
 * YAML specs larger than this are refused (JSON specs may use the whole MAX_DOCUMENT_BYTES). The yaml package builds
 * a full syntax tree: about 1 s and 50-70 MB of memory per MB of YAML on our machines, so 16 MB stays within ~15 s
 * and ~1 GB, while a 50 MB YAML spec would take ~45 s and ~2.6 GB. Convert such a spec to JSON.
 */
export const MAX_YAML_BYTES = 16 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------------------
// Detection

const OPENAPI_JSON = /"openapi"\s*:\s*"3\.\d/;
const OPENAPI_YAML = /^["']?openapi["']?\s*:\s*["']?3\.\d/m;
const SWAGGER_JSON = /"swagger"\s*:\s*"2\.0"/;
const SWAGGER_YAML = /^["']?swagger["']?\s*:\s*["']?2\.0\b/m;

/** Which spec family the first 64 KiB announce. Only top-level (column 0) YAML keys count. */
export function detectSpecKind(head: string): SpecKind | undefined {
  const text = head.trimStart();
  if (text.startsWith("{")) {
    if (OPENAPI_JSON.test(text)) return "openapi3";
    if (SWAGGER_JSON.test(text)) return "swagger2";
    return undefined;
  }
  if (text.startsWith("[")) return undefined;
  if (OPENAPI_YAML.test(text)) return "openapi3";
  if (SWAGGER_YAML.test(text)) return "swagger2";
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Text → JS

function lineAt(text: string, position: number): number {
  let line = 1;
  const end = Math.min(position, text.length);
  for (let i = text.indexOf("\n"); i !== -1 && i < end; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** Parses JSON (when the text starts with `{` or `[`) or YAML; syntax errors become ParseError with a line number. */
export function parseSpecText(text: string): unknown {
  const trimmed = text.trimStart();
  if (trimmed.length === 0) throw new ParseError("the document is empty");
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const position = /position (\d+)/.exec(message)?.[1];
      if (/unexpected end|unterminated/i.test(message) || (position !== undefined && Number(position) >= text.trimEnd().length)) {
        throw new ParseError("invalid JSON: the document ends unexpectedly (truncated file?)", lineAt(text, text.length));
      }
      const line = position === undefined ? undefined : lineAt(text, Number(position));
      throw new ParseError(`invalid JSON: ${message}${line === undefined ? "" : ` (line ${line})`}`, line);
    }
  }
  const bytes = Buffer.byteLength(text, "utf8");
  if (bytes > MAX_YAML_BYTES) {
    throw new ParseError(
      `YAML spec of ${Math.round(bytes / 1e6)} MB is larger than the ${MAX_YAML_BYTES / 1024 / 1024} MiB YAML limit; convert it to JSON (JSON specs may be up to 64 MiB)`,
    );
  }
  assertYamlDepth(text, "YAML spec");
  const doc = parseDocument(text, { prettyErrors: true, merge: true, uniqueKeys: false });
  const error = doc.errors[0];
  if (error) {
    const line = error.linePos?.[0]?.line;
    const first = error.message.split("\n")[0] ?? error.message;
    throw new ParseError(`invalid YAML: ${first}`, line);
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (cause) {
    if (cause instanceof ReferenceError && /alias/i.test(cause.message)) {
      throw new ParseError(`refused YAML: too many alias expansions (more than ${MAX_YAML_ALIASES}; an alias bomb?)`);
    }
    throw new ParseError(`invalid YAML: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

function kindOf(doc: unknown): SpecKind | undefined {
  if (!isObject(doc)) return undefined;
  if (typeof doc.openapi === "string" && /^3\.\d/.test(doc.openapi)) return "openapi3";
  // `swagger: 2.0` unquoted in YAML is the number 2: tolerated.
  if (doc.swagger === "2.0" || doc.swagger === 2) return "swagger2";
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// $ref handling

/** Collects `$ref` values that do not point inside this document. Iterative, visits each object once. */
function externalRefs(doc: unknown): string[] {
  const found = new Set<string>();
  const seen = new Set<object>();
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const node = stack.pop();
    if (typeof node !== "object" || node === null || seen.has(node)) continue;
    seen.add(node);
    if (Array.isArray(node)) {
      for (const item of node) if (typeof item === "object" && item !== null) stack.push(item);
      continue;
    }
    const record = node as JsonObject;
    for (const key in record) {
      const value = record[key];
      if (key === "$ref" && typeof value === "string" && !value.startsWith("#")) found.add(value);
      else if (typeof value === "object" && value !== null) stack.push(value);
    }
  }
  return [...found];
}

function decodePointer(ref: string): string[] | undefined {
  if (!ref.startsWith("#")) return undefined;
  let fragment = ref.slice(1);
  try {
    fragment = decodeURIComponent(fragment);
  } catch {
    // keep as is
  }
  if (fragment === "") return [];
  if (!fragment.startsWith("/")) return undefined;
  return fragment
    .slice(1)
    .split("/")
    .map((token) => token.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Follows local `$ref`s in `root`; unresolvable ones are reported once each and yield undefined. */
function makeRefResolver(root: unknown, ctx: ParseContext) {
  const reported = new Set<string>();
  const report = (ref: string, why: string) => {
    if (reported.has(ref) || reported.size >= 20) return;
    reported.add(ref);
    ctx.warn(`$ref "${ref}" ${why}; ignored`);
  };
  const lookup = (ref: string): unknown => {
    const tokens = decodePointer(ref);
    if (tokens === undefined) return undefined; // external: reported once for the whole file
    let node: unknown = root;
    for (const token of tokens) {
      if (Array.isArray(node)) node = node[Number(token)];
      else if (isObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined;
      else node = undefined;
      if (node === undefined) {
        report(ref, "points to nothing in this document");
        return undefined;
      }
    }
    return node;
  };
  /** The node itself, or what its `$ref` chain points to. */
  const deref = (node: unknown): unknown => {
    let current = node;
    for (let hops = 0; hops < MAX_REF_HOPS; hops++) {
      if (!isObject(current) || typeof current.$ref !== "string") return current;
      current = lookup(current.$ref);
    }
    if (isObject(current) && typeof current.$ref === "string") report(current.$ref, "is part of a $ref loop");
    return undefined;
  };
  const resolveRef = (node: JsonObject): unknown => (typeof node.$ref === "string" ? lookup(node.$ref) : undefined);
  return { deref, resolveRef };
}

async function dereference(doc: JsonObject, text: string, ctx: ParseContext): Promise<unknown> {
  try {
    // swagger-parser's types want an OpenAPI.Document; `doc` is one by the version check above.
    const input = doc as unknown as Parameters<typeof SwaggerParser.dereference>[0];
    const { default: parser } = await import("@apidevtools/swagger-parser");
    return await parser.dereference(input, {
      resolve: { external: false, file: false, http: false },
      dereference: { circular: "ignore" },
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    ctx.warn(`$ref resolution fell back to local references only: ${message}`);
    // swagger-parser may have rewritten part of the object before failing: start again from the text.
    return parseSpecText(text);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small readers

const str = (value: unknown): string | undefined =>
  typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
const obj = (value: unknown): JsonObject | undefined => (isObject(value) ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

/** A string, or the first of name/team/id/url of an object (extensions are free-form). */
function extensionString(value: unknown): string | undefined {
  if (typeof value === "number") return String(value);
  const direct = str(value);
  if (direct !== undefined) return direct;
  const record = obj(value);
  if (!record) return undefined;
  return str(record.name) ?? str(record.team) ?? str(record.id) ?? str(record.url) ?? str(record.email);
}

const LIFECYCLES: Record<string, Lifecycle> = {
  production: "production",
  prod: "production",
  live: "production",
  ga: "production",
  stable: "production",
  released: "production",
  experimental: "experimental",
  beta: "experimental",
  alpha: "experimental",
  preview: "experimental",
  development: "experimental",
  dev: "experimental",
  deprecated: "deprecated",
  sunset: "deprecated",
  retired: "retired",
  decommissioned: "retired",
  removed: "retired",
};
const EXPOSURES: Record<string, Exposure> = {
  internet: "internet",
  public: "internet",
  external: "internet",
  partner: "partner",
  partners: "partner",
  b2b: "partner",
  internal: "internal",
  private: "internal",
  intranet: "internal",
};

/** Inventory vocabulary shared with the CSV parser: a lifecycle value, or undefined when unknown/empty. */
export function normaliseLifecycle(value: string): Lifecycle | undefined {
  const key = value.trim().toLowerCase();
  // Own keys only: "constructor" or "__proto__" must not find Object.prototype's members.
  return Object.hasOwn(LIFECYCLES, key) ? LIFECYCLES[key] : undefined;
}
/** An exposure value, or undefined when unknown/empty. */
export function normaliseExposure(value: string): Exposure | undefined {
  const key = value.trim().toLowerCase();
  return Object.hasOwn(EXPOSURES, key) ? EXPOSURES[key] : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Extraction

interface Extractor {
  kind: SpecKind;
  root: JsonObject;
  ctx: ParseContext;
  deref: (node: unknown) => unknown;
  resolveRef: (node: JsonObject) => unknown;
  schemaName: (schema: JsonObject) => string | undefined;
  schemes: Map<string, AuthScheme | null>;
  truncatedWalks: number;
}

function baseUrlsOpenApi(root: JsonObject, ctx: ParseContext): string[] {
  const urls: string[] = [];
  for (const entry of list(root.servers)) {
    const server = obj(entry);
    const raw = str(server?.url);
    if (!server || raw === undefined) continue;
    const variables = obj(server.variables) ?? {};
    const url = raw.replace(/\{([^}]+)\}/g, (whole, name: string) => {
      const variable = obj(variables[name]);
      const fallback = variable?.default ?? list(variable?.enum)[0];
      if (typeof fallback === "string" || typeof fallback === "number") return String(fallback);
      ctx.warn(`server variable {${name}} in ${raw} has no default; left as is`);
      return whole;
    });
    const trimmed = url.replace(/\/+$/, "") || "/";
    if (!urls.includes(trimmed)) urls.push(trimmed);
  }
  return urls;
}

function baseUrlsSwagger(root: JsonObject): string[] {
  let basePath = str(root.basePath) ?? "";
  if (basePath !== "" && !basePath.startsWith("/")) basePath = `/${basePath}`;
  basePath = basePath.replace(/\/+$/, "");
  const host = str(root.host)?.replace(/\/+$/, "");
  if (host === undefined) return basePath === "" ? [] : [basePath];
  const declared = list(root.schemes)
    .map((s) => (typeof s === "string" ? s.toLowerCase() : ""))
    .filter((s) => ["http", "https", "ws", "wss"].includes(s));
  // No `schemes`: the spec says "the scheme used to access the spec"; we cannot know it and assume https.
  const schemes = declared.length > 0 ? [...new Set(declared)] : ["https"];
  return schemes.map((scheme) => `${scheme}://${host}${basePath}`);
}

function authScheme(name: string, definition: JsonObject, kind: SpecKind): AuthScheme | null {
  const type = str(definition.type)?.toLowerCase();
  const where = str(definition.in)?.toLowerCase();
  const apiKeyIn = where === "header" || where === "query" || where === "cookie" ? where : undefined;
  switch (type) {
    case "basic": // Swagger 2
      return { name, kind: "basic" };
    case "http": {
      const scheme = str(definition.scheme)?.toLowerCase();
      if (scheme === "basic" || scheme === "digest") return { name, kind: "basic" };
      if (scheme === "bearer") return { name, kind: "bearer" };
      return null;
    }
    case "apikey":
      return { name, kind: "apiKey", ...(apiKeyIn ? { in: apiKeyIn } : {}) };
    case "oauth2":
      return { name, kind: "oauth2" };
    case "openidconnect":
      return kind === "openapi3" ? { name, kind: "openIdConnect" } : null;
    case "mutualtls":
      return { name, kind: "mutualTLS" };
    default:
      return null;
  }
}

function loadSchemes(x: Omit<Extractor, "schemes" | "truncatedWalks">): Map<string, AuthScheme | null> {
  const container =
    x.kind === "openapi3" ? obj(obj(x.deref(x.root.components))?.securitySchemes) : obj(x.root.securityDefinitions);
  const schemes = new Map<string, AuthScheme | null>();
  for (const [name, raw] of Object.entries(container ?? {})) {
    const definition = obj(x.deref(raw));
    const scheme = definition ? authScheme(name, definition, x.kind) : null;
    if (!scheme) x.ctx.warn(`security scheme "${name}" has an unsupported type; requirements naming it are ignored`);
    schemes.set(name, scheme);
  }
  return schemes;
}

function security(x: Extractor, operation: JsonObject): EndpointSecurity {
  const requirements = Array.isArray(operation.security)
    ? operation.security
    : Array.isArray(x.root.security)
      ? x.root.security
      : undefined;
  if (requirements === undefined) return { mode: "undeclared" };
  if (requirements.length === 0) return { mode: "public" };
  // `{}` among the alternatives: authentication is optional, anonymous callers are served.
  if (requirements.some((r) => isObject(r) && Object.keys(r).length === 0)) return { mode: "public" };
  const schemes: AuthScheme[] = [];
  for (const requirement of requirements) {
    for (const name of Object.keys(obj(requirement) ?? {})) {
      const scheme = x.schemes.get(name);
      if (scheme === undefined) {
        x.ctx.warn(`security requirement names undefined scheme "${name}"`);
        x.schemes.set(name, null);
      }
      if (scheme && !schemes.some((s) => s.name === scheme.name)) schemes.push(scheme);
    }
  }
  return { mode: "required", schemes };
}

type ParamIn = InventoryEndpoint["parameters"][number]["in"];

/** A schema's stated type: "string", "integer|null" (3.1 type lists), "object" for a bare properties schema. */
function schemaType(x: Extractor, schema: unknown): string | undefined {
  const s = obj(x.deref(schema));
  if (!s) return undefined;
  if (typeof s.type === "string") return s.type;
  if (Array.isArray(s.type)) return s.type.filter((t): t is string => typeof t === "string").sort().join("|") || undefined;
  if (isObject(s.properties)) return "object";
  return undefined;
}

function parameters(x: Extractor, pathItem: JsonObject, operation: JsonObject): InventoryParameter[] {
  const merged = new Map<string, InventoryParameter>();
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const param = obj(x.deref(raw));
    const name = str(param?.name);
    const where = str(param?.in);
    if (!param || name === undefined || where === undefined) continue;
    let location: ParamIn | undefined;
    let paramName = name;
    if (where === "path" || where === "query" || where === "header" || where === "cookie") location = where;
    else if (where === "body") {
      location = "body";
      paramName = "body";
    } else if (where === "formData") location = "body";
    if (location === undefined) continue;
    const entry: InventoryParameter = { name: paramName, in: location };
    // Path parameters are always required (OpenAPI says so even when the document forgets to).
    if (where === "path" || typeof param.required === "boolean") entry.required = where === "path" || param.required === true;
    const type = where === "body" ? schemaType(x, param.schema) : typeof param.type === "string" ? param.type : schemaType(x, param.schema);
    if (type !== undefined) entry.type = type;
    merged.set(`${location}:${paramName}`, entry); // operation-level overrides
  }
  const body = obj(x.deref(operation.requestBody));
  if (x.kind === "openapi3" && operation.requestBody !== undefined && body !== undefined) {
    const entry: InventoryParameter = { name: "body", in: "body" };
    if (typeof body.required === "boolean") entry.required = body.required;
    const type = mediaOf(x, body).map((m) => schemaType(x, m.schema)).find((t) => t !== undefined);
    if (type !== undefined) entry.type = type;
    merged.set("body:body", entry);
  }
  return [...merged.values()];
}

const isSuccess = (code: string) => /^2(\d\d|xx)$/i.test(code);

const nonEmptySchema = (schema: unknown) => isObject(schema) && Object.keys(schema).length > 0;

/** Media objects (OpenAPI 3 `content` values) of a request body or response. */
function mediaOf(x: Extractor, holder: unknown): JsonObject[] {
  const content = obj(obj(x.deref(holder))?.content);
  return Object.values(content ?? {})
    .map((m) => obj(x.deref(m)))
    .filter((m): m is JsonObject => m !== undefined);
}

function responseInfo(x: Extractor, operation: JsonObject) {
  const responses = obj(x.deref(operation.responses)) ?? {};
  let hasSuccessSchema = false;
  let hasExamples = false;
  const fields = new Map<string, ResponseField>();
  const shape = new Set<string>();
  const walkOptions = { resolveRef: x.resolveRef, schemaName: x.schemaName };

  const successSchema = (schema: unknown) => {
    if (!nonEmptySchema(schema)) return;
    hasSuccessSchema = true;
    const result = classifySchema(schema, walkOptions);
    if (result.truncated) x.truncatedWalks++;
    for (const field of result.fields) if (!fields.has(field.path)) fields.set(field.path, field);
    for (const path of result.paths) if (shape.size < MAX_SHAPE_PATHS) shape.add(path);
  };

  for (const [code, raw] of Object.entries(responses)) {
    const response = obj(x.deref(raw));
    if (!response) continue;
    const success = isSuccess(code);
    if (x.kind === "openapi3") {
      for (const media of mediaOf(x, response)) {
        if (success) successSchema(media.schema);
        if (!hasExamples && (media.example !== undefined || media.examples !== undefined)) hasExamples = true;
        if (!hasExamples && schemaHasExamples(media.schema, walkOptions)) hasExamples = true;
      }
    } else {
      if (success) successSchema(response.schema);
      if (!hasExamples && (response.examples !== undefined || schemaHasExamples(response.schema, walkOptions))) {
        hasExamples = true;
      }
    }
  }
  return { hasSuccessSchema, hasExamples, responseFields: [...fields.values()], responseShape: [...shape] };
}

function requestHasExamples(x: Extractor, pathItem: JsonObject, operation: JsonObject): boolean {
  const walkOptions = { resolveRef: x.resolveRef };
  for (const raw of [...list(pathItem.parameters), ...list(operation.parameters)]) {
    const param = obj(x.deref(raw));
    if (!param) continue;
    if (param.example !== undefined || param.examples !== undefined || param["x-example"] !== undefined) return true;
    if (schemaHasExamples(param.schema, walkOptions)) return true;
    for (const media of mediaOf(x, param)) if (media.example !== undefined || media.examples !== undefined) return true;
  }
  if (x.kind === "openapi3") {
    for (const media of mediaOf(x, operation.requestBody)) {
      if (media.example !== undefined || media.examples !== undefined) return true;
      if (schemaHasExamples(media.schema, walkOptions)) return true;
    }
  }
  return false;
}

function endpoint(x: Extractor, path: string, pathItem: JsonObject, method: HttpMethod, operation: JsonObject) {
  const summary = str(operation.summary);
  const responses = responseInfo(x, operation);
  const result: InventoryEndpoint = {
    method,
    path,
    hasDescription: summary !== undefined || str(operation.description) !== undefined,
    tags: list(operation.tags).filter((t): t is string => typeof t === "string"),
    deprecated: operation.deprecated === true,
    security: security(x, operation),
    parameters: parameters(x, pathItem, operation),
    hasSuccessSchema: responses.hasSuccessSchema,
    hasExamples: responses.hasExamples || requestHasExamples(x, pathItem, operation),
    responseFields: responses.responseFields,
  };
  if (responses.responseShape.length > 0) result.responseShape = responses.responseShape;
  const operationId = str(operation.operationId);
  if (operationId !== undefined) result.operationId = operationId;
  if (summary !== undefined) result.summary = summary;
  return result;
}

function schemaNames(x: { kind: SpecKind; root: JsonObject; deref: (n: unknown) => unknown }) {
  const names = new Map<object, string>();
  const container =
    x.kind === "openapi3" ? obj(obj(x.deref(x.root.components))?.schemas) : obj(x.root.definitions);
  for (const [name, raw] of Object.entries(container ?? {})) {
    const schema = x.deref(raw);
    if (isObject(schema) && !names.has(schema)) names.set(schema, name);
  }
  return (schema: JsonObject) => names.get(schema);
}

function checkCancelled(ctx: ParseContext) {
  if (ctx.signal?.aborted) throw new ParseError("ingest cancelled");
}

/** Turns a parsed, version-checked document into one InventoryApi. */
export function extractApi(kind: SpecKind, root: JsonObject, ctx: ParseContext, fileName: string): InventoryApi {
  const { deref, resolveRef } = makeRefResolver(root, ctx);
  const base = { kind, root, ctx, deref, resolveRef };
  const x: Extractor = {
    ...base,
    schemaName: schemaNames(base),
    schemes: loadSchemes({ ...base, schemaName: () => undefined }),
    truncatedWalks: 0,
  };
  const info = obj(deref(root.info)) ?? {};

  const title = str(info.title);
  const name = title ?? (fileName.replace(/\.[^.]+$/, "") || "untitled API");
  if (title === undefined) ctx.warn(`the document has no info.title; named "${name}"`);

  const api: InventoryApi = {
    name,
    baseUrls: kind === "openapi3" ? baseUrlsOpenApi(root, ctx) : baseUrlsSwagger(root),
    type: "openapi",
    describesEndpoints: true,
    endpoints: [],
  };
  const version = typeof info.version === "number" ? String(info.version) : str(info.version);
  if (version !== undefined) api.version = version;
  const description = str(info.description);
  if (description !== undefined) api.description = description;
  const contactRaw = obj(deref(info.contact));
  if (contactRaw) {
    const contact: NonNullable<InventoryApi["contact"]> = {};
    const contactName = str(contactRaw.name);
    const email = str(contactRaw.email);
    const url = str(contactRaw.url);
    if (contactName !== undefined) contact.name = contactName;
    if (email !== undefined) contact.email = email;
    if (url !== undefined) contact.url = url;
    if (Object.keys(contact).length > 0) api.contact = contact;
  }
  const extension = (key: string) => extensionString(root[key]) ?? extensionString(info[key]);
  const owner = extension("x-owner");
  if (owner !== undefined) api.owner = owner;
  const repository = extension("x-repository");
  if (repository !== undefined) api.repository = repository;
  const lifecycle = extension("x-lifecycle");
  if (lifecycle !== undefined) {
    const value = normaliseLifecycle(lifecycle);
    if (value) api.lifecycle = value;
    else ctx.warn(`unknown x-lifecycle "${lifecycle}" ignored`);
  }
  const exposure = extension("x-exposure");
  if (exposure !== undefined) {
    const value = normaliseExposure(exposure);
    if (value) api.exposure = value;
    else ctx.warn(`unknown x-exposure "${exposure}" ignored`);
  }

  const paths = obj(deref(root.paths)) ?? {};
  let count = 0;
  for (const [rawPath, rawItem] of Object.entries(paths)) {
    if (rawPath.startsWith("x-")) continue;
    const pathItem = obj(deref(rawItem));
    if (!pathItem) continue;
    const path = rawPath.startsWith("/") ? rawPath : `/${rawPath}`;
    for (const method of METHODS) {
      const operation = obj(deref(pathItem[method.toLowerCase()]));
      if (!operation) continue;
      if (++count % 500 === 0) checkCancelled(ctx);
      api.endpoints.push(endpoint(x, path, pathItem, method, operation));
    }
  }
  if (x.truncatedWalks > 0) {
    ctx.warn(`response schemas of ${x.truncatedWalks} operation(s) are deeper or larger than the classifier walks; cut short`);
  }
  return api;
}

/** Reads a whole spec file and returns its Api; `expected` is the family the calling parser handles. */
export async function parseSpecFile(file: SourceFile, ctx: ParseContext, expected: SpecKind): Promise<InventoryApi> {
  const text = await file.text();
  const doc = parseSpecText(text);
  const kind = kindOf(doc);
  const label = expected === "openapi3" ? "an OpenAPI 3.x document" : "a Swagger 2.0 document";
  if (!kind || !isObject(doc)) {
    throw new ParseError(
      `not ${label}: no ${expected === "openapi3" ? '"openapi: 3.x"' : '"swagger: 2.0"'} field at the top level`,
    );
  }
  if (kind !== expected) {
    throw new ParseError(`not ${label}: this is ${kind === "openapi3" ? "OpenAPI 3.x" : "Swagger 2.0"}`);
  }
  if (!isObject(doc.paths) && doc.paths !== undefined) throw new ParseError(`not ${label}: "paths" is not an object`);
  const externals = externalRefs(doc);
  if (externals.length > 0) {
    ctx.warn(
      `${externals.length} external $ref(s) not fetched (e.g. "${externals[0]}"); what they describe is missing from this inventory`,
    );
  }
  checkCancelled(ctx);
  // Before dereferencing (which rewrites `doc` in place): Spectral sees the document as written.
  const specLint =
    ctx.options.specLint === false ? undefined : await (await import("../../../spec-lint")).lintSpec(doc, ctx.signal ? { signal: ctx.signal } : {});
  if (specLint && specLint.status !== "ok" && specLint.reason !== undefined) ctx.warn(`OWASP/Spectral lint: ${specLint.reason}`);
  checkCancelled(ctx);
  const resolved = await dereference(doc, text, ctx);
  if (!isObject(resolved)) throw new ParseError(`not ${label}`);
  checkCancelled(ctx);
  const api = extractApi(kind, resolved, ctx, file.name);
  if (specLint) api.specLint = specLint;
  return api;
}
