/**
 * Backstage catalog entities (`apiVersion: backstage.io/v1alpha1`), multi-document YAML (or JSON).
 *
 * `kind: API` → one InventoryApi:
 * - catalogName = metadata.name (`namespace/name` outside the default namespace), name = metadata.title ?? name,
 *   description, type = spec.type, owner = spec.owner without its `group:` / `group:default/` prefix (a user owner
 *   stays `user:name`), lifecycle = spec.lifecycle in Postern's vocabulary (shared with the OpenAPI and CSV
 *   parsers: production/experimental/deprecated/retired, with development/dev/alpha/beta/preview → experimental,
 *   sunset → deprecated, decommissioned → retired; anything else is left unset with a warning).
 * - repository from the annotation `backstage.io/source-location` (its `url:` prefix removed) else
 *   `github.com/project-slug` / `gitlab.com/project-slug`.
 * - Postern annotations: `postern.io/secrets` = comma-separated secret paths/ARNs/safes linked to the Api;
 *   `postern.io/exposure` = internet | partner | internal (also public/external/private…).
 * - An inline `spec.definition` holding an OpenAPI 3 or Swagger 2 document is read with the OpenAPI / Swagger
 *   parsers; its endpoints, base URLs, version and contact are merged in (catalog fields win for name, owner,
 *   lifecycle, description, exposure, repository). `$text`/`$openapi`… references are not fetched (warning).
 *   describesEndpoints is true only when an inline definition produced endpoints. An unreadable definition is a
 *   warning, not a rejection of the file. A definition of another type (grpc, graphql, asyncapi…) is not read: the
 *   Api is kept without operations, with a warning that says so.
 *
 * `kind: Component` is not an Api. For each `spec.providesApis` entry it contributes what the component knows to
 * the provided Api:
 * - if the provided API entity is in the same file, its empty owner/repository/exposure are filled from the
 *   component and the component's secrets are added; no extra record;
 * - otherwise one link record: name = catalogName = the provided API's name, owner/repository/secrets/exposure
 *   from the component, no base URL, no endpoints, describesEndpoints false, and
 *   providesApis = ["component:<namespace>/<name>"]. That `component:` entry marks the record as a Component link:
 *   its fields are fallbacks for the Api (they fill what the API entity or a spec left empty, never override it);
 *   the component's own lifecycle is not the API's and is not passed on.
 * Other kinds (Group, User, System, Domain, Resource, Location, Template) are ignored. A file without any Backstage
 * entity is rejected.
 */
import { LineCounter, parseAllDocuments, type Document } from "yaml";
import {
  ParseError,
  type InventoryApi,
  type ParseContext,
  type Parser,
  type SourceFile,
} from "../../../contract";
import { bufferSource } from "../../../source";
import { normaliseExposure, normaliseLifecycle } from "../openapi/extract";
import { parser as openapiParser } from "../openapi/parser";
import { parser as swagger2Parser } from "../swagger2/parser";
import { assertYamlDepth } from "../yaml-depth";

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined);

const MAX_ALIASES = 100;
export const SECRETS_ANNOTATION = "postern.io/secrets";
export const EXPOSURE_ANNOTATION = "postern.io/exposure";
export const COMPONENT_LINK_PREFIX = "component:";

// ---------------------------------------------------------------------------------------------------------------
// Entity references and annotations

/** `group:default/team-c` → `team-c`; `group:ops/team-x` → `ops/team-x`; `user:default/jane` → `user:jane`. */
export function ownerName(ref: string): string {
  const m = /^(?:([A-Za-z]+):)?(?:([^/]+)\/)?(.+)$/.exec(ref.trim());
  if (!m?.[3]) return ref.trim();
  const kind = m[1]?.toLowerCase();
  const namespace = m[2] && m[2].toLowerCase() !== "default" ? `${m[2]}/` : "";
  const name = `${namespace}${m[3]}`;
  return kind === undefined || kind === "group" ? name : `${kind}:${name}`;
}

/** An API entity reference (`petstore`, `api:petstore`, `api:default/petstore`) → catalog name. */
function apiName(ref: string): string | undefined {
  const m = /^(?:api:)?(?:([^/:]+)\/)?([^/:]+)$/i.exec(ref.trim());
  if (!m?.[2]) return undefined;
  return m[1] && m[1].toLowerCase() !== "default" ? `${m[1]}/${m[2]}` : m[2];
}

function catalogNameOf(metadata: Obj, name: string): string {
  const namespace = str(metadata.namespace);
  return namespace && namespace.toLowerCase() !== "default" ? `${namespace}/${name}` : name;
}

function repositoryOf(annotations: Obj): string | undefined {
  const location = str(annotations["backstage.io/source-location"]);
  if (location) return location.replace(/^(?:url|github|gitlab|bitbucket|azure\/api):/i, "");
  const github = str(annotations["github.com/project-slug"]);
  if (github) return `https://github.com/${github}`;
  const gitlab = str(annotations["gitlab.com/project-slug"]);
  if (gitlab) return `https://gitlab.com/${gitlab}`;
  return undefined;
}

function secretsOf(annotations: Obj): string[] {
  const raw = str(annotations[SECRETS_ANNOTATION]);
  if (!raw) return [];
  return [...new Set(raw.split(",").map((s) => s.trim()).filter((s) => s !== ""))];
}

// ---------------------------------------------------------------------------------------------------------------
// YAML

interface LoadedEntity {
  entity: Obj;
  doc: Document.Parsed;
  /** Line where the document's content starts (after any `---`). */
  line: number;
}

function loadEntities(text: string): { entities: LoadedEntity[]; others: number; lines: LineCounter } {
  const lines = new LineCounter();
  let docs: Document.Parsed[];
  assertYamlDepth(text, "Backstage catalog");
  try {
    docs = parseAllDocuments(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true }) as Document.Parsed[];
  } catch (err) {
    throw new ParseError(`Invalid YAML: ${err instanceof Error ? err.message : String(err)}`);
  }
  const entities: LoadedEntity[] = [];
  let others = 0;
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error) {
      throw new ParseError(`Invalid YAML: ${error.message.split("\n")[0] ?? error.code}`, error.linePos?.[0]?.line);
    }
    const line = lines.linePos(doc.contents?.range[0] ?? doc.range[0]).line;
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new ParseError(
        /alias/i.test(message)
          ? `Refused YAML: too many alias expansions (more than ${MAX_ALIASES}; an alias bomb?)`
          : `Invalid YAML: ${message}`,
        line,
      );
    }
    if (value === null || value === undefined) continue; // empty document (trailing ---)
    if (isObj(value) && typeof value.apiVersion === "string" && /^backstage\.io\//i.test(value.apiVersion)) {
      entities.push({ entity: value, doc, line });
    } else others++;
  }
  return { entities, others, lines };
}

/** File line where an inline block-literal definition's first line sits, minus one (0 when unknown). */
function definitionLineOffset(doc: Document.Parsed, lines: LineCounter): number | undefined {
  const node = doc.getIn(["spec", "definition"], true);
  if (!node || typeof node !== "object" || !("range" in node) || !("type" in node)) return undefined;
  const range = (node as { range?: [number, number, number] }).range;
  if (!range || (node as { type?: string }).type !== "BLOCK_LITERAL") return undefined;
  return lines.linePos(range[0]).line; // the "|" indicator line; content starts on the next one
}

// ---------------------------------------------------------------------------------------------------------------
// Inline definitions

async function readDefinition(
  definition: string,
  label: string,
  lineOffset: number | undefined,
  ctx: ParseContext,
): Promise<InventoryApi | undefined> {
  const specParser = [openapiParser, swagger2Parser].find((p) => p.detect(definition, "") > 0.5);
  if (!specParser) return undefined;
  const at = (line: number | undefined) => (line === undefined || lineOffset === undefined ? undefined : line + lineOffset);
  const sub: ParseContext = {
    options: ctx.options,
    warn: (message, line) => ctx.warn(`${label}: inline definition: ${message}`, at(line)),
    lineError: (line, message) => ctx.lineError(at(line) ?? line, `${label}: inline definition: ${message}`),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
  try {
    let merged: InventoryApi | undefined;
    for await (const api of specParser.parse(bufferSource(definition, `${label}.definition`), sub)) {
      if (!merged) merged = api;
      else {
        merged.endpoints.push(...api.endpoints);
        merged.baseUrls = [...new Set([...merged.baseUrls, ...api.baseUrls])];
      }
    }
    return merged;
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    ctx.warn(`${label}: inline definition could not be read (${err.message}); no endpoints taken from it`, at(err.line));
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Parser

interface ComponentLink {
  ref: string;
  provides: string[];
  owner?: string;
  repository?: string;
  secrets: string[];
  exposure?: InventoryApi["exposure"];
}

async function* parseBackstage(file: SourceFile, ctx: ParseContext): AsyncIterable<InventoryApi> {
  const { entities, others, lines } = loadEntities(await file.text());
  if (entities.length === 0) {
    throw new ParseError("Not a Backstage catalog file: no entity with `apiVersion: backstage.io/…`");
  }
  if (others > 0) ctx.warn(`${others} YAML document(s) are not Backstage entities; ignored`);

  const apis: InventoryApi[] = [];
  const components: ComponentLink[] = [];

  for (const { entity, doc, line } of entities) {
    ctx.signal?.throwIfAborted();
    const kind = str(entity.kind)?.toLowerCase();
    if (kind !== "api" && kind !== "component") continue;
    const metadata = isObj(entity.metadata) ? entity.metadata : {};
    const spec = isObj(entity.spec) ? entity.spec : {};
    const annotations = isObj(metadata.annotations) ? metadata.annotations : {};
    const entityName = str(metadata.name);
    if (!entityName) {
      ctx.lineError(line, `Backstage ${str(entity.kind)} entity without metadata.name; skipped`);
      continue;
    }
    const label = `${kind === "api" ? "API" : "Component"} ${entityName}`;
    const ownerRef = str(spec.owner);
    const owner = ownerRef === undefined ? undefined : ownerName(ownerRef);
    const repository = repositoryOf(annotations);
    const secrets = secretsOf(annotations);
    const exposureText = str(annotations[EXPOSURE_ANNOTATION]);
    const exposure = exposureText === undefined ? undefined : normaliseExposure(exposureText);
    if (exposureText !== undefined && exposure === undefined) {
      ctx.warn(`${label}: ${EXPOSURE_ANNOTATION} "${exposureText}" is not internet, partner or internal; ignored`, line);
    }

    if (kind === "component") {
      const namespace = str(metadata.namespace) ?? "default";
      const provides = (Array.isArray(spec.providesApis) ? spec.providesApis : [])
        .map((r) => (typeof r === "string" ? apiName(r) : undefined))
        .filter((n): n is string => n !== undefined);
      if (provides.length === 0) continue;
      components.push({
        ref: `${COMPONENT_LINK_PREFIX}${namespace}/${entityName}`,
        provides,
        ...(owner === undefined ? {} : { owner }),
        ...(repository === undefined ? {} : { repository }),
        secrets,
        ...(exposure === undefined ? {} : { exposure }),
      });
      continue;
    }

    // kind: API
    const lifecycleText = str(spec.lifecycle);
    const lifecycle = lifecycleText === undefined ? undefined : normaliseLifecycle(lifecycleText);
    if (lifecycleText !== undefined && lifecycle === undefined) {
      ctx.warn(`${label}: lifecycle "${lifecycleText}" is not one Postern knows; left unset`, line);
    }
    const title = str(metadata.title);
    const description = str(metadata.description);
    const type = str(spec.type);

    let described: InventoryApi | undefined;
    const definition = spec.definition;
    if (typeof definition === "string" && definition.trim() !== "") {
      described = await readDefinition(definition, label, definitionLineOffset(doc, lines), ctx);
      if (!described && (type === undefined || /^(openapi|swagger)$/i.test(type))) {
        ctx.warn(`${label}: inline definition is not an OpenAPI 3 or Swagger 2 document; no endpoints taken from it`, line);
      } else if (!described) {
        ctx.warn(
          `${label}: ${type} definition not read (Postern reads OpenAPI 3 and Swagger 2 definitions); the Api is kept without its operations`,
          line,
        );
      }
    } else if (isObj(definition)) {
      const refKey = Object.keys(definition).find((k) => k.startsWith("$"));
      const target = refKey === undefined ? undefined : str(definition[refKey]);
      ctx.warn(`${label}: definition ${refKey ?? "object"}${target ? ` ${target}` : ""} is not fetched; no endpoints taken from it`, line);
    }

    const mergedSecrets = [...new Set([...secrets, ...(described?.secrets ?? [])])];
    const record: InventoryApi = {
      name: title ?? entityName,
      catalogName: catalogNameOf(metadata, entityName),
      baseUrls: described?.baseUrls ?? [],
      ...(described?.version === undefined ? {} : { version: described.version }),
      ...((description ?? described?.description) === undefined ? {} : { description: description ?? described?.description }),
      ...((owner ?? described?.owner) === undefined ? {} : { owner: owner ?? described?.owner }),
      ...(described?.contact === undefined ? {} : { contact: described.contact }),
      ...((lifecycle ?? described?.lifecycle) === undefined ? {} : { lifecycle: lifecycle ?? described?.lifecycle }),
      ...((exposure ?? described?.exposure) === undefined ? {} : { exposure: exposure ?? described?.exposure }),
      ...((repository ?? described?.repository) === undefined ? {} : { repository: repository ?? described?.repository }),
      ...(mergedSecrets.length === 0 ? {} : { secrets: mergedSecrets }),
      ...(type === undefined ? {} : { type }),
      describesEndpoints: (described?.endpoints.length ?? 0) > 0,
      endpoints: described?.endpoints ?? [],
      ...(described?.rateLimited === undefined ? {} : { rateLimited: described.rateLimited }),
    };
    apis.push(record);
  }

  // Components: fold into API entities of this file, else emit link records.
  const byCatalogName = new Map(apis.map((a) => [a.catalogName ?? a.name, a]));
  const links = new Map<string, InventoryApi>();
  for (const component of components) {
    for (const provided of component.provides) {
      const api = byCatalogName.get(provided);
      if (api) {
        if (api.owner === undefined && component.owner !== undefined) api.owner = component.owner;
        if (api.repository === undefined && component.repository !== undefined) api.repository = component.repository;
        if (api.exposure === undefined && component.exposure !== undefined) api.exposure = component.exposure;
        if (component.secrets.length > 0) api.secrets = [...new Set([...(api.secrets ?? []), ...component.secrets])];
        continue;
      }
      const existing = links.get(provided);
      if (existing) {
        // Two components provide one API: keep the first one's owner, record both.
        existing.providesApis = [...(existing.providesApis ?? []), component.ref];
        existing.repository ??= component.repository;
        if (component.secrets.length > 0) existing.secrets = [...new Set([...(existing.secrets ?? []), ...component.secrets])];
        continue;
      }
      links.set(provided, {
        name: provided,
        catalogName: provided,
        baseUrls: [],
        ...(component.owner === undefined ? {} : { owner: component.owner }),
        ...(component.repository === undefined ? {} : { repository: component.repository }),
        ...(component.secrets.length === 0 ? {} : { secrets: [...component.secrets] }),
        ...(component.exposure === undefined ? {} : { exposure: component.exposure }),
        providesApis: [component.ref],
        describesEndpoints: false,
        endpoints: [],
      });
    }
  }

  yield* apis;
  yield* links.values();
}

export const parser: Parser<"inventory"> = {
  id: "backstage",
  family: "inventory",
  label: "Backstage catalog entities",
  detect(head) {
    if (/^\s*apiVersion\s*:\s*["']?backstage\.io\//m.test(head)) return 0.95;
    if (/"apiVersion"\s*:\s*"backstage\.io\//.test(head)) return 0.9;
    return 0;
  },
  parse: parseBackstage,
};
