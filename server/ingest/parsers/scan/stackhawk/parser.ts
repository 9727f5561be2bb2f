/**
 * StackHawk (HawkScan) JSON: `scanCompleted.scan` + `scanCompleted.findings[]`.
 *
 * - One finding per (host, pluginId, method, path); a path reported twice adds an occurrence.
 * - ruleId = `pluginId` (a ZAP plugin id), title = `pluginName`, severity High/Medium/Low (else info).
 * - CWE only when the finding carries one (`cwe`/`cweId`); none is invented from the plugin id.
 * - Paths triaged in StackHawk as FALSE_POSITIVE or RISK_ACCEPTED are findings that carry the tool's triage
 *   (`toolTriage` false_positive / risk_accepted; counted in a warning). Paths merged into one finding keep it only
 *   when they all share it. Other statuses (NEW…) are untriaged.
 * - target = the finding's `host` (the scanned base URL), url = host + path.
 * - Each host is a scanned scope. A report without findings (or without any) is a clean scan; it names no host
 *   (`scan` has the application and environment, not the URL), so it resolves nothing unless the ingest option api
 *   names the Api.
 */
import { ParseError, type Parser, type ScanFinding, type ToolTriage, scannedScope } from "../../../contract";
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
} from "../common";

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
    const triaged = { false_positive: 0, risk_accepted: 0 };
    const mixedTriage = new Set<string>();
    const hosts = new Set<string>();
    for (const [i, value] of asArray(completed.findings).entries()) {
      if (i % 1000 === 0) checkAborted(ctx);
      const f = asObject(value);
      if (!f) continue;
      const ruleId = str(f.pluginId) ?? "unknown";
      const host = str(f.host) ?? str(scan?.application);
      if (host) hosts.add(host);
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
        const status = str(p.status)?.toUpperCase();
        const triage: ToolTriage | undefined =
          status === "FALSE_POSITIVE" ? { state: "false_positive" } : status === "RISK_ACCEPTED" ? { state: "risk_accepted" } : undefined;
        if (triage?.state === "false_positive") triaged.false_positive++;
        else if (triage?.state === "risk_accepted") triaged.risk_accepted++;
        const path = typeof p.path === "string" ? p.path.trim() : undefined;
        const method = str(p.method)?.toUpperCase();
        const normalised = path === undefined ? undefined : path === "" ? "/" : urlWithoutQuery(path);
        const groupKey = key(host, ruleId, method, normalised);
        const group = groups.add(groupKey, () => ({ ...make(path, method), toolTriage: triage }));
        if (group.occurrences > 1 && !mixedTriage.has(groupKey) && group.toolTriage?.state !== triage?.state) {
          mixedTriage.add(groupKey);
          delete group.toolTriage;
        }
      }
    }
    if (triaged.false_positive + triaged.risk_accepted > 0) {
      ctx.warn(
        `path(s) triaged in StackHawk are kept as findings with the tool's triage: ${triaged.false_positive} false positive, ${triaged.risk_accepted} risk accepted`,
      );
    }
    yield* groups.values();
    yield* hosts.size > 0 ? [...hosts].map((host) => scannedScope(tool, host)) : [scannedScope(tool)];
  },
};
