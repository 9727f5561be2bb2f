/**
 * Burp Suite XML export (`<issues burpVersion>` → `<issue>`).
 *
 * - ruleId = `type` (Burp's numeric issue type), title = `name`.
 * - Severity: High → high, Medium → medium, Low → low, Information → info. Confidence: Certain → high,
 *   Firm → medium, Tentative → low.
 * - url = host + path (without query); parameter from the location suffix ("/login.jsp [username parameter]",
 *   "[b_id cookie]"); method from the first request.
 * - CWE from `vulnerabilityClassifications` (first CWE-NNN), references from `references` links.
 * - Request/response of the first `requestresponse`: base64 decoded (only a bounded prefix), redacted, bounded. A
 *   body that is not text (a ZIP, an image) is kept as "[binary body, <content type>, <size> bytes] <hex>…"
 *   (../http-message.ts).
 * - Issues with the same (type, method, url, parameter) become one finding with occurrences.
 */
import { ParseError, type Parser, type ScanFinding, type Severity } from "../../../contract";
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
  joinUrl,
  key,
  looksLikeXml,
  MAX_EVIDENCE_CHARS,
  readXml,
  title,
  urlWithoutQuery,
  xmlAttr,
  xmlText,
  type JsonObject,
} from "../common";
import { base64Size, httpMessageText } from "../http-message";

const SEVERITY: Record<string, Severity> = {
  high: "high",
  medium: "medium",
  low: "low",
  information: "info",
  informational: "info",
  info: "info",
};
const CONFIDENCE: Record<string, "high" | "medium" | "low"> = { certain: "high", firm: "medium", tentative: "low" };

/** Decodes at most enough base64 to fill an evidence excerpt. */
function decodeMessage(node: unknown): string | undefined {
  const raw = xmlText(node);
  if (!raw) return undefined;
  if (xmlAttr(node, "base64") !== "true") return raw.slice(0, MAX_EVIDENCE_CHARS * 2);
  const compact = raw.slice(0, Math.ceil((MAX_EVIDENCE_CHARS * 2 * 4) / 3) + 8).replace(/\s+/g, "");
  const usable = compact.slice(0, compact.length - (compact.length % 4));
  return httpMessageText(Buffer.from(usable, "base64"), base64Size(raw));
}

function parameterOf(location: string | undefined): string | undefined {
  if (!location) return undefined;
  const m = /\[([^\s\]]+) (?:[\w ]*?)(parameter|cookie|header)\]\s*$/i.exec(location);
  return m?.[1];
}

export const parser: Parser<"scan"> = {
  id: "burp-xml",
  family: "scan",
  label: "Burp Suite (XML)",
  detect(head) {
    if (!looksLikeXml(head)) return 0;
    if (/<issues\s+burpVersion=/.test(head)) return 1;
    if (/<issues[\s>]/.test(head) && /<issue>/.test(head) && /<serialNumber>/.test(head)) return 0.8;
    return 0;
  },
  async *parse(file, ctx) {
    const doc = await readXml(file, "Burp XML", ["issue", "requestresponse"]);
    const root = doc.issues;
    if (root === undefined) throw new ParseError(`${file.name || "input"} is not a Burp XML export: no <issues> element`);
    const issues = asObject(root);
    const version = xmlAttr(issues, "burpVersion");
    const tool = { name: "Burp Suite", ...(version ? { version } : {}) };
    const groups = new FindingGroups();
    for (const [i, value] of asArray(issues?.issue).entries()) {
      if (i % 1000 === 0) checkAborted(ctx);
      const issue: JsonObject | undefined = asObject(value);
      if (!issue) continue;
      const ruleId = xmlText(issue.type) ?? "unknown";
      const name = xmlText(issue.name) ?? `Burp issue ${ruleId}`;
      const host = xmlText(issue.host);
      const path = xmlText(issue.path);
      const url = host ? urlWithoutQuery(joinUrl(host, path ?? "")) : path;
      const location = xmlText(issue.location);
      const parameter = parameterOf(location);
      const rr = asObject(asArray(issue.requestresponse)[0]);
      const method = (xmlAttr(rr?.request, "method") ?? undefined)?.toUpperCase();
      const severityWord = xmlText(issue.severity)?.toLowerCase();
      const confidenceWord = xmlText(issue.confidence)?.toLowerCase();
      if (severityWord === "false positive") continue;
      groups.add(key(ruleId, method, url, parameter ?? location), () => {
        const request = decodeMessage(rr?.request);
        const finding: ScanFinding = {
          tool,
          target: host,
          ruleId,
          title: title(name),
          description: htmlToText(xmlText(issue.issueBackground)),
          severity: (severityWord && Object.hasOwn(SEVERITY, severityWord) ? SEVERITY[severityWord] : undefined) ?? "info",
          confidence: confidenceWord && Object.hasOwn(CONFIDENCE, confidenceWord) ? CONFIDENCE[confidenceWord] : undefined,
          cwe: firstCwe(htmlToText(xmlText(issue.vulnerabilityClassifications))?.split("\n") ?? []),
          url,
          method: method ?? (request ? /^([A-Z]+) /.exec(request)?.[1] : undefined),
          parameter,
          evidence: evidence({
            request: excerpt(request),
            response: excerpt(decodeMessage(rr?.response)),
            detail: excerpt(
              [location ? `Location: ${location}` : undefined, htmlToText(xmlText(issue.issueDetail))]
                .filter(Boolean)
                .join("\n"),
            ),
          }),
          remediation: htmlToText(
            [xmlText(issue.remediationDetail), xmlText(issue.remediationBackground)].filter(Boolean).join("<br>"),
          ),
          references: extractUrls(xmlText(issue.references)),
          occurrences: 1,
        };
        return finding;
      });
    }
    yield* groups.values();
  },
};
