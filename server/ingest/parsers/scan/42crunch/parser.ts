/**
 * 42Crunch API Security Audit JSON (a static audit of an OpenAPI definition).
 *
 * - Every issue group under `report` (`security`, `data`, …) has `issues.<issue-id>` with `description`,
 *   `criticality` and `issues[]`; each entry's `pointer` indexes `report.index[]`, a JSON pointer into the spec.
 * - One finding per (issue id, pointer). ruleId = issue id; title = description; severity from the entry's
 *   criticality (else the issue's): 5 critical, 4 high, 3 medium, 2 low, 1 (or 0) info.
 * - The pointer is decoded (`~1` → `/`, `~0` → `~`): `/paths/~1users~1{id}/get/…` → method GET, path /users/{id};
 *   url = first audited endpoint (`report.summary.endpoints[0]`) + path. The pointer itself is kept as
 *   `file` = "#/…" (a location inside the audited definition), so issues outside paths (components) stay distinct.
 * - target = the first audited endpoint, else the API name. No CWE is given by the report.
 */
import { ParseError, type Parser, type ScanFinding, type Severity } from "../../../contract";
import {
  FindingGroups,
  asArray,
  asObject,
  checkAborted,
  evidence,
  excerpt,
  int,
  isObject,
  joinUrl,
  key,
  looksLikeJson,
  plainText,
  readJson,
  str,
  title,
  truncate,
} from "../common";

const CRITICALITY: Record<number, Severity> = { 5: "critical", 4: "high", 3: "medium", 2: "low", 1: "info", 0: "info" };
const METHODS = new Set(["get", "put", "post", "delete", "options", "head", "patch", "trace"]);

/** Decodes a JSON pointer ("/paths/~1users~1{id}/get") into its segments. */
export function decodePointer(pointer: string): string[] {
  const p = pointer.startsWith("#") ? pointer.slice(1) : pointer;
  if (p === "") return [];
  return p
    .replace(/^\//, "")
    .split("/")
    .map((s) => {
      let seg = s.replace(/~1/g, "/").replace(/~0/g, "~");
      try {
        seg = decodeURIComponent(seg);
      } catch {
        // keep as is
      }
      return seg;
    });
}

export function operationOfPointer(pointer: string): { path?: string; method?: string } {
  const segs = decodePointer(pointer);
  if (segs[0] !== "paths" || segs[1] === undefined) return {};
  const method = segs[2]?.toLowerCase();
  return { path: segs[1], ...(method && METHODS.has(method) ? { method: method.toUpperCase() } : {}) };
}

export const parser: Parser<"scan"> = {
  id: "42crunch",
  family: "scan",
  label: "42Crunch API Audit (JSON)",
  detect(head) {
    if (!looksLikeJson(head)) return 0;
    if (!/"report"\s*:\s*\{/.test(head)) return 0;
    const security = /"security"\s*:\s*\{/.test(head);
    const index = /"index"\s*:\s*\[/.test(head);
    const criticality = /"criticality"\s*:/.test(head);
    if (security && (index || criticality)) return 1;
    if (index && criticality) return 0.8;
    return 0;
  },
  async *parse(file, ctx) {
    const doc = await readJson(file, "42Crunch audit");
    const report = isObject(doc) ? asObject(doc.report) : undefined;
    if (!report || !(Array.isArray(report.index) || isObject(report.security))) {
      throw new ParseError(`${file.name || "input"} is not a 42Crunch audit report: no "report.index"/"report.security"`);
    }
    const index = asArray(report.index);
    const summary = asObject(report.summary);
    const endpoint = str(asArray(summary?.endpoints)[0]);
    const target = endpoint ?? str(summary?.apiName);
    const version = str(report.assessmentVersion);
    const tool = { name: "42Crunch", ...(version ? { version } : {}) };
    const groups = new FindingGroups();
    let truncated = false;

    for (const [groupName, groupValue] of Object.entries(report)) {
      const group = asObject(groupValue);
      const issues = asObject(group?.issues);
      if (!issues) continue;
      for (const [issueId, issueValue] of Object.entries(issues)) {
        checkAborted(ctx);
        const issue = asObject(issueValue);
        if (!issue) continue;
        if (issue.tooManyError === true) truncated = true;
        const description = str(issue.description) ?? issueId;
        const entries = asArray(issue.issues).filter(isObject);
        for (const entry of entries.length > 0 ? entries : [{}]) {
          if (entry.tooManyImpacted === true) truncated = true;
          const pointerIndex = int(entry.pointer);
          const pointer = pointerIndex !== undefined ? str(index[pointerIndex]) : undefined;
          if (pointerIndex !== undefined && pointer === undefined) {
            ctx.warn(`${groupName} issue ${issueId}: pointer ${pointerIndex} is not in report.index`);
          }
          const op = pointer ? operationOfPointer(pointer) : {};
          const criticality = int(entry.criticality) ?? int(issue.criticality);
          groups.add(key(issueId, pointer), () => {
            const finding: ScanFinding = {
              tool,
              target,
              ruleId: issueId,
              title: title(description),
              description: plainText(str(entry.specificDescription) ?? description),
              severity: (criticality !== undefined ? CRITICALITY[criticality] : undefined) ?? "info",
              url: op.path !== undefined && endpoint ? joinUrl(endpoint, op.path) : op.path,
              method: op.method,
              file: pointer ? truncate(`#${pointer.startsWith("/") ? "" : "/"}${pointer}`, 1000) : undefined,
              evidence: evidence({
                detail: excerpt(
                  [`Audit group: ${groupName}`, pointer ? `JSON pointer: ${pointer}` : undefined].filter(Boolean).join("\n"),
                ),
              }),
              occurrences: 1,
            };
            return finding;
          });
        }
      }
    }
    if (truncated) ctx.warn("the 42Crunch report lists only part of the impacted locations (too many)");
    yield* groups.values();
  },
};
