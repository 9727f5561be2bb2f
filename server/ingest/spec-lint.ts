/**
 * OpenAPI / Swagger lint with Stoplight Spectral: the `spectral:oas` "recommended" rules and the OWASP API Security
 * Top 10 (2023) ruleset (`@stoplight/spectral-owasp-ruleset`), summarised into a small, bounded record that is stored
 * on the Api (Api.specLint) and read by the documentation-gaps rule (DESIGN.md §3).
 *
 * Spectral gets the document as written (`$ref`s not inlined) under a source name: with one, it follows each local
 * `$ref` back to the place it points at, so a shared schema reused by many operations yields one result at its own
 * path (e.g. /components/schemas/Pet/properties/name), as the Spectral CLI counts. Without one (a bare string), every
 * reuse counted again at the path of the reuse.
 *
 * Pure computation: no database, no network, no file system. Rulesets are imported as modules (never fetched), and
 * Spectral gets a `$ref` resolver whose http/https/file readers reject, so an external `$ref` becomes an
 * `invalid-ref` result instead of a download (Spectral's default resolver fetches http `$ref`s and can hang).
 *
 * Cost (measured, see the parsers' notes): ~60 ms fixed per document (Spectral compiles its JSON-Schema validators
 * per document) plus ~4 ms per KB of JSON; crAPI (100 KB) takes ~0.4 s. Hence two guards:
 * - `maxBytes`: a document larger than this (compact JSON) is not linted ("skipped"), since it could not finish in the
 *   budget;
 * - `timeoutMs` (default 3 s): we stop waiting after the budget, and a run that finished over the budget is ignored
 *   as well ("timeout"). Spectral's rule evaluation is synchronous, so the budget cannot interrupt it mid-way: the
 *   size guard is what keeps a single run short.
 */
import { Document, Spectral, type ISpectralDiagnostic, type RulesetDefinition } from "@stoplight/spectral-core";
import * as spectralParsers from "@stoplight/spectral-parsers";
import owasp from "@stoplight/spectral-owasp-ruleset";
import { Resolver } from "@stoplight/spectral-ref-resolver";
import { oas } from "@stoplight/spectral-rulesets";
import { parse as parseYaml } from "yaml";

// The summary's shape is part of the records (InventoryApi.specLint): it lives with them on the ground floor.
export type { LintSeverity, SpecLintExample, SpecLintRule, SpecLintSummary } from "@/server/domain/records";
import type { LintSeverity, SpecLintExample, SpecLintSummary } from "@/server/domain/records";

export type SpecLintResult = SpecLintSummary;

export interface SpecLintOptions {
  /** Time budget in milliseconds (default 3,000). */
  timeoutMs?: number;
  /** Largest document linted, in bytes of compact JSON (default 1 MiB). */
  maxBytes?: number;
  /** Stops waiting when aborted (an ingest cancel). */
  signal?: AbortSignal;
}

/** The lint budget per spec; POSTERN_SPEC_LINT_TIMEOUT_MS overrides it (the test suite raises it so that a loaded
 * CI machine does not turn lint results into timeouts). */
export const DEFAULT_LINT_TIMEOUT_MS = Number(process.env.POSTERN_SPEC_LINT_TIMEOUT_MS) > 0 ? Number(process.env.POSTERN_SPEC_LINT_TIMEOUT_MS) : 3000;
export const DEFAULT_LINT_MAX_BYTES = 1024 * 1024;
export const MAX_RULES = 30;
export const MAX_EXAMPLES = 50;
const MAX_MESSAGE = 300;
const MAX_POINTER = 300;
const RULESETS = ["spectral:oas (recommended)", "owasp:2023 (@stoplight/spectral-owasp-ruleset 2.0.1)"];
const SEVERITIES: readonly LintSeverity[] = ["error", "warn", "info", "hint"];
/** The name Spectral knows the document by (any name will do; it only has to have one, see above). */
export const LINT_SOURCE = "spec.json";

// A CommonJS module whose exports Node's ESM loader cannot list (tslib's __exportStar): under Node they sit on
// `default`, under a bundler on the namespace itself.
const Parsers: typeof spectralParsers =
  "Json" in spectralParsers ? spectralParsers : (spectralParsers as unknown as { default: typeof spectralParsers }).default;

let instance: Spectral | undefined;

/** One Spectral for the process: rulesets are compiled once. Runs keep their state per document. */
function spectral(): Spectral {
  if (instance) return instance;
  const refuse = {
    resolve(ref: { toString(): string }): Promise<never> {
      return Promise.reject(new Error(`external $ref not fetched: ${ref.toString()}`));
    },
  };
  const created = new Spectral({ resolver: new Resolver({ resolvers: { http: refuse, https: refuse, file: refuse } }) });
  // The packages type their rulesets as definitions of their own spectral-core copy: the same shape.
  const ruleset = {
    extends: [
      [oas as RulesetDefinition, "recommended"],
      [owasp as unknown as RulesetDefinition, "recommended"],
    ],
  } as RulesetDefinition;
  created.setRuleset(ruleset);
  instance = created;
  return created;
}

function empty(status: SpecLintSummary["status"], reason: string | undefined, durationMs: number): SpecLintSummary {
  return {
    tool: "spectral",
    rulesets: RULESETS,
    status,
    ...(reason !== undefined ? { reason } : {}),
    durationMs: Math.round(durationMs),
    counts: { error: 0, warn: 0, info: 0, hint: 0 },
    total: 0,
    failingRules: 0,
    failingOwaspRules: 0,
    rules: [],
    examples: [],
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function pointer(path: readonly (string | number)[]): string {
  return clip(path.map((p) => `/${String(p).replace(/~/g, "~0").replace(/\//g, "~1")}`).join(""), MAX_POINTER);
}

const severityOf = (d: ISpectralDiagnostic): LintSeverity => SEVERITIES[d.severity] ?? "hint";

/** Summarises Spectral diagnostics (exported for tests). */
export function summarise(results: readonly ISpectralDiagnostic[], durationMs: number): SpecLintSummary {
  const summary = empty("ok", undefined, durationMs);
  const byRule = new Map<string, { rule: string; severity: LintSeverity; count: number; first: ISpectralDiagnostic }>();
  for (const d of results) {
    const severity = severityOf(d);
    summary.counts[severity] += 1;
    const rule = String(d.code);
    const entry = byRule.get(rule);
    if (entry) {
      entry.count += 1;
      if (SEVERITIES.indexOf(severity) < SEVERITIES.indexOf(entry.severity)) entry.severity = severity;
    } else byRule.set(rule, { rule, severity, count: 1, first: d });
  }
  summary.total = results.length;
  const ranked = [...byRule.values()].sort(
    (a, b) =>
      SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity) || b.count - a.count || a.rule.localeCompare(b.rule),
  );
  summary.failingRules = ranked.length;
  summary.failingOwaspRules = ranked.filter((r) => r.rule.startsWith("owasp:")).length;
  summary.rules = ranked.slice(0, MAX_RULES).map(({ rule, severity, count }) => ({ rule, severity, count }));
  const example = (d: ISpectralDiagnostic): SpecLintExample => ({
    rule: String(d.code),
    severity: severityOf(d),
    path: pointer(d.path),
    message: clip(d.message, MAX_MESSAGE),
  });
  const chosen = new Set<ISpectralDiagnostic>();
  for (const r of ranked) {
    if (chosen.size >= MAX_EXAMPLES) break;
    chosen.add(r.first);
  }
  // Fill with further results, most severe first, in document order.
  for (const severity of SEVERITIES) {
    for (const d of results) {
      if (chosen.size >= MAX_EXAMPLES) break;
      if (severityOf(d) === severity) chosen.add(d);
    }
  }
  summary.examples = [...chosen].map(example);
  return summary;
}

/** Compact JSON of the document (text is parsed first: JSON, else YAML with the ingest's alias limit). */
function serialise(document: unknown): string {
  let value = document;
  if (typeof document === "string") {
    const trimmed = document.trimStart();
    value = trimmed.startsWith("{") || trimmed.startsWith("[") ? JSON.parse(document) : parseYaml(document, { maxAliasCount: 100 });
  }
  const json = JSON.stringify(value);
  if (typeof json !== "string") throw new Error("the document is not a JSON value");
  return json;
}

/**
 * Lints one OpenAPI 3.x / Swagger 2.0 document (the parsed object, not dereferenced, or its text) with the
 * `spectral:oas` and OWASP rulesets. Never throws: problems are reported in `status`/`reason`.
 */
export async function lintSpec(document: unknown, options: SpecLintOptions = {}): Promise<SpecLintResult> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LINT_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? DEFAULT_LINT_MAX_BYTES;
  const linter = spectral(); // built once per process, outside the budget
  const started = performance.now();
  const elapsed = () => performance.now() - started;
  let json: string;
  try {
    // Synchronous, before any await: later changes to `document` (e.g. dereferencing) do not affect the lint.
    json = serialise(document);
  } catch (error) {
    return empty("skipped", `not linted: ${error instanceof Error ? error.message : String(error)}`, elapsed());
  }
  if (json.length > maxBytes) {
    return empty("skipped", `not linted: the spec is ${Math.round(json.length / 1024)} KB, over the ${Math.round(maxBytes / 1024)} KB lint limit`, elapsed());
  }
  if (options.signal?.aborted) return empty("skipped", "not linted: cancelled", elapsed());

  const budget = `over the ${timeoutMs} ms lint budget; results ignored`;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<SpecLintSummary>((resolve) => {
    timer = setTimeout(() => resolve(empty("timeout", budget, elapsed())), timeoutMs);
    onAbort = () => resolve(empty("skipped", "not linted: cancelled", elapsed()));
    options.signal?.addEventListener("abort", onAbort, { once: true });
  });
  const run = linter
    .run(new Document(json, Parsers.Json, LINT_SOURCE), { ignoreUnknownFormat: false })
    .then(
      (results) => (elapsed() > timeoutMs ? empty("timeout", budget, elapsed()) : summarise(results, elapsed())),
      (error: unknown) => empty("failed", `Spectral failed: ${clip(error instanceof Error ? error.message : String(error), MAX_MESSAGE)}`, elapsed()),
    );
  try {
    return await Promise.race([run, stop]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener("abort", onAbort);
  }
}
