/**
 * OWASP ZAP XML report (`<OWASPZAPReport>` → `<site>` → `<alerts><alertitem>` → `<instances><instance>`).
 * Parsed with entity expansion off (see ../common.ts readXml). Mapping: see ../zap-shared.ts.
 */
import { ParseError, type Parser } from "../../../contract";
import { asArray, asObject, isObject, looksLikeXml, readXml, xmlAttr, xmlText } from "../common";
import { zapFindings, type FieldReader } from "../zap-shared";

const read: FieldReader = (node, field) => (isObject(node) ? xmlText(node[field]) : undefined);

export const parser: Parser<"scan"> = {
  id: "zap-xml",
  family: "scan",
  label: "OWASP ZAP (XML)",
  detect(head) {
    if (!looksLikeXml(head)) return 0;
    if (/<OWASPZAPReport[\s>]/.test(head)) return 1;
    return 0;
  },
  async *parse(file, ctx) {
    const doc = await readXml(file, "ZAP XML", ["site", "alertitem", "instance"]);
    const report = asObject(doc.OWASPZAPReport);
    if (!report) throw new ParseError(`${file.name || "input"} is not a ZAP XML report: no <OWASPZAPReport> element`);
    const sites = asArray(report.site).map((s) => ({
      name: xmlAttr(s, "name"),
      alerts: asArray(asObject(asObject(s)?.alerts)?.alertitem),
    }));
    const version = xmlAttr(report, "version");
    const tool = { name: xmlAttr(report, "programName") ?? "ZAP", ...(version ? { version } : {}) };
    yield* zapFindings(sites, tool, read, ctx);
  },
};
