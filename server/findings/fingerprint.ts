/**
 * Scan finding identity (DESIGN.md §3 "Dedupe"): one fingerprint per (tool, rule, subject, location).
 *
 *   fingerprint = sha256 hex of the "|"-joined parts
 *     1. "scan"                         — namespace (posture/traffic rules hash differently)
 *     2. tool name, lower case           — "zap" from ZAP JSON and ZAP XML is one tool
 *     3. rule id                          — the tool's rule/plugin/template id
 *     4. title, only for rule ids that are reused for different alerts (TITLE_KEYED_RULES: ZAP/StackHawk script
 *        rules 100000…, "unknown"/empty ids); otherwise "" so that a reworded title does not make a new finding
 *     5. subject: "api:<apiId>" when the finding maps to an Api, else "target:<normalised target>", else "-"
 *     6. web location: "<METHOD> <endpoint template>" when it maps to an endpoint (so /pet/1 and /pet/2 are one
 *        finding with occurrences), else "<METHOD> <concrete path>" (relative to the Api's base path when mapped,
 *        "host/path" when unmapped); query strings never count
 *     7. parameter name (ZAP/Burp "param"), as given
 *     8. code location: "file:line" (file only when no line)
 *     9. only when the finding has one: its `distinctBy` key (several findings of one rule at one location that the
 *        tool tells apart, e.g. SARIF results with different partialFingerprints). Absent, the part is left out of
 *        the joined string altogether, so every fingerprint computed before this part existed is unchanged.
 *
 * Consequences, on purpose: the same alert on the same endpoint from two imports is one finding; one alert on two
 * endpoints is two findings; an unmapped finding that later maps (its Api was inventoried) gets a new fingerprint,
 * so the unmapped one resolves as "not seen in rescan" in the next scan of its target scope and the mapped one opens.
 */
import { createHash } from "node:crypto";

/** Rule ids that tools reuse for different alerts: the title is part of the identity. */
const TITLE_KEYED_RULES = new Set(["100000", "100001", "100002", "100003", "50000", "50001", "unknown", "", "-1"]);

export function titleIsIdentity(ruleId: string): boolean {
  return TITLE_KEYED_RULES.has(ruleId.trim().toLowerCase());
}

export interface FingerprintParts {
  tool: string;
  ruleId: string;
  title: string;
  apiId: string | null;
  /** Normalised scan target (see normaliseTarget) for unmapped findings. */
  target: string | null;
  method?: string | undefined;
  /** Endpoint template, else concrete path. */
  path?: string | undefined;
  parameter?: string | undefined;
  file?: string | undefined;
  line?: number | undefined;
  /** ScanFinding.distinctBy. */
  distinctBy?: string | undefined;
}

export function toolKey(name: string): string {
  return name.trim().toLowerCase();
}

export function findingFingerprint(p: FingerprintParts): string {
  const subject = p.apiId ? `api:${p.apiId}` : p.target ? `target:${p.target}` : "-";
  const web = p.path ? `${(p.method ?? "").toUpperCase()} ${p.path}` : "";
  const code = p.file ? (p.line !== undefined ? `${p.file}:${p.line}` : p.file) : "";
  const parts = ["scan", toolKey(p.tool), p.ruleId, titleIsIdentity(p.ruleId) ? p.title : "", subject, web, p.parameter ?? "", code];
  if (p.distinctBy) parts.push(p.distinctBy);
  return createHash("sha256").update(parts.join("|")).digest("hex");
}

/**
 * A scan target or repository URL in one spelling: scheme, "git@host:" form, credentials, ".git", query, trailing
 * slashes dropped, lower case. "https://GitHub.com/Org/Repo.git/" → "github.com/org/repo".
 */
export function normaliseTarget(raw: string | null | undefined): string | null {
  if (!raw) return null;
  let t = raw.trim().toLowerCase();
  if (!t) return null;
  t = t.replace(/^git\+/, "").replace(/^[a-z][a-z0-9+.-]*:\/\//, "");
  t = t.replace(/^git@([^:/]+):/, "$1/");
  const at = t.indexOf("@");
  const slash = t.indexOf("/");
  if (at !== -1 && (slash === -1 || at < slash)) t = t.slice(at + 1);
  t = t.replace(/[?#].*$/, "").replace(/\/+$/, "").replace(/\.git$/, "").replace(/\/+$/, "");
  t = t.replace(/:(80|443)(?=\/|$)/, "");
  return t || null;
}

/** Rescan scope: tool + Api, else tool + normalised target ("" when the report names no target). */
export function scopeKey(tool: string, apiId: string | null, target: string | null): string {
  return apiId ? `${toolKey(tool)}|api:${apiId}` : `${toolKey(tool)}|target:${target ?? ""}`;
}
