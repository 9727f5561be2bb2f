/**
 * SARIF 2.1.0 from any tool (CodeQL, Semgrep, gitleaks, njsscan, Trivy…).
 *
 * Severity, first match wins:
 * 1. result `properties["security-severity"]`, then rule `properties["security-severity"]` (CVSS-like 0–10):
 *    ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low, 0 info;
 * 2. result `level`, then rule `defaultConfiguration.level`: error → high, warning → medium, note → low, none → info;
 * 3. rule `properties["problem.severity"]` (CodeQL): error → high, warning → medium, recommendation → low;
 * 4. otherwise "warning" (SARIF's default level) → medium.
 * Confidence from rule `properties.precision` (very-high/high → high, medium → medium, low → low).
 *
 * Rule: `ruleId`, else the rule the result points at (`rule.id`, `ruleIndex` / `rule.index` into
 * `tool.driver.rules`, or into `tool.extensions[n].rules` when `rule.toolComponent` names an extension by index, name
 * or guid), else the rule whose id, name or short description the message names (Gitleaks 7.x writes no ruleId,
 * only "AWS Access Key secret detected": the longest such name wins). "unknown" only when the file names no rule.
 *
 * Locations: a result with several `locations` is one finding per location (mobsfscan lists every place a pattern
 * matches in one result). Postern's finding is a rule at a location — that is what a person fixes, triages and sees
 * resolved — so each place gets its own lifecycle instead of being an uncounted detail of the first one. A result
 * without locations is one finding without a code location.
 *
 * Dedupe: results with the same tool, rule and location (file, line, url, method) are the same finding when their
 * `partialFingerprints` are equal (when the result has them), else when their messages are equal; such results become
 * one finding whose occurrences add up (`occurrenceCount` counts too). Others at the same place stay apart: the
 * first keeps the plain identity, each further one carries `distinctBy` (a digest of its fingerprints or message) so
 * that its fingerprint differs and every finding without a twin keeps the fingerprint it always had.
 *
 * Suppressions: a suppressed result is a finding that carries the tool's triage (`toolTriage`): state "suppressed"
 * for an accepted suppression (SARIF's default status), "under_review" / "rejected" otherwise, with the suppression's
 * kind (inSource / external) and justification. Results of kind pass/notApplicable and results whose baseline state
 * is "absent" are not findings; they are counted in a warning.
 *
 * Every run is a scanned scope (its tool and versionControlProvenance repository), results or not: a log without
 * runs, with empty runs, or whose results are all suppressed is a valid report, not an empty file.
 */
import { createHash } from "node:crypto";
import {
  ParseError,
  type ParseContext,
  type Parser,
  type ScanFinding,
  type ScanRecord,
  type ScannedScope,
  type Severity,
  type SourceFile,
  type ToolTriage,
  scannedScope,
} from "../../../contract";
import { severityFromScore } from "../../../../domain/severity";
import {
  FindingGroups,
  asArray,
  asObject,
  checkAborted,
  evidence,
  excerpt,
  extractUrls,
  firstCwe,
  int,
  isObject,
  key,
  looksLikeJson,
  parseCve,
  parseCwe,
  plainText,
  readJson,
  redact,
  str,
  title,
  truncate,
  urlWithoutQuery,
  type JsonObject,
} from "../common";

const LEVEL_SEVERITY: Record<string, Severity> = { error: "high", warning: "medium", note: "low", none: "info" };
const PROBLEM_SEVERITY: Record<string, Severity> = {
  error: "high",
  warning: "medium",
  recommendation: "low",
  note: "low",
};
const PRECISION: Record<string, "high" | "medium" | "low"> = {
  "very-high": "high",
  high: "high",
  medium: "medium",
  low: "low",
};

function redactedText(text: string | undefined): string | undefined {
  const bounded = plainText(text);
  return bounded === undefined ? undefined : redact(bounded);
}

export function sarifSeverity(result: JsonObject, rule: JsonObject | undefined): Severity {
  const resultProps = asObject(result.properties);
  const ruleProps = asObject(rule?.properties);
  const score = severityFromScore(resultProps?.["security-severity"]) ?? severityFromScore(ruleProps?.["security-severity"]);
  if (score) return score;
  const level = str(result.level) ?? str(asObject(rule?.defaultConfiguration)?.level);
  // Own keys only: a level such as "constructor" must not find Object.prototype's members.
  const byLevel = level && Object.hasOwn(LEVEL_SEVERITY, level.toLowerCase()) ? LEVEL_SEVERITY[level.toLowerCase()] : undefined;
  if (byLevel) return byLevel;
  const problem = str(ruleProps?.["problem.severity"]);
  const byProblem = problem && Object.hasOwn(PROBLEM_SEVERITY, problem.toLowerCase()) ? PROBLEM_SEVERITY[problem.toLowerCase()] : undefined;
  return byProblem ?? "medium";
}

/** `{0}` placeholders of a SARIF message replaced by its arguments. */
function formatMessage(template: string, args: unknown[]): string {
  if (args.length === 0) return template;
  return template.replace(/\{(\d+)\}/g, (m, i: string) => str(args[Number(i)]) ?? m);
}

function messageText(message: unknown, rule: JsonObject | undefined): string | undefined {
  const msg = asObject(message);
  if (!msg) return undefined;
  const args = asArray(msg.arguments);
  const direct = str(msg.text) ?? str(msg.markdown);
  if (direct) return formatMessage(direct, args);
  const id = str(msg.id);
  const strings = asObject(rule?.messageStrings);
  const fromRule = id ? asObject(strings?.[id]) : undefined;
  const text = str(fromRule?.text) ?? str(fromRule?.markdown);
  return text ? formatMessage(text, args) : undefined;
}

function multiformat(value: unknown): string | undefined {
  const o = asObject(value);
  return o ? (str(o.text) ?? str(o.markdown)) : undefined;
}

/** SARIF markdown links "[text](1)" point at relatedLocations; keep the text. */
function stripSarifLinks(text: string): string {
  return text.replace(/\[([^\]]*)\]\((\d+)\)/g, "$1");
}

interface RunTables {
  rules: JsonObject[];
  rulesById: Map<string, JsonObject>;
  extensions: { name?: string; guid?: string; rules: JsonObject[] }[];
  artifacts: unknown[];
  taxonomies: JsonObject[];
  /** Names a message may use for a rule (id, name, short description), longest first; built on first use. */
  names?: { text: string; rule: JsonObject }[];
}

function ruleTables(run: JsonObject): RunTables {
  const tool = asObject(run.tool);
  const driver = asObject(tool?.driver);
  const rules = asArray(driver?.rules).filter(isObject);
  const rulesById = new Map<string, JsonObject>();
  const extensions = asArray(tool?.extensions)
    .filter(isObject)
    .map((ext) => ({ name: str(ext.name), guid: str(ext.guid), rules: asArray(ext.rules).filter(isObject) }));
  for (const list of [rules, ...extensions.map((e) => e.rules)]) {
    for (const rule of list) {
      const id = str(rule.id);
      if (id && !rulesById.has(id)) rulesById.set(id, rule);
    }
  }
  return {
    rules,
    rulesById,
    extensions,
    artifacts: asArray(run.artifacts),
    taxonomies: asArray(run.taxonomies).filter(isObject),
  };
}

/** The rules a `rule.toolComponent` reference points into: an extension by index, name or guid, else the driver's. */
function componentRules(component: JsonObject | undefined, tables: RunTables): JsonObject[] | undefined {
  if (!component) return tables.rules;
  const index = int(component.index);
  if (index !== undefined) return tables.extensions[index]?.rules;
  const name = str(component.name);
  const guid = str(component.guid);
  const ext = tables.extensions.find((e) => (guid !== undefined && e.guid === guid) || (name !== undefined && e.name === name));
  return ext ? ext.rules : tables.rules;
}

function findRule(result: JsonObject, tables: RunTables): JsonObject | undefined {
  const ref = asObject(result.rule);
  const index = int(result.ruleIndex) ?? int(ref?.index);
  if (index !== undefined && index >= 0) {
    const rule = componentRules(asObject(ref?.toolComponent), tables)?.[index];
    if (rule) return rule;
  }
  const id = str(result.ruleId) ?? str(ref?.id);
  if (!id) return undefined;
  const exact = tables.rulesById.get(id);
  if (exact) return exact;
  // Hierarchical ids ("rule/subrule") fall back to the parent rule.
  const slash = id.indexOf("/");
  return slash > 0 ? tables.rulesById.get(id.slice(0, slash)) : undefined;
}

const MIN_RULE_NAME_CHARS = 3;

/** Whether `needle` (lower case) occurs in `text` (lower case) between word boundaries. */
function containsWords(text: string, needle: string): boolean {
  for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
    const before = at === 0 ? "" : text[at - 1]!;
    const after = text[at + needle.length] ?? "";
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}

/**
 * For results that name no rule (no ruleId, no rule reference): the rule whose id, name or short description the
 * message names. Gitleaks 7.x writes "AWS Access Key secret detected" with a rule "AWS Access Key". The longest name
 * found wins, so "AWS" does not take what "AWS Access Key" names.
 */
function ruleFromMessage(message: string | undefined, tables: RunTables): JsonObject | undefined {
  if (!message) return undefined;
  if (!tables.names) {
    const names: { text: string; rule: JsonObject }[] = [];
    for (const rule of [...tables.rules, ...tables.extensions.flatMap((e) => e.rules)]) {
      for (const text of [str(rule.id), str(rule.name), multiformat(rule.shortDescription)]) {
        if (text && text.length >= MIN_RULE_NAME_CHARS) names.push({ text: text.toLowerCase(), rule });
      }
    }
    tables.names = names.sort((a, b) => b.text.length - a.text.length);
  }
  const text = message.toLowerCase();
  return tables.names.find((n) => containsWords(text, n.text))?.rule;
}

/** The tool's triage from the result's suppressions: the one in force (accepted) first, then under review, rejected. */
function triageOf(result: JsonObject): ToolTriage | undefined {
  const suppressions = asArray(result.suppressions).filter(isObject);
  const status = (s: JsonObject) => str(s.status) ?? "accepted";
  const pick =
    suppressions.find((s) => status(s) === "accepted") ??
    suppressions.find((s) => status(s) === "underReview") ??
    suppressions.find((s) => status(s) === "rejected");
  if (!pick) return undefined;
  const state = status(pick) === "accepted" ? "suppressed" : status(pick) === "underReview" ? "under_review" : "rejected";
  const kind = str(pick.kind);
  const justification = plainText(pick.justification, 1000);
  return { state, ...(kind ? { kind } : {}), ...(justification ? { justification: redact(justification) } : {}) };
}

/** What tells two results at one place apart: their partialFingerprints when they have them, else their message. */
function identityOf(result: JsonObject, message: string | undefined): string {
  const fingerprints = asObject(result.partialFingerprints);
  if (fingerprints && Object.keys(fingerprints).length > 0) {
    const sorted = Object.keys(fingerprints)
      .sort()
      .map((k) => [k, str(fingerprints[k]) ?? ""]);
    return `fp:${JSON.stringify(sorted)}`;
  }
  return `msg:${message ?? ""}`;
}

function shortDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

function isCweComponent(node: unknown): boolean {
  const tc = asObject(node);
  return /cwe/i.test(str(tc?.name) ?? "");
}

function cweOf(result: JsonObject, rule: JsonObject | undefined): number | undefined {
  const ruleProps = asObject(rule?.properties);
  const resultProps = asObject(result.properties);
  const fromTags = firstCwe(asArray(ruleProps?.tags)) ?? firstCwe(asArray(resultProps?.tags));
  if (fromTags !== undefined) return fromTags;
  for (const props of [resultProps, ruleProps]) {
    for (const k of ["cwe", "CWE", "cwe-id", "cweId", "cwe_id"]) {
      const v = props?.[k];
      const c = firstCwe(asArray(v), true);
      if (c !== undefined) return c;
    }
  }
  for (const rel of asArray(rule?.relationships)) {
    const target = asObject(asObject(rel)?.target);
    if (target && isCweComponent(target.toolComponent)) {
      const c = parseCwe(str(target.id));
      if (c !== undefined) return c;
    }
  }
  for (const taxon of asArray(result.taxa)) {
    const t = asObject(taxon);
    if (t && isCweComponent(t.toolComponent)) {
      const c = parseCwe(str(t.id));
      if (c !== undefined) return c;
    }
  }
  return undefined;
}

function cveOf(ruleId: string, result: JsonObject, rule: JsonObject | undefined): string | undefined {
  const props = asObject(rule?.properties);
  return (
    parseCve(ruleId) ??
    asArray(props?.tags).map(parseCve).find((c) => c !== undefined) ??
    parseCve(str(asObject(result.properties)?.cve)) ??
    parseCve(multiformat(rule?.shortDescription))
  );
}

function fileUri(physical: JsonObject | undefined, tables: RunTables): string | undefined {
  const artifact = asObject(physical?.artifactLocation);
  let uri = str(artifact?.uri);
  const index = int(artifact?.index);
  if (!uri && index !== undefined) {
    uri = str(asObject(asObject(tables.artifacts[index])?.location)?.uri);
  }
  if (!uri) return undefined;
  if (uri.startsWith("file://")) uri = uri.replace(/^file:\/\/(localhost)?/, "");
  try {
    uri = decodeURI(uri);
  } catch {
    // keep as given
  }
  return truncate(uri, 1000);
}

function headerLines(headers: unknown): string {
  const h = asObject(headers);
  if (!h) return "";
  return Object.entries(h)
    .map(([name, value]) => `${name}: ${str(value) ?? ""}`)
    .join("\n");
}

function bodyText(body: unknown): string | undefined {
  const b = asObject(body);
  return str(b?.text) ?? (str(b?.binary) ? "[binary body]" : undefined);
}

function webRequestText(req: JsonObject): string | undefined {
  const first = [str(req.method)?.toUpperCase(), str(req.target), str(req.protocol) && str(req.version) ? `${str(req.protocol)}/${str(req.version)}` : undefined]
    .filter(Boolean)
    .join(" ");
  const text = [first, headerLines(req.headers), bodyText(req.body) ? `\n${bodyText(req.body)}` : ""]
    .filter((s) => s !== "")
    .join("\n");
  return excerpt(text);
}

function webResponseText(res: JsonObject): string | undefined {
  const status = [str(res.protocol) && str(res.version) ? `${str(res.protocol)}/${str(res.version)}` : undefined, str(res.statusCode), str(res.reasonPhrase)]
    .filter(Boolean)
    .join(" ");
  const text = [status, headerLines(res.headers), bodyText(res.body) ? `\n${bodyText(res.body)}` : ""]
    .filter((s) => s !== "")
    .join("\n");
  return excerpt(text);
}

/** The web location without its query string (query values can carry credentials; the request keeps them, redacted). */
function webUrl(result: JsonObject): string | undefined {
  const target = str(asObject(result.webRequest)?.target);
  if (target) return urlWithoutQuery(target);
  const props = asObject(result.properties);
  for (const k of ["url", "uri", "http.url", "endpoint"]) {
    const v = str(props?.[k]);
    if (v && /^https?:\/\//i.test(v)) return urlWithoutQuery(v);
  }
  return undefined;
}

function skippedReason(result: JsonObject): string | undefined {
  const kind = str(result.kind);
  if (kind === "pass" || kind === "notApplicable") return `kind "${kind}"`;
  if (str(result.baselineState) === "absent") return "baseline state absent";
  return undefined;
}

async function* parseSarif(file: SourceFile, ctx: ParseContext): AsyncIterable<ScanRecord> {
  const doc = await readJson(file, "SARIF");
  if (!isObject(doc) || !Array.isArray(doc.runs)) {
    throw new ParseError(`${file.name || "input"} is not a SARIF log: no "runs" array`);
  }
  const version = str(doc.version);
  if (version && version !== "2.1.0") ctx.warn(`SARIF version ${version} is read as 2.1.0`);

  const groups = new FindingGroups();
  const skipped = new Map<string, number>();
  const triaged = new Map<string, number>();
  /** Per tool + rule + location: the identity of the first finding there (it keeps the plain fingerprint). */
  const firstAt = new Map<string, string>();
  /** Groups whose merged results disagree about the tool's triage: they keep none. */
  const mixedTriage = new Set<string>();
  const scopes: ScannedScope[] = [];
  let seen = 0;
  for (const [runIndex, runValue] of doc.runs.entries()) {
    const run = asObject(runValue);
    if (!run) {
      ctx.warn(`run ${runIndex + 1} is not an object: skipped`);
      continue;
    }
    const driver = asObject(asObject(run.tool)?.driver);
    const toolName = str(driver?.name) ?? str(driver?.fullName) ?? "SARIF";
    const toolVersion = str(driver?.version) ?? str(driver?.semanticVersion);
    const tool = toolVersion ? { name: toolName, version: toolVersion } : { name: toolName };
    const vcp = asObject(asArray(run.versionControlProvenance)[0]);
    const target = str(vcp?.repositoryUri);
    const tables = ruleTables(run);
    if (!scopes.some((s) => s.tool.name === toolName && s.target === target)) scopes.push(scannedScope(tool, target));

    for (const resultValue of asArray(run.results)) {
      if (++seen % 2000 === 0) checkAborted(ctx);
      const result = asObject(resultValue);
      if (!result) continue;
      const skip = skippedReason(result);
      if (skip) {
        skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
        continue;
      }
      const ref = asObject(result.rule);
      const rawMessage = messageText(result.message, undefined);
      const rule = findRule(result, tables) ?? (str(result.ruleId) ?? str(ref?.id) ? undefined : ruleFromMessage(rawMessage, tables));
      const ruleId = str(result.ruleId) ?? str(ref?.id) ?? str(rule?.id) ?? "unknown";
      const message = messageText(result.message, rule);
      const identity = identityOf(result, message);
      const triage = triageOf(result);
      if (triage) triaged.set(triage.state, (triaged.get(triage.state) ?? 0) + 1);
      const url = webUrl(result);
      const webRequest = asObject(result.webRequest);
      const method = str(webRequest?.method)?.toUpperCase();
      const occurrences = Math.max(1, int(result.occurrenceCount) ?? 1);
      const locations = asArray(result.locations).map(asObject);

      for (const location of locations.length > 0 ? locations : [undefined]) {
        const physical = asObject(location?.physicalLocation);
        const region = asObject(physical?.region);
        const file = fileUri(physical, tables);
        const line = int(region?.startLine);
        const place = key(toolName, ruleId, file, line, url, method);
        const groupKey = key(place, identity);
        const first = firstAt.get(place);
        if (first === undefined) firstAt.set(place, identity);
        const distinctBy = first === undefined || first === identity ? undefined : shortDigest(identity);

        const group = groups.add(
          groupKey,
          () => {
            const ruleProps = asObject(rule?.properties);
            const ruleName = str(rule?.name);
            const heading =
              multiformat(rule?.shortDescription) ??
              str(ruleProps?.name) ??
              ruleName ??
              (message ? stripSarifLinks(message).split("\n")[0] : undefined) ??
              ruleId;
            const precision = str(ruleProps?.precision)?.toLowerCase();
            const webResponse = asObject(result.webResponse);
            const snippet =
              multiformat(region?.snippet) ?? multiformat(asObject(asObject(physical?.contextRegion)?.snippet));
            const finding: ScanFinding = {
              tool,
              target,
              ruleId,
              title: title(heading),
              // Messages can quote what was found (e.g. a secret scanner's match): redacted like evidence.
              description: redactedText(message ? stripSarifLinks(message) : multiformat(rule?.fullDescription)),
              severity: sarifSeverity(result, rule),
              confidence: precision && Object.hasOwn(PRECISION, precision) ? PRECISION[precision] : undefined,
              cwe: cweOf(result, rule),
              cve: cveOf(ruleId, result, rule),
              url,
              method,
              file,
              line,
              evidence: evidence({
                snippet: excerpt(snippet, 2000),
                request: webRequest ? webRequestText(webRequest) : undefined,
                response: webResponse ? webResponseText(webResponse) : undefined,
              }),
              remediation: plainText(multiformat(rule?.help)),
              references: extractUrls(str(rule?.helpUri)),
              occurrences: 1,
              distinctBy,
              toolTriage: triage,
            };
            return finding;
          },
          occurrences,
        );
        if (group.occurrences > occurrences && !mixedTriage.has(groupKey) && !sameTriage(group.toolTriage, triage)) {
          mixedTriage.add(groupKey);
          delete group.toolTriage;
        }
      }
    }
  }
  if (skipped.size > 0) {
    const parts = [...skipped].map(([reason, n]) => `${n} ${reason}`).join(", ");
    ctx.warn(`results that are not open findings were skipped: ${parts}`);
  }
  if (triaged.size > 0) {
    const parts = [...triaged].map(([state, n]) => `${n} ${state.replace("_", " ")}`).join(", ");
    ctx.warn(`results with suppressions are kept as findings with the tool's triage: ${parts}`);
  }
  yield* groups.values();
  // A log without runs still says what produced it: nothing, from an unnamed tool.
  yield* scopes.length > 0 ? scopes : [scannedScope({ name: "SARIF" })];
}

function sameTriage(a: ToolTriage | undefined, b: ToolTriage | undefined): boolean {
  return a?.state === b?.state && a?.kind === b?.kind && a?.justification === b?.justification;
}

export const parser: Parser<"scan"> = {
  id: "sarif",
  family: "scan",
  label: "SARIF 2.1.0",
  detect(head, fileName) {
    if (!looksLikeJson(head)) return 0;
    if (/"\$schema"\s*:\s*"[^"]*sarif/i.test(head)) return 1;
    const hasRuns = /"runs"\s*:\s*\[/.test(head);
    if (hasRuns && /"version"\s*:\s*"2\.1\.0"/.test(head)) return 0.95;
    if (hasRuns && /"tool"\s*:\s*\{/.test(head) && /"driver"\s*:\s*\{/.test(head)) return 0.9;
    if (/\.sarif(\.json)?$/i.test(fileName)) return 0.3;
    return 0;
  },
  parse: parseSarif,
};
