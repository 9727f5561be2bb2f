/**
 * The records every parser produces and every persister reads (DESIGN.md §1–2): an inventory's Apis and endpoints,
 * scanner findings and the scopes a report covered, gateway traffic events, vault audit events. Plain data on the
 * ground floor, so that the parsers (server/ingest), the persisters and the rules share one vocabulary without any
 * of them importing another's layer. server/ingest/contract.ts re-exports them with the parser contract.
 */
import type { DataClass, Exposure, Lifecycle } from "./inventory";
import type { Severity } from "./severity";

export type { DataClass, Exposure, Lifecycle, Severity };

// ---------------------------------------------------------------------------------------------------------------
// Inventory

export type HttpMethod = "GET" | "PUT" | "POST" | "DELETE" | "OPTIONS" | "HEAD" | "PATCH" | "TRACE";

/** Kinds of authentication a security requirement can name (DESIGN.md §2). */
export type AuthKind = "basic" | "apiKey" | "bearer" | "oauth2" | "openIdConnect" | "mutualTLS";

export interface AuthScheme {
  /** Scheme name as the source calls it (e.g. "petstore_auth", "key-auth"). */
  name: string;
  kind: AuthKind;
  /** For apiKey: where the key travels. Query-string keys are weak auth. */
  in?: "header" | "query" | "cookie";
}

/**
 * An endpoint's security statement:
 * - "public": explicitly no auth (`security: []` on the operation);
 * - "undeclared": nothing on the operation and nothing global;
 * - "required": at least one of `schemes` is required (alternatives).
 */
export type EndpointSecurity =
  | { mode: "public" }
  | { mode: "undeclared" }
  | { mode: "required"; schemes: AuthScheme[] };

export interface ResponseField {
  /** Dotted path inside the 2xx response body, e.g. "user.email" or "items[].card_number". */
  path: string;
  dataClass: DataClass;
}

export interface InventoryParameter {
  name: string;
  in: "path" | "query" | "header" | "cookie" | "body";
  /** Stated by specs (OpenAPI `required`; path parameters always are); absent when the source does not say. */
  required?: boolean;
  /** JSON-schema type as the spec gives it ("string", "integer", "array"…), when it does. */
  type?: string;
}

export interface InventoryEndpoint {
  method: HttpMethod;
  /** Path template relative to the Api's base path, always starting with "/", params as `{name}`. */
  path: string;
  operationId?: string;
  summary?: string;
  hasDescription: boolean;
  tags: string[];
  deprecated: boolean;
  security: EndpointSecurity;
  parameters: InventoryParameter[];
  /** A 2xx response with a schema is documented. */
  hasSuccessSchema: boolean;
  hasExamples: boolean;
  /** Classified fields of 2xx response schemas. */
  responseFields: ResponseField[];
  /**
   * Every property path of the 2xx response schemas, classified or not (bounded), where the source has schemas
   * (OpenAPI, Swagger): Api versions compare them to tell fields added and removed.
   */
  responseShape?: string[];
  /** Rate limit configured for this endpoint by a gateway config (Kong rate-limiting plugins). */
  rateLimited?: boolean;
}

export interface InventoryApi {
  /** Display name: catalog name, spec title, service name… */
  name: string;
  /** Catalog identity (Backstage entity name, CSV name) when the source is a catalog. */
  catalogName?: string;
  /**
   * Base URLs including scheme and base path, e.g. "https://api.example.com/v2". Relative server URLs stay as
   * given ("/api/v3"). Template variables are substituted with their defaults.
   */
  baseUrls: string[];
  version?: string;
  description?: string;
  /** Owning team (Backstage spec.owner, x-owner, Kong owner tag, CSV column). Never info.contact. */
  owner?: string;
  contact?: { name?: string; email?: string; url?: string };
  lifecycle?: Lifecycle;
  exposure?: Exposure;
  /** Source repository URL (Backstage source-location, x-repository, CSV column): maps code-scanner findings. */
  repository?: string;
  /** Secret paths/ARNs/safes explicitly linked to this Api (Backstage annotation, CSV column). */
  secrets?: string[];
  /** Other Apis this entry provides or merges with (Backstage Component.providesApis, API entity references). */
  providesApis?: string[];
  /** API style per Backstage spec.type ("openapi", "graphql"…). */
  type?: string;
  /** Whether the source describes endpoints at all (a CSV row or a Backstage entity may not). */
  describesEndpoints: boolean;
  endpoints: InventoryEndpoint[];
  /** Gateway-level rate limit for the whole Api (Kong plugin on the service or globally). */
  rateLimited?: boolean;
  /**
   * Spectral lint of the spec (`spectral:oas` + OWASP API Security rulesets), summarised and bounded
   * (server/ingest/spec-lint.ts). Set by the OpenAPI and Swagger 2.0 parsers only.
   */
  specLint?: SpecLintSummary;
}

// ---------------------------------------------------------------------------------------------------------------
// Scan results

export interface ScanFinding {
  tool: { name: string; version?: string };
  /** What was scanned: the site/base URL for DAST, the repository/project for code scanners. Defines rescan scope. */
  target?: string;
  /** The tool's rule/plugin/template id. */
  ruleId: string;
  title: string;
  description?: string;
  severity: Severity;
  confidence?: "high" | "medium" | "low";
  cwe?: number;
  cve?: string;
  /** Web location (absolute URL when the tool gives one). */
  url?: string;
  method?: string;
  parameter?: string;
  /** Code location. */
  file?: string;
  line?: number;
  /** Excerpts, already redacted of credentials (use server/ingest/redact.ts). */
  evidence?: { request?: string; response?: string; snippet?: string; detail?: string };
  remediation?: string;
  references?: string[];
  /** How many instances the tool reported for this (rule, location). */
  occurrences: number;
  /**
   * Set only when the report holds several findings of one rule at one location that the tool tells apart (SARIF:
   * different partialFingerprints, else different messages): a short key that keeps them apart in the fingerprint.
   * Absent otherwise, so that the identity of every other finding is unchanged.
   */
  distinctBy?: string;
  /** The tool's own triage of this result, recorded as data (Postern's finding status does not follow it). */
  toolTriage?: ToolTriage;
}

/**
 * A scanner's triage, as the report states it: a person (or a rule) told the tool that a result is a false
 * positive, an accepted risk, or suppressed (SARIF does not say which of the two); "under_review" and "rejected" are
 * SARIF suppressions not (or no longer) in force.
 */
export interface ToolTriage {
  state: "false_positive" | "risk_accepted" | "suppressed" | "under_review" | "rejected";
  /** Where the tool keeps it, in the tool's words (SARIF suppression kind "inSource" / "external"). */
  kind?: string;
  justification?: string;
}

/**
 * What a scanner report says it scanned: the tool and its target (the site, or the repository), whether or not it
 * found anything there. A report yields one per scanned target besides its findings, so that a clean rescan of a
 * known scope resolves what the scope no longer reports (server/findings/persist.ts), and a valid report without
 * findings is still a successful ingest. Without a target (the report does not name one) nothing is resolved.
 */
export interface ScannedScope {
  readonly kind: "scanned-scope";
  tool: { name: string; version?: string };
  target?: string;
}

export type ScanRecord = ScanFinding | ScannedScope;

export function isScannedScope(record: unknown): record is ScannedScope {
  return typeof record === "object" && record !== null && (record as { kind?: unknown }).kind === "scanned-scope";
}

/** The scope record of a report's target (undefined/empty target: a report that names none). */
export function scannedScope(tool: ScannedScope["tool"], target?: string): ScannedScope {
  return target ? { kind: "scanned-scope", tool, target } : { kind: "scanned-scope", tool };
}

// ---------------------------------------------------------------------------------------------------------------
// Gateway traffic

export interface TrafficEvent {
  /** Epoch milliseconds (UTC). */
  time: number;
  host?: string;
  /** Gateway service/route/api id when the log carries one. */
  service?: string;
  route?: string;
  apiId?: string;
  method: string;
  /** Path without query string. */
  path: string;
  /** Raw query string without "?", if any (parameter names matter for weak-auth; values are not kept). */
  query?: string;
  status: number;
  responseBytes?: number;
  latencyMs?: number;
  /** First X-Forwarded-For hop when present, else the peer address. */
  clientIp?: string;
  /** Authenticated principal (consumer, IAM caller, remote_user, JWT sub) or undefined. */
  principal?: string;
  userAgent?: string;
  scheme?: "http" | "https";
  /** The response carried RateLimit-* / X-RateLimit-* headers. */
  rateLimitHeaders?: boolean;
}

// ---------------------------------------------------------------------------------------------------------------
// Vault audits

export type VaultOperation = "read" | "write" | "rotate" | "delete" | "list" | "login" | "other";

export interface VaultEvent {
  /** Epoch milliseconds (UTC). */
  time: number;
  /** The vault product, stored on the Secret (e.g. "vault", "cloudtrail", "cyberark"): an open set, one per parser. */
  source: string;
  /** The secret: Vault path, Secrets Manager ARN/name, CyberArk "safe/account"; "" for a `notSecret` event naming none. */
  secret: string;
  operation: VaultOperation;
  /** Raw action name from the source (e.g. "read", "GetSecretValue", "Retrieve SSH Key"). */
  action: string;
  /** Vault entity_id else display_name; CloudTrail userIdentity.arn; CyberArk Issuer. */
  identity?: string;
  remoteAddress?: string;
  denied: boolean;
  /** Error text, with any secret values left out. */
  error?: string;
  /** Source request id (Vault request.id, CloudTrail eventID), used to pair and dedupe. */
  requestId?: string;
  /**
   * The event is about the vault itself, not a secret (Vault `sys/`, `auth/` paths and KMIP records, CyberArk logons,
   * CloudTrail events of other services): counted and skipped. Parsers yield such records rather than drop them, so
   * that an audit file holding nothing else is a valid file with zero secret events, not an empty one.
   */
  notSecret?: boolean;
  /** The event manages the secret's versions or metadata (Vault KV v2 `metadata/`): an access, never a rotation. */
  metadataOnly?: boolean;
  /**
   * Events that may echo one another: a call a service makes on the caller's behalf (a KMS Decrypt for a Secrets
   * Manager read) is the same access as the caller's call. Events with the same `key` a few seconds apart are counted
   * once: an `echo` is dropped when a non-echo partner is seen, and kept when none comes.
   */
  coalesce?: { key: string; echo: boolean };
}

// ---------------------------------------------------------------------------------------------------------------
// Spectral lint summary of a spec (server/ingest/spec-lint.ts makes it; InventoryApi.specLint carries it)

export type LintSeverity = "error" | "warn" | "info" | "hint";

export interface SpecLintRule {
  /** Spectral rule id, e.g. "owasp:api4:2023-rate-limit" or "operation-description". */
  rule: string;
  severity: LintSeverity;
  /** Results of this rule in the document. */
  count: number;
}

export interface SpecLintExample {
  rule: string;
  severity: LintSeverity;
  /** JSON pointer into the (not dereferenced) document, e.g. "/paths/~1users/get/responses". */
  path: string;
  message: string;
}

/**
 * What Spectral found in one spec, bounded in size (≤ MAX_RULES rules, ≤ MAX_EXAMPLES examples, short strings):
 * safe to store as JSON on the Api and to show in evidence.
 */
export interface SpecLintSummary {
  tool: "spectral";
  rulesets: string[];
  /** "ok": linted; "skipped": not linted (too large, not serialisable); "timeout": over the time budget, results
   *  ignored; "failed": Spectral threw. Only "ok" carries results. */
  status: "ok" | "skipped" | "timeout" | "failed";
  /** Why the status is not "ok". */
  reason?: string;
  durationMs: number;
  /** All results, by severity. */
  counts: Record<LintSeverity, number>;
  total: number;
  /** Distinct failing rules, and of them the OWASP ones (ids starting "owasp:"). */
  failingRules: number;
  failingOwaspRules: number;
  /** Failing rules, most severe then most frequent first, at most MAX_RULES. */
  rules: SpecLintRule[];
  /** Examples: the first result of each listed rule, then more, at most MAX_EXAMPLES. */
  examples: SpecLintExample[];
}
