/**
 * ZAP alerts → findings, shared by the ZAP JSON and XML parsers (same report model, two serialisations).
 *
 * - Severity from `riskcode`: 0 info, 1 low, 2 medium, 3 high (else the word in `riskdesc`, else info).
 * - Confidence from `confidence`: 1 low, 2 medium, 3 high, 4 ("user confirmed") high. Confidence 0 means a person
 *   marked the alert a false positive in ZAP: such alerts are skipped, and a warning says how many.
 * - `cweid` -1/0 → no CWE. ruleId = `alertRef` (ZAP ≥ 2.10, distinguishes variants of one plugin) else `pluginid`.
 * - One finding per (site, rule, alert name, method, URL without query, param); each instance counts one occurrence.
 *   Alerts without instances (very old reports) give one finding with occurrences = `count`.
 * - Evidence from the first instance: request = request header + body, response = response header (+ body),
 *   detail = attack / evidence / other info. All redacted and bounded.
 * - Every `site` is a scanned scope (its name is the scanned base URL), with alerts or without: a report of sites
 *   without alerts is a clean scan, not an empty file. A report without any site yields one scope without target.
 */
import { type ParseContext, type ScanFinding, type ScanRecord, type Severity, scannedScope } from "../../contract";
import { severityFromName } from "../../../domain/severity";
import {
  FindingGroups,
  asArray,
  checkAborted,
  evidence,
  excerpt,
  extractUrls,
  htmlToText,
  int,
  isObject,
  key,
  parseCwe,
  title,
  urlWithoutQuery,
} from "./common";

/** Reads a text field of a report node (JSON: the string value; XML: the element text). */
export type FieldReader = (node: unknown, field: string) => string | undefined;

export interface ZapSiteInput {
  name?: string;
  alerts: unknown[];
}

const RISK: Record<string, Severity> = { "0": "info", "1": "low", "2": "medium", "3": "high" };
const CONFIDENCE: Record<string, "high" | "medium" | "low"> = { "1": "low", "2": "medium", "3": "high", "4": "high" };

function dedent(text: string | undefined): string | undefined {
  if (!text) return undefined;
  return text
    .split(/\r?\n/)
    .map((l) => l.trim())
    .join("\n")
    .trim();
}

function httpMessage(header: string | undefined, body: string | undefined): string | undefined {
  const h = dedent(header);
  const b = body?.trim();
  if (!h && !b) return undefined;
  return excerpt(b ? `${h ?? ""}\n\n${b.slice(0, 8000)}` : h);
}

function first(read: FieldReader, node: unknown, ...fields: string[]): string | undefined {
  for (const f of fields) {
    const v = read(node, f);
    if (v !== undefined) return v;
  }
  return undefined;
}

export function zapFindings(
  sites: ZapSiteInput[],
  tool: ScanFinding["tool"],
  read: FieldReader,
  ctx: ParseContext,
): ScanRecord[] {
  const groups = new FindingGroups();
  let falsePositives = 0;
  let seen = 0;
  for (const site of sites) {
    for (const alert of site.alerts) {
      checkAborted(ctx);
      const confidenceCode = read(alert, "confidence");
      if (confidenceCode === "0") {
        falsePositives++;
        continue;
      }
      const pluginId = read(alert, "pluginid");
      const ruleId = read(alert, "alertRef") ?? pluginId ?? "unknown";
      const name = first(read, alert, "alert", "name") ?? `ZAP alert ${ruleId}`;
      const risk = read(alert, "riskcode");
      const severity: Severity =
        (risk !== undefined && Object.hasOwn(RISK, risk) ? RISK[risk] : undefined) ??
        severityFromName(read(alert, "riskdesc")?.split(/[\s(]/)[0]) ??
        "info";
      // Alert-level text is the same for every instance: converted once per alert.
      let shared: Pick<ScanFinding, "description" | "remediation" | "references" | "cwe"> | undefined;
      const alertText = () =>
        (shared ??= {
          description: htmlToText(read(alert, "desc")),
          remediation: htmlToText(read(alert, "solution")),
          references: extractUrls(read(alert, "reference")),
          cwe: parseCwe(read(alert, "cweid")),
        });
      const make = (instance: unknown): ScanFinding => {
        const detailParts = [
          ["Attack", read(instance, "attack")],
          ["Evidence", read(instance, "evidence")],
          ["Other info", dedent(read(instance, "otherinfo") ?? read(alert, "otherinfo"))],
        ]
          .filter((p): p is [string, string] => p[1] !== undefined)
          .map(([label, value]) => `${label}: ${htmlToText(value) ?? value}`);
        const { description, remediation, references, cwe } = alertText();
        return {
          tool,
          target: site.name,
          ruleId,
          title: title(name),
          description,
          severity,
          confidence: confidenceCode !== undefined && Object.hasOwn(CONFIDENCE, confidenceCode) ? CONFIDENCE[confidenceCode] : undefined,
          cwe,
          url: undefined,
          method: undefined,
          parameter: undefined,
          evidence: evidence({
            request: httpMessage(
              first(read, instance, "requestheader", "request-header"),
              first(read, instance, "requestbody", "request-body"),
            ),
            response: httpMessage(
              first(read, instance, "responseheader", "response-header"),
              first(read, instance, "responsebody", "response-body"),
            ),
            detail: detailParts.length > 0 ? excerpt(detailParts.join("\n")) : undefined,
          }),
          remediation,
          references: references ? [...references] : undefined,
          occurrences: 1,
        };
      };

      const instances = instancesOf(alert);
      if (instances.length === 0) {
        const uri = read(alert, "uri");
        const url = uri ? urlWithoutQuery(uri) : undefined;
        const method = read(alert, "method")?.toUpperCase();
        const parameter = read(alert, "param");
        groups.add(
          key(site.name, ruleId, name, method, url, parameter),
          () => ({ ...make(alert), url, method, parameter }),
          Math.max(1, int(read(alert, "count")) ?? 1),
        );
        continue;
      }
      for (const instance of instances) {
        if (++seen % 5000 === 0) checkAborted(ctx);
        const uri = read(instance, "uri");
        const url = uri ? urlWithoutQuery(uri) : undefined;
        const method = read(instance, "method")?.toUpperCase();
        const parameter = read(instance, "param");
        groups.add(key(site.name, ruleId, name, method, url, parameter), () => ({
          ...make(instance),
          url,
          method,
          parameter,
        }));
      }
    }
  }
  if (falsePositives > 0) {
    ctx.warn(`${falsePositives} alert(s) with confidence 0 (marked false positive in ZAP) were skipped`);
  }
  const targets = [...new Set(sites.map((site) => site.name))];
  const scopes = targets.length > 0 ? targets.map((target) => scannedScope(tool, target)) : [scannedScope(tool)];
  return [...groups.values(), ...scopes];
}

/** `instances` is an array in JSON and `{ instance: [...] }` in XML. */
function instancesOf(alert: unknown): unknown[] {
  if (!isObject(alert)) return [];
  const raw = alert.instances;
  if (Array.isArray(raw)) return raw;
  if (isObject(raw)) return asArray(raw.instance);
  return [];
}
