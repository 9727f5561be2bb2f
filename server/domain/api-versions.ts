/**
 * Api versions and their changelog (DESIGN.md §2 "Versions", §3 `auth-weakened`, `sensitive-data-added`).
 *
 * A version is what one inventory source (format + file name) said about one Api, normalised into a compact
 * snapshot: endpoints with method, path, deprecated, security (mode + scheme kinds), parameters (name, in, required,
 * type) and response fields (path + data class), plus the Api-level security a gateway states for the whole Api.
 * `diffSnapshots` compares two versions of one source into a list of changes, each flagged breaking or not:
 * breaking = a removed endpoint or response field, a new required parameter (or one that became required), a
 * changed parameter type. Pure: the write side (server/inventory/versions.ts), the rules and the UI share it.
 */
import type { DataClass } from "./inventory";
import type { AuthScheme, EndpointSecurity, InventoryEndpoint } from "./records";

export const SNAPSHOT_FORMAT = 1;

export interface SnapshotScheme {
  kind: AuthScheme["kind"];
  in?: "header" | "query" | "cookie";
}

export interface SnapshotSecurity {
  mode: EndpointSecurity["mode"];
  /** Alternatives (any one admits a caller), deduplicated and sorted. */
  schemes: SnapshotScheme[];
}

export interface SnapshotParameter {
  name: string;
  in: string;
  required?: boolean;
  type?: string;
}

export interface SnapshotField {
  path: string;
  dataClass?: DataClass;
}

export interface SnapshotEndpoint {
  method: string;
  path: string;
  deprecated: boolean;
  security: SnapshotSecurity;
  parameters: SnapshotParameter[];
  fields: SnapshotField[];
}

export interface ApiSnapshot {
  v: number;
  /** Api-level security (a gateway plugin covering the whole Api), when the source states one. */
  security?: SnapshotSecurity;
  endpoints: SnapshotEndpoint[];
}

// ---------------------------------------------------------------------------------------------------------------
// Building snapshots

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function snapshotSecurity(security: EndpointSecurity): SnapshotSecurity {
  if (security.mode !== "required") return { mode: security.mode, schemes: [] };
  const seen = new Map<string, SnapshotScheme>();
  for (const s of security.schemes) {
    const scheme: SnapshotScheme = s.kind === "apiKey" && s.in ? { kind: s.kind, in: s.in } : { kind: s.kind };
    seen.set(schemeLabel(scheme), scheme);
  }
  return { mode: "required", schemes: [...seen.entries()].sort(([a], [b]) => byText(a, b)).map(([, s]) => s) };
}

export function snapshotEndpoint(endpoint: InventoryEndpoint): SnapshotEndpoint {
  const params = new Map<string, SnapshotParameter>();
  for (const p of endpoint.parameters) {
    const param: SnapshotParameter = { name: p.name, in: p.in };
    if (p.required !== undefined) param.required = p.required;
    if (p.type !== undefined) param.type = p.type;
    params.set(`${p.in}:${p.name}`, param);
  }
  const fields = new Map<string, SnapshotField>();
  for (const path of endpoint.responseShape ?? []) fields.set(path, { path });
  for (const f of endpoint.responseFields) fields.set(f.path, { path: f.path, dataClass: f.dataClass });
  return {
    method: endpoint.method,
    path: endpoint.path,
    deprecated: endpoint.deprecated,
    security: snapshotSecurity(endpoint.security),
    parameters: [...params.entries()].sort(([a], [b]) => byText(a, b)).map(([, p]) => p),
    fields: [...fields.values()].sort((a, b) => byText(a.path, b.path)),
  };
}

/** One source's snapshot of one Api: endpoints sorted by path then method (the last description of one wins). */
export function buildSnapshot(endpoints: readonly InventoryEndpoint[], apiSecurity?: EndpointSecurity): ApiSnapshot {
  const unique = new Map<string, SnapshotEndpoint>();
  for (const e of endpoints) unique.set(`${e.path} ${e.method}`, snapshotEndpoint(e));
  const snapshot: ApiSnapshot = {
    v: SNAPSHOT_FORMAT,
    endpoints: [...unique.entries()].sort(([a], [b]) => byText(a, b)).map(([, e]) => e),
  };
  if (apiSecurity) snapshot.security = snapshotSecurity(apiSecurity);
  return snapshot;
}

/** A snapshot read back from storage; anything unreadable is an empty snapshot rather than a crash. */
export function readSnapshot(value: unknown): ApiSnapshot {
  if (typeof value !== "object" || value === null || !Array.isArray((value as ApiSnapshot).endpoints)) return { v: SNAPSHOT_FORMAT, endpoints: [] };
  return value as ApiSnapshot;
}

// ---------------------------------------------------------------------------------------------------------------
// Authentication strength (DESIGN.md §3 auth-weakened: mTLS/OIDC/oauth2 > bearer > apiKey header > basic > apiKey query > none)

export function schemeStrength(scheme: SnapshotScheme): number {
  switch (scheme.kind) {
    case "mutualTLS":
    case "openIdConnect":
    case "oauth2":
      return 5;
    case "bearer":
      return 4;
    case "apiKey":
      return scheme.in === "query" ? 1 : 3;
    case "basic":
      return 2;
    default:
      return 0;
  }
}

/**
 * How strong a security statement is: 0 for none (public or undeclared), else the weakest alternative's strength
 * (any alternative admits a caller). Null for "required" with no scheme the source could name: authentication is
 * asked for, its strength is unknown.
 */
export function securityStrength(security: SnapshotSecurity): number | null {
  if (security.mode !== "required") return 0;
  if (security.schemes.length === 0) return null;
  return Math.min(...security.schemes.map(schemeStrength));
}

const KIND_LABEL: Record<AuthScheme["kind"], string> = {
  basic: "HTTP Basic",
  apiKey: "API key",
  bearer: "bearer token",
  oauth2: "OAuth 2",
  openIdConnect: "OpenID Connect",
  mutualTLS: "mutual TLS",
};

export function schemeLabel(scheme: SnapshotScheme): string {
  return scheme.kind === "apiKey" && scheme.in ? `API key in ${scheme.in}` : KIND_LABEL[scheme.kind] ?? scheme.kind;
}

export function securityLabel(security: SnapshotSecurity | undefined): string {
  if (!security) return "not stated";
  if (security.mode === "public") return "public (no authentication)";
  if (security.mode === "undeclared") return "no security requirement";
  if (security.schemes.length === 0) return "authentication required (scheme not named)";
  return security.schemes.map(schemeLabel).join(" or ");
}

// ---------------------------------------------------------------------------------------------------------------
// The changelog

export const CHANGE_KINDS = [
  "endpoint-added",
  "endpoint-removed",
  "endpoint-deprecated",
  "endpoint-undeprecated",
  "security-weakened",
  "security-strengthened",
  "security-changed",
  "parameter-added",
  "parameter-removed",
  "parameter-required",
  "parameter-type-changed",
  "field-added",
  "field-removed",
  "data-class-added",
] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

export interface ApiChange {
  kind: ChangeKind;
  breaking: boolean;
  /** The endpoint the change is about; absent for Api-level security. */
  method?: string;
  path?: string;
  /** The parameter ("query limit") or response field ("holder.email") the change is about. */
  subject?: string;
  before?: string;
  after?: string;
  /** Data classes a new field or endpoint brings (pii, financial, credentials, health). */
  dataClasses?: DataClass[];
}

/** Sensitive classes for the change rules (DESIGN.md §3 sensitive-data-added: PII, financial or credential). */
export const SENSITIVE_CLASSES: readonly DataClass[] = ["pii", "financial", "credentials"];

const endpointKey = (e: { method: string; path: string }) => `${e.method} ${e.path}`;

function securityChange(before: SnapshotSecurity, after: SnapshotSecurity): Pick<ApiChange, "kind" | "before" | "after"> | null {
  if (securityLabel(before) === securityLabel(after)) return null;
  const a = securityStrength(before);
  const b = securityStrength(after);
  let kind: ChangeKind = "security-changed";
  // Dropping a requirement is weaker whatever it was; otherwise compare known strengths.
  if (before.mode === "required" && after.mode !== "required") kind = "security-weakened";
  else if (before.mode !== "required" && after.mode === "required") kind = "security-strengthened";
  else if (a !== null && b !== null && b < a) kind = "security-weakened";
  else if (a !== null && b !== null && b > a) kind = "security-strengthened";
  return { kind, before: securityLabel(before), after: securityLabel(after) };
}

const paramLabel = (p: SnapshotParameter) => `${p.in} ${p.name}`;

function endpointChanges(before: SnapshotEndpoint, after: SnapshotEndpoint): ApiChange[] {
  const at = { method: after.method, path: after.path };
  const out: ApiChange[] = [];
  if (!before.deprecated && after.deprecated) out.push({ kind: "endpoint-deprecated", breaking: false, ...at });
  if (before.deprecated && !after.deprecated) out.push({ kind: "endpoint-undeprecated", breaking: false, ...at });
  const security = securityChange(before.security, after.security);
  if (security) out.push({ ...security, breaking: false, ...at });

  const oldParams = new Map(before.parameters.map((p) => [paramLabel(p), p]));
  const newParams = new Map(after.parameters.map((p) => [paramLabel(p), p]));
  for (const [key, p] of newParams) {
    const old = oldParams.get(key);
    if (!old) {
      out.push({ kind: "parameter-added", breaking: p.required === true, ...at, subject: key, after: p.required ? "required" : "optional" });
      continue;
    }
    if (p.required === true && old.required !== true) out.push({ kind: "parameter-required", breaking: true, ...at, subject: key, before: "optional", after: "required" });
    if (old.type !== undefined && p.type !== undefined && old.type !== p.type) {
      out.push({ kind: "parameter-type-changed", breaking: true, ...at, subject: key, before: old.type, after: p.type });
    }
  }
  for (const key of oldParams.keys()) if (!newParams.has(key)) out.push({ kind: "parameter-removed", breaking: false, ...at, subject: key });

  const oldFields = new Map(before.fields.map((f) => [f.path, f]));
  const newFields = new Map(after.fields.map((f) => [f.path, f]));
  for (const [path, f] of newFields) {
    const old = oldFields.get(path);
    if (!old) out.push({ kind: "field-added", breaking: false, ...at, subject: path, ...(f.dataClass ? { dataClasses: [f.dataClass] } : {}) });
    else if (f.dataClass && old.dataClass !== f.dataClass) {
      out.push({ kind: "data-class-added", breaking: false, ...at, subject: path, ...(old.dataClass ? { before: old.dataClass } : {}), after: f.dataClass, dataClasses: [f.dataClass] });
    }
  }
  for (const path of oldFields.keys()) if (!newFields.has(path)) out.push({ kind: "field-removed", breaking: true, ...at, subject: path });
  return out;
}

/** The changes from one version of a source to the next, endpoint by endpoint in path order. */
export function diffSnapshots(before: ApiSnapshot, after: ApiSnapshot): ApiChange[] {
  const out: ApiChange[] = [];
  if (before.security || after.security) {
    const none: SnapshotSecurity = { mode: "undeclared", schemes: [] };
    const security = securityChange(before.security ?? none, after.security ?? none);
    if (security) out.push({ ...security, breaking: false });
  }
  const old = new Map(before.endpoints.map((e) => [endpointKey(e), e]));
  const keys = new Set([...before.endpoints, ...after.endpoints].map(endpointKey));
  const current = new Map(after.endpoints.map((e) => [endpointKey(e), e]));
  const ordered = [...keys].sort((a, b) => {
    const [ma, pa] = [a.slice(0, a.indexOf(" ")), a.slice(a.indexOf(" ") + 1)];
    const [mb, pb] = [b.slice(0, b.indexOf(" ")), b.slice(b.indexOf(" ") + 1)];
    return byText(pa, pb) || byText(ma, mb);
  });
  for (const key of ordered) {
    const a = old.get(key);
    const b = current.get(key);
    if (a && b) out.push(...endpointChanges(a, b));
    else if (b) {
      const classes = [...new Set(b.fields.map((f) => f.dataClass).filter((c): c is DataClass => !!c))].sort();
      out.push({ kind: "endpoint-added", breaking: false, method: b.method, path: b.path, after: securityLabel(b.security), ...(classes.length ? { dataClasses: classes } : {}) });
    } else if (a) out.push({ kind: "endpoint-removed", breaking: true, method: a.method, path: a.path });
  }
  return out;
}

/** Counts of one version's changes, kept beside it so the week's summary is a sum in the database. */
export interface ChangeCounts {
  total: number;
  breaking: number;
  endpointsAdded: number;
  authWeakened: number;
  sensitiveAdded: number;
}

/** A response field that newly carries a sensitive class (PII, financial, credentials). */
export function isSensitiveAddition(change: ApiChange): boolean {
  return (
    (change.kind === "field-added" || change.kind === "data-class-added") &&
    (change.dataClasses ?? []).some((c) => SENSITIVE_CLASSES.includes(c))
  );
}

export function countChanges(changes: readonly ApiChange[]): ChangeCounts {
  return {
    total: changes.length,
    breaking: changes.filter((c) => c.breaking).length,
    endpointsAdded: changes.filter((c) => c.kind === "endpoint-added").length,
    authWeakened: changes.filter((c) => c.kind === "security-weakened").length,
    sensitiveAdded: changes.filter(isSensitiveAddition).length,
  };
}

const CHANGE_TEXT: Record<ChangeKind, string> = {
  "endpoint-added": "Endpoint added",
  "endpoint-removed": "Endpoint removed",
  "endpoint-deprecated": "Endpoint deprecated",
  "endpoint-undeprecated": "Endpoint no longer deprecated",
  "security-weakened": "Authentication weakened",
  "security-strengthened": "Authentication strengthened",
  "security-changed": "Authentication changed",
  "parameter-added": "Parameter added",
  "parameter-removed": "Parameter removed",
  "parameter-required": "Parameter now required",
  "parameter-type-changed": "Parameter type changed",
  "field-added": "Response field added",
  "field-removed": "Response field removed",
  "data-class-added": "Response field newly classified",
};

export function changeText(kind: ChangeKind): string {
  return CHANGE_TEXT[kind];
}
