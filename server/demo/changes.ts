/**
 * An earlier version of one demo spec, loaded some days before the current one so that the demo organisation has a
 * changelog (DESIGN.md §2 "Versions"): in the earlier version one endpoint required OAuth 2 and its response carried
 * a `legacyReference` field. The current spec dropped the field (a breaking change) and accepts the Api's weaker
 * scheme on that endpoint (an `auth-weakened` finding).
 */
import { parse, stringify } from "yaml";
import type { DemoFile } from "./generate";

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const STRONG = new Set(["oauth2", "openIdConnect", "mutualTLS"]);
/** The scheme the earlier version required on the changed endpoint. */
const LEGACY_SCHEME = "legacyOAuth";
export const DEMO_REMOVED_FIELD = "legacyReference";

/** Resolves a local `#/components/...` reference (one hop is what the demo specs use). */
function deref(doc: Json, node: unknown): Json | undefined {
  if (!isObject(node)) return undefined;
  if (typeof node.$ref !== "string") return node;
  let current: unknown = doc;
  for (const key of node.$ref.replace(/^#\//, "").split("/")) current = isObject(current) ? current[key] : undefined;
  return isObject(current) ? current : undefined;
}

/** Whether an operation's effective security (its own, else the document's) is weaker than OAuth 2 / OIDC / mTLS. */
function weakerThanOAuth(doc: Json, operation: Json): boolean {
  const requirements = Array.isArray(operation.security) ? operation.security : Array.isArray(doc.security) ? doc.security : [];
  const schemes = isObject(doc.components) && isObject(doc.components.securitySchemes) ? doc.components.securitySchemes : {};
  if (requirements.length === 0) return true;
  return requirements.some((r) =>
    Object.keys(isObject(r) ? r : {}).some((name) => {
      const scheme = schemes[name];
      return isObject(scheme) && !STRONG.has(String(scheme.type));
    }),
  );
}

/** The response schema object (with properties) of an operation's 200 JSON response. */
function responseSchema(doc: Json, operation: Json): Json | undefined {
  const ok = deref(doc, isObject(operation.responses) ? operation.responses["200"] : undefined);
  const media = isObject(ok?.content) ? ok.content["application/json"] : undefined;
  const schema = deref(doc, isObject(media) ? media.schema : undefined);
  return schema && isObject(schema.properties) ? schema : undefined;
}

/**
 * The earlier version of the first spec (in name order) that has a `GET …/{id}` operation weaker than OAuth 2 with
 * a JSON response schema, or null when none has one. The file keeps the spec's name: a source is its file.
 */
export function demoEarlierSpec(files: readonly { name: string; content: string }[]): DemoFile | null {
  const specs = files.filter((f) => f.name.startsWith("specs/") && /\.openapi\.(json|ya?ml)$/.test(f.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const file of specs) {
    const json = file.name.endsWith(".json");
    const doc = (json ? JSON.parse(file.content) : parse(file.content)) as Json;
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [path, item] of Object.entries(paths)) {
      const get = isObject(item) && isObject(item.get) ? item.get : undefined;
      if (!get || !/\{[^}]+\}$/.test(path) || !weakerThanOAuth(doc, get)) continue;
      const schema = responseSchema(doc, get);
      if (!schema) continue;
      // The earlier version: OAuth 2 on this endpoint, and one more response field.
      schema.properties = { ...(schema.properties as Json), [DEMO_REMOVED_FIELD]: { type: "string", description: "Reference in the legacy ledger." } };
      get.security = [{ [LEGACY_SCHEME]: [] }];
      const components = isObject(doc.components) ? doc.components : (doc.components = {});
      const schemes = isObject(components.securitySchemes) ? components.securitySchemes : (components.securitySchemes = {});
      (schemes as Json)[LEGACY_SCHEME] = {
        type: "oauth2",
        flows: { clientCredentials: { tokenUrl: "https://id.northwind.example/oauth/token", scopes: {} } },
      };
      const info = isObject(doc.info) ? doc.info : {};
      doc.info = { ...info, version: "0.9.0" };
      return { name: file.name, family: "inventory", content: json ? JSON.stringify(doc, null, 2) : stringify(doc) };
    }
  }
  return null;
}
