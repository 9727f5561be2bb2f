/**
 * OWASP ZAP traditional JSON report (`site[]` → `alerts[]` → `instances[]`), old weekly builds without
 * `@programName` as well as ZAP ≥ 2.10 with `@programName` and `alertRef`. Mapping: see ../zap-shared.ts.
 */
import { ParseError, type Parser } from "../../../contract";
import { asArray, isObject, looksLikeJson, readJson, str } from "../common";
import { zapFindings, type FieldReader } from "../zap-shared";

const read: FieldReader = (node, field) => (isObject(node) ? str(node[field]) : undefined);

export const parser: Parser<"scan"> = {
  id: "zap-json",
  family: "scan",
  label: "OWASP ZAP (JSON)",
  detect(head) {
    if (!looksLikeJson(head)) return 0;
    const site = /"site"\s*:\s*[[{]/.test(head);
    const alerts = /"alerts"\s*:\s*\[/.test(head);
    if (/"@programName"\s*:\s*"ZAP/.test(head) && site) return 1;
    if (site && alerts && /"(pluginid|riskcode)"\s*:/.test(head)) return 0.95;
    if (/"@programName"\s*:/.test(head) && (site || alerts)) return 0.8;
    if (site && alerts) return 0.6;
    return 0;
  },
  async *parse(file, ctx) {
    const doc = await readJson(file, "ZAP JSON");
    if (!isObject(doc) || !(Array.isArray(doc.site) || isObject(doc.site))) {
      throw new ParseError(`${file.name || "input"} is not a ZAP JSON report: no "site" list`);
    }
    const sites = asArray(doc.site).map((s) => ({
      name: isObject(s) ? str(s["@name"]) : undefined,
      alerts: isObject(s) ? asArray(s.alerts) : [],
    }));
    const version = str(doc["@version"]);
    const tool = { name: str(doc["@programName"]) ?? "ZAP", ...(version ? { version } : {}) };
    yield* zapFindings(sites, tool, read, ctx);
  },
};
