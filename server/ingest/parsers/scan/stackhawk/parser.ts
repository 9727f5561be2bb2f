/**
 * StackHawk (HawkScan) JSON: `scanCompleted.scan` + `scanCompleted.findings[]`.
 *
 * - One finding per (host, pluginId, method, path); a path reported twice adds an occurrence.
 * - ruleId = `pluginId` (a ZAP plugin id), title = `pluginName`, severity High/Medium/Low (else info).
 * - CWE only when the finding carries one (`cwe`/`cweId`); none is invented from the plugin id.
 * - Paths triaged as FALSE_POSITIVE in StackHawk are skipped (counted in a warning); other triage states are kept.
 * - target = the finding's `host` (the scanned base URL), url = host + path.
 */
import { ParseError, type Parser, type ScanFinding } from "../../../contract";
import { severityFromName } from "../../../../domain/severity";
import {
  FindingGroups,
  asArray,
  asObject,
  checkAborted,
  evidence,
  excerpt,
  extractUrls,
  htmlToText,
  isObject,
  joinUrl,
  key,
  looksLikeJson,
  parseCwe,
  readJson,
  str,
  title,
  urlWithoutQuery,
} from "../shared";

export const parser: Parser<"scan"> = {
  id: "stackhawk",
  family: "scan",
  label: "StackHawk (JSON)",
  detect(head) {
    if (!looksLikeJson(head)) return 0;
    if (/"scanCompleted"\s*:\s*\{/.test(head)) return 1;
    return 0;
  },
  async *parse(file, ctx) {
    const doc = await readJson(file, "StackHawk JSON");
    const completed = isObject(doc) ? asObject(doc.scanCompleted) : undefined;
    if (!completed) throw new ParseError(`${file.name || "input"} is not a StackHawk report: no "scanCompleted" object`);
    const scan = asObject(completed.scan);
    const version = str(scan?.hawkscanVersion);
    const tool = { name: "StackHawk", ...(version ? { version } : {}) };
    const groups = new FindingGroups();
    let falsePositives = 0;
    for (const [i, value] of asArray(completed.findings).entries()) {
      if (i % 1000 === 0) checkAborted(ctx);
      const f = asObject(value);
      if (!f) continue;
      const ruleId = str(f.pluginId) ?? "unknown";
      const host = str(f.host) ?? str(scan?.application);
      const make = (path: string | undefined, method: string | undefined): ScanFinding => {
        const url = host && path !== undefined ? urlWithoutQuery(joinUrl(host, path === "" ? "/" : path)) : host;
        return {
          tool,
          target: host,
          ruleId,
          title: title(str(f.pluginName) ?? `StackHawk plugin ${ruleId}`),
          description: htmlToText(f.description),
          severity: severityFromName(f.severity) ?? "info",
          cwe: parseCwe(f.cwe ?? f.cweId),
          url,
          method,
          evidence: evidence({
            detail: excerpt(
              [str(f.category) ? `Category: ${str(f.category)}` : undefined, str(f.findingURL) ? `StackHawk: ${str(f.findingURL)}` : undefined]
                .filter(Boolean)
                .join("\n"),
            ),
          }),
          remediation: htmlToText(f.solution ?? f.remediation),
          references: extractUrls(f.findingURL),
          occurrences: 1,
        };
      };
      const paths = asArray(f.paths).filter(isObject);
      if (paths.length === 0) {
        groups.add(key(host, ruleId), () => make(undefined, undefined));
        continue;
      }
      for (const p of paths) {
        if (str(p.status)?.toUpperCase() === "FALSE_POSITIVE") {
          falsePositives++;
          continue;
        }
        const path = typeof p.path === "string" ? p.path.trim() : undefined;
        const method = str(p.method)?.toUpperCase();
        const normalised = path === undefined ? undefined : path === "" ? "/" : urlWithoutQuery(path);
        groups.add(key(host, ruleId, method, normalised), () => make(path, method));
      }
    }
    if (falsePositives > 0) ctx.warn(`${falsePositives} path(s) triaged as false positive in StackHawk were skipped`);
    yield* groups.values();
  },
};
