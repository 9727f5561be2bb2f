/**
 * Nuclei results: JSON Lines (`-jsonl`, one result per line) and a JSON array (`-json-export`).
 * New keys (`template-id`, `matched-at`, `matcher-name`, `curl-command`, `info.classification.cwe-id`) and old 2.x
 * ones (`templateID`, `matched`, `matcher_name`) are both read.
 *
 * - ruleId = template id, plus ":" + matcher name when the template has several matchers (as nuclei prints it), so
 *   that e.g. each missing security header stays a distinct finding.
 * - Severity from `info.severity`; "unknown" or missing → info.
 * - One finding per (ruleId, matched location); repeats (e.g. deprecated-tls for TLS 1.0 and 1.1) add occurrences
 *   and their extracted results to the detail.
 * - A line that is not JSON or not a nuclei result is a line error; the rest of the file is read. A file where no
 *   line is a nuclei result is rejected.
 * - No results is a clean scan: nuclei writes an empty JSONL file (here: blank lines) or `[]` then. It is a valid
 *   report whose scope is unknown (nuclei names a target only on results), so it resolves nothing unless the ingest
 *   option api names the Api. A 0-byte file is still rejected: it cannot be told from a failed run or upload.
 *   Each host with results is a scanned scope. An empty array is detected as Nuclei only by a file name that says so.
 */
import { ParseError, type ParseContext, type Parser, type ScanRecord, type Severity, type SourceFile, type ScanFinding, scannedScope } from "../../../contract";
import { severityFromName } from "../../../../domain/severity";
import {
  FindingGroups,
  asArray,
  asObject,
  checkAborted,
  evidence,
  excerpt,
  extractUrls,
  firstCwe,
  htmlToText,
  isObject,
  key,
  looksLikeJson,
  parseCve,
  readJson,
  str,
  title,
  truncate,
  urlWithoutQuery,
  type JsonObject,
} from "../common";

const TOOL = { name: "Nuclei" };

function templateId(o: JsonObject): string | undefined {
  return str(o["template-id"]) ?? str(o.templateID) ?? str(o.template_id);
}

function methodOf(o: JsonObject): string | undefined {
  const request = str(o.request);
  const fromRequest = request ? /^([A-Z]+) \S+ HTTP\//.exec(request)?.[1] : undefined;
  if (fromRequest) return fromRequest;
  const curl = str(o["curl-command"]);
  return curl ? /\s-X\s+'?([A-Z]+)'?/.exec(curl)?.[1] : undefined;
}

function extracted(o: JsonObject): string[] {
  return asArray(o["extracted-results"] ?? o.extracted_results)
    .map((v) => str(v))
    .filter((v): v is string => v !== undefined);
}

function detailText(o: JsonObject, extra: string[]): string | undefined {
  const lines: string[] = [];
  const values = [...extracted(o), ...extra];
  if (values.length > 0) lines.push(`Extracted: ${truncate(values.join(", "), 2000)}`);
  const matchedLine = str(o["matched-line"]);
  if (matchedLine) lines.push(`Matched line: ${matchedLine}`);
  const type = str(o.type);
  if (type) lines.push(`Type: ${type}`);
  return lines.length > 0 ? excerpt(lines.join("\n")) : undefined;
}

function toFinding(o: JsonObject, id: string, ruleId: string, matched: string | undefined): ScanFinding {
  const info = asObject(o.info) ?? {};
  const classification = asObject(info.classification);
  const matcher = str(o["matcher-name"]) ?? str(o.matcher_name);
  const name = str(info.name) ?? id;
  const severity: Severity = severityFromName(info.severity) ?? "info";
  const cves = asArray(classification?.["cve-id"]).map(parseCve);
  return {
    tool: TOOL,
    target: str(o.host),
    ruleId,
    title: title(matcher ? `${name}: ${matcher}` : name),
    description: htmlToText(info.description),
    severity,
    cwe: firstCwe(asArray(classification?.["cwe-id"]), true),
    cve: cves.find((c) => c !== undefined),
    url: matched ? urlWithoutQuery(matched) : undefined,
    method: methodOf(o),
    evidence: evidence({
      request: excerpt(str(o.request) ?? str(o["curl-command"])),
      response: excerpt(str(o.response)),
      detail: detailText(o, []),
    }),
    remediation: htmlToText(info.remediation),
    references: extractUrls(...asArray(info.reference)),
    occurrences: 1,
  };
}

class NucleiCollector {
  readonly groups = new FindingGroups();
  valid = 0;

  /** Adds one result; returns an error message when the record is not a nuclei result. */
  add(value: unknown): string | undefined {
    if (!isObject(value)) return "not a JSON object";
    const id = templateId(value);
    if (!id) return 'no "template-id" (or "templateID")';
    if (!isObject(value.info)) return 'no "info" object';
    this.valid++;
    const matcher = str(value["matcher-name"]) ?? str(value.matcher_name);
    const ruleId = matcher ? `${id}:${matcher}` : id;
    const matched = str(value["matched-at"]) ?? str(value.matched) ?? str(value.host);
    const found = this.groups.add(key(ruleId, matched ? urlWithoutQuery(matched) : undefined, str(value.host)), () =>
      toFinding(value, id, ruleId, matched),
    );
    if (found.occurrences > 1) {
      // Repeats carry other extracted results (e.g. TLS10 then TLS11): keep them in the detail.
      const more = extracted(value);
      if (more.length > 0 && found.evidence) {
        const prior = found.evidence.detail ?? "";
        const line = prior.split("\n").find((l) => l.startsWith("Extracted: "));
        const known = new Set(line ? line.slice("Extracted: ".length).split(", ") : []);
        const added = more.filter((v) => !known.has(v));
        if (added.length > 0) {
          const updated = `Extracted: ${truncate([...known, ...added].join(", "), 2000)}`;
          found.evidence.detail = excerpt(line ? prior.replace(line, updated) : `${updated}\n${prior}`);
        }
      }
    }
    return undefined;
  }
}

async function* parseNuclei(file: SourceFile, ctx: ParseContext): AsyncIterable<ScanRecord> {
  const head = await file.head();
  if (head.length === 0) throw new ParseError(`${file.name || "input"} is empty (0 bytes), not a Nuclei report`);
  const collector = new NucleiCollector();
  let errors = 0;
  if (/^\s*\[/.test(head)) {
    const doc = await readJson(file, "Nuclei JSON");
    if (!Array.isArray(doc)) throw new ParseError(`${file.name || "input"} is not a Nuclei JSON array`);
    for (const [i, item] of doc.entries()) {
      if (i % 2000 === 0) checkAborted(ctx);
      const error = collector.add(item);
      if (error) {
        errors++;
        ctx.lineError(i + 1, `result ${i + 1}: ${error}`);
      }
    }
    if (doc.length > 0 && collector.valid === 0) {
      throw new ParseError(`${file.name || "input"} is not a Nuclei report: no element is a nuclei result`);
    }
  } else {
    let lineNo = 0;
    for await (const line of file.lines()) {
      lineNo++;
      if (lineNo % 2000 === 0) checkAborted(ctx);
      if (line.trim() === "") continue;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (err) {
        errors++;
        ctx.lineError(lineNo, `invalid JSON: ${truncate(err instanceof Error ? err.message : String(err), 200)}`);
        continue;
      }
      const error = collector.add(value);
      if (error) {
        errors++;
        ctx.lineError(lineNo, error);
      }
    }
    if (errors > 0 && collector.valid === 0) {
      throw new ParseError(`${file.name || "input"} is not a Nuclei report: no line is a nuclei JSON result`);
    }
  }
  if (collector.valid === 0) ctx.warn("the Nuclei report has no results");
  const findings = collector.groups.values();
  yield* findings;
  const hosts = [...new Set(findings.map((f) => f.target).filter((t): t is string => t !== undefined))];
  yield* hosts.length > 0 ? hosts.map((host) => scannedScope(TOOL, host)) : [scannedScope(TOOL)];
}

export const parser: Parser<"scan"> = {
  id: "nuclei",
  family: "scan",
  label: "Nuclei (JSONL / JSON)",
  detect(head, fileName) {
    if (!looksLikeJson(head)) return 0;
    // `-json-export` of a scan without results: nothing in it says nuclei, only the file name can.
    if (/^\s*\[\s*\]\s*$/.test(head)) return /nuclei/i.test(fileName) ? 0.6 : 0;
    const id = /"(template-id|templateID)"\s*:\s*"/.test(head);
    const matched = /"matched(-at)?"\s*:\s*"/.test(head);
    if (id && matched) return 1;
    if (id && /"info"\s*:\s*\{/.test(head)) return 0.7;
    return 0;
  },
  parse: parseNuclei,
};
