/**
 * The parser contract. Every input format is one parser: it detects its format from the first bytes of a file and
 * turns the file into normalised records of its family. Parsers are pure: they never touch the database, the
 * network or the clock (times come from the input). The pipeline (server/ingest/pipeline.ts) is the only writer.
 */

import type { SpecLintSummary } from "./spec-lint";

export type Family = "inventory" | "scan" | "traffic" | "vault";

/** A file being ingested. Reading is lazy so that large logs can be streamed with bounded memory. */
export interface SourceFile {
  /** Original file name ("" when unknown, e.g. a raw HTTP body). Only a hint: detection is by content. */
  readonly name: string;
  /** Size in bytes when known up front, else null. */
  readonly size: number | null;
  /** Where the content is on disk, when it is a file: large gateway logs are then read in parallel byte ranges. */
  readonly path?: string;
  /** The first HEAD_BYTES of the content decoded as UTF-8 (BOM stripped). */
  head(): Promise<string>;
  /** The whole content as text. Throws ParseError when it is larger than `maxBytes`. */
  text(maxBytes?: number): Promise<string>;
  /** The content line by line (without line terminators), streamed. Line numbers start at 1. */
  lines(): AsyncIterable<string>;
  /**
   * The raw bytes, streamed, when the source can give them (files, buffers): lets large logs be split into line
   * batches for a parse worker and hashed without decoding. `lines()` must be the same content.
   */
  chunks?(): AsyncIterable<Uint8Array>;
  /**
   * The raw bytes for a reader that computes their SHA-256 itself (the parse worker, on its own thread) and hands the
   * hex digest back once it has read them all, so that the ingest does not hash them on its thread too. Offered by
   * sources that hash what is read (the pipeline's); `digest` must be called after the last chunk.
   */
  chunksHashedBy?(): { chunks: AsyncIterable<Uint8Array>; digest(hex: string): void };
}

export const HEAD_BYTES = 64 * 1024;
/** Default ceiling for formats that must be read whole (specs, JSON/XML reports). */
export const MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

export interface ParseContext {
  /**
   * Options given at ingest time. `api` attributes a whole file (e.g. an NGINX log without hosts) to one Api.
   * `specLint: false` skips the Spectral lint of OpenAPI/Swagger specs (~0.1-0.4 s per spec; for bulk loads).
   */
  readonly options: Readonly<{ api?: string; specLint?: boolean }>;
  /** A file-level note that does not stop the ingest (e.g. "external $ref not fetched"). */
  warn(message: string, line?: number): void;
  /** A record that could not be parsed: counted, the first 100 kept with their line numbers; the rest of the file ingests. */
  lineError(line: number, message: string): void;
  /** `count` more bad lines whose details were not kept (a reader that keeps only the first ones): counted only. */
  countLineErrors?(count: number): void;
  /** Set when the ingest was cancelled; long-running parsers check it between records. */
  readonly signal?: AbortSignal;
  /**
   * Per-record work a streaming persister hands to the parse worker, set before it iterates the records: a gateway
   * log parsed on a worker thread (parsers/traffic/parallel.ts) runs it there on each event, in file order, so that
   * it costs the ingest thread nothing. See EventStage.
   */
  eventStage?: EventStage;
}

/**
 * A module run in the parse worker: `module` (a file URL) exports `createEventStage(data)`, which returns the
 * function called with each parsed event; it may add properties to the event (plain data, copied to the ingest
 * thread with it). `data` must be structured-cloneable.
 */
export interface EventStage {
  module: string;
  data: unknown;
}

/** The whole file is rejected (not this format, truncated, too large, unsafe). Nothing is written. */
export class ParseError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = "ParseError";
  }
}

export interface Parser<F extends Family = Family, R = RecordOf<F>> {
  /** Stable format id used by the CLI (`--format`), the API and ingest runs, e.g. "openapi", "zap-json". */
  readonly id: string;
  readonly family: F;
  /** Human label, e.g. "OWASP ZAP (JSON)". */
  readonly label: string;
  /**
   * How sure this parser is that `head` (the first 64 KiB) is its format: 0 = not mine, 1 = certain.
   * Content decides; the file name may only break ties (return e.g. 0.3 for a bare extension match).
   */
  detect(head: string, fileName: string): number;
  /** Normalised records of the file. Throws ParseError to reject the whole file. */
  parse(file: SourceFile, ctx: ParseContext): AsyncIterable<R>;
  /**
   * Line-oriented formats (gateway logs) declare how one line becomes events: the parse worker and the shard workers
   * (parsers/traffic/parallel.ts, server/traffic/shards.ts) read large files with it on other threads. A format
   * without it is always read by `parse` on the ingest thread.
   */
  readonly lines?: LineReader;
}

/** A well-formed line that carries no record (TCP proxy line, empty request line): counted, not an error. */
export class Skip {
  constructor(readonly reason: string) {}
}

/** What a line reader returns for one line: event(s), a Skip, or a string = the reason the line is bad. */
export type LineResult = TrafficEvent | TrafficEvent[] | Skip | string;

export interface LineReader {
  /** One line (without its terminator) → its result. Pure. */
  handle(line: string): LineResult;
  /**
   * Optional fast path over `text.slice(start, end)` without slicing it: answers exactly what `handle` would, or
   * undefined when unsure (then `handle` decides). Strings it returns may be slices of `text`.
   */
  scanRange?(text: string, start: number, end: number): LineResult | undefined;
}

export type RecordOf<F extends Family> = F extends "inventory"
  ? InventoryApi
  : F extends "scan"
    ? ScanRecord
    : F extends "traffic"
      ? TrafficEvent
      : F extends "vault"
        ? VaultEvent
        : never;

// ---------------------------------------------------------------------------------------------------------------
// Inventory

export type Lifecycle = "production" | "experimental" | "deprecated" | "retired";
export type Exposure = "internet" | "partner" | "internal";
export type DataClass = "pii" | "financial" | "credentials" | "health";
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
  parameters: { name: string; in: "path" | "query" | "header" | "cookie" | "body" }[];
  /** A 2xx response with a schema is documented. */
  hasSuccessSchema: boolean;
  hasExamples: boolean;
  /** Classified fields of 2xx response schemas. */
  responseFields: ResponseField[];
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

export type Severity = "critical" | "high" | "medium" | "low" | "info";

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
