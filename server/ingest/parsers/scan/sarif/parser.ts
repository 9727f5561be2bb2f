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
 * Results are grouped by (tool, ruleId, file, line, url): identical ones become one finding whose occurrences add up
 * (`occurrenceCount` counts too). Results of kind pass/notApplicable, suppressed results and results whose baseline
 * state is "absent" are not findings; they are counted in a warning.
 */
import { ParseError, type ParseContext, type Parser, type ScanFinding, type Severity, type SourceFile } from "../../../contract";
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
} from "../shared";

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
  const byLevel = level ? LEVEL_SEVERITY[level.toLowerCase()] : undefined;
  if (byLevel) return byLevel;
  const problem = str(ruleProps?.["problem.severity"]);
  const byProblem = problem ? PROBLEM_SEVERITY[problem.toLowerCase()] : undefined;
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
  extensions: JsonObject[][];
  artifacts: unknown[];
  taxonomies: JsonObject[];
}

function ruleTables(run: JsonObject): RunTables {
  const tool = asObject(run.tool);
  const driver = asObject(tool?.driver);
  const rules = asArray(driver?.rules).filter(isObject);
  const rulesById = new Map<string, JsonObject>();
  const extensions = asArray(tool?.extensions)
    .filter(isObject)
    .map((ext) => asArray(ext.rules).filter(isObject));
  for (const list of [rules, ...extensions]) {
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

function findRule(result: JsonObject, tables: RunTables): JsonObject | undefined {
  const ref = asObject(result.rule);
  const index = int(result.ruleIndex) ?? int(ref?.index);
  const component = asObject(ref?.toolComponent);
  const extIndex = int(component?.index);
  if (index !== undefined && index >= 0) {
    const list = extIndex !== undefined ? tables.extensions[extIndex] : tables.rules;
    const rule = list?.[index];
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
  const suppressions = asArray(result.suppressions).filter(isObject);
  if (suppressions.some((s) => (str(s.status) ?? "accepted") === "accepted")) return "suppressed";
  return undefined;
}

async function* parseSarif(file: SourceFile, ctx: ParseContext): AsyncIterable<ScanFinding> {
  const doc = await readJson(file, "SARIF");
  if (!isObject(doc) || !Array.isArray(doc.runs)) {
    throw new ParseError(`${file.name || "input"} is not a SARIF log: no "runs" array`);
  }
  const version = str(doc.version);
  if (version && version !== "2.1.0") ctx.warn(`SARIF version ${version} is read as 2.1.0`);

  const groups = new FindingGroups();
  const skipped = new Map<string, number>();
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

    for (const resultValue of asArray(run.results)) {
      if (++seen % 2000 === 0) checkAborted(ctx);
      const result = asObject(resultValue);
      if (!result) continue;
      const skip = skippedReason(result);
      if (skip) {
        skipped.set(skip, (skipped.get(skip) ?? 0) + 1);
        continue;
      }
      const rule = findRule(result, tables);
      const ruleId = str(result.ruleId) ?? str(asObject(result.rule)?.id) ?? str(rule?.id) ?? "unknown";
      const location = asObject(asArray(result.locations)[0]);
      const physical = asObject(location?.physicalLocation);
      const region = asObject(physical?.region);
      const file = fileUri(physical, tables);
      const line = int(region?.startLine);
      const url = webUrl(result);
      const webRequest = asObject(result.webRequest);
      const method = str(webRequest?.method)?.toUpperCase();
      const occurrences = Math.max(1, int(result.occurrenceCount) ?? 1);

      groups.add(
        key(toolName, ruleId, file, line, url, method),
        () => {
          const message = messageText(result.message, rule);
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
            confidence: precision ? PRECISION[precision] : undefined,
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
          };
          return finding;
        },
        occurrences,
      );
    }
  }
  if (skipped.size > 0) {
    const parts = [...skipped].map(([reason, n]) => `${n} ${reason}`).join(", ");
    ctx.warn(`results that are not open findings were skipped: ${parts}`);
  }
  yield* groups.values();
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
