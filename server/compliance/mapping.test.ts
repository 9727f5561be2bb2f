import { describe, expect, it } from "vitest";
import { allRules } from "@/server/correlate/engine";
import { OWASP_API_CATEGORIES } from "@/server/domain/owasp";
import { FRAMEWORK_IDS, FRAMEWORKS, findControl, type FrameworkId } from "./frameworks";
import {
  EVIDENCE_SOURCES,
  type EvidenceSource,
  isControlAssessed,
  isEvidenceSource,
  MAPPING,
  mappingForRule,
  mappingForScannerFinding,
  NOT_MAPPED,
} from "./mapping";

const OTHER_FRAMEWORKS = FRAMEWORK_IDS.filter((f) => f !== "owasp-api-2023");

describe("framework catalogues", () => {
  it("has no duplicate control ids within a framework", () => {
    for (const id of FRAMEWORK_IDS) {
      const ids = FRAMEWORKS[id].controls.map((c) => c.id);
      expect(new Set(ids).size, id).toBe(ids.length);
    }
  });

  it("gives every control a title and keys each framework by its own id", () => {
    for (const id of FRAMEWORK_IDS) {
      expect(FRAMEWORKS[id].id).toBe(id);
      for (const c of FRAMEWORKS[id].controls) expect(c.title.trim().length, `${id} ${c.id}`).toBeGreaterThan(0);
    }
  });

  it("avoids the usual public errors (SOC 2 CC6.6 is outside threats, PCI 8.3.2 is strong cryptography)", () => {
    expect(findControl("soc2", "CC6.6")?.title).toMatch(/outside its system boundaries/);
    expect(findControl("soc2", "CC6.6")?.title).not.toMatch(/physical/i);
    expect(findControl("pci-dss-4.0", "8.3.2")?.title).toMatch(/^Strong cryptography .*authentication factors/);
  });
});

describe("mapping table", () => {
  it("maps every registered correlation rule to each framework, or says as data why not", () => {
    const ruleIds = allRules().map((r) => r.id);
    expect(ruleIds.length).toBeGreaterThan(0);
    for (const ruleId of ruleIds) {
      for (const framework of FRAMEWORK_IDS) {
        const mapped = mappingForRule(ruleId).filter((r) => r.framework === framework && r.controls.length > 0);
        const excluded = NOT_MAPPED.filter((n) => n.ruleId === ruleId && n.framework === framework);
        expect(mapped.length + excluded.length, `${ruleId} × ${framework}`).toBeGreaterThan(0);
        expect(mapped.length > 0 && excluded.length > 0, `${ruleId} × ${framework} is both mapped and excluded`).toBe(false);
      }
    }
  });

  it("maps every rule to OWASP API 2023 (no exclusion there) and states a reason for each exclusion", () => {
    for (const n of NOT_MAPPED) {
      expect(n.framework).not.toBe("owasp-api-2023");
      expect(n.reason.trim().length).toBeGreaterThan(20);
    }
  });

  it("has no rows or exclusions for rule ids the engine does not register", () => {
    const ruleIds = new Set(allRules().map((r) => r.id));
    for (const row of MAPPING) if (row.source.kind === "rule") expect(ruleIds.has(row.source.ruleId), row.source.ruleId).toBe(true);
    for (const n of NOT_MAPPED) expect(ruleIds.has(n.ruleId), n.ruleId).toBe(true);
  });

  it("uses only control ids that exist in their framework's catalogue", () => {
    for (const row of MAPPING) {
      for (const control of row.controls) {
        expect(findControl(row.framework, control), `${row.framework} ${control}`).toBeDefined();
      }
    }
  });

  it("has no duplicate control ids within a row, and one row per source and framework", () => {
    const seen = new Set<string>();
    for (const row of MAPPING) {
      expect(new Set(row.controls).size, JSON.stringify(row.source)).toBe(row.controls.length);
      const key = `${JSON.stringify(row.source)} ${row.framework}`;
      expect(seen.has(key), key).toBe(false);
      seen.add(key);
    }
  });

  it("gives every row a rationale and a valid, non-empty evidence source list", () => {
    for (const row of MAPPING) {
      expect(row.rationale.trim().length, JSON.stringify(row.source)).toBeGreaterThan(0);
      expect(row.evidence.length).toBeGreaterThan(0);
      for (const e of row.evidence) expect(isEvidenceSource(e), e).toBe(true);
      expect(new Set(row.evidence).size).toBe(row.evidence.length);
    }
  });

  it("maps every OWASP API category to at least one control of each other framework", () => {
    for (const category of OWASP_API_CATEGORIES) {
      const rows = mappingForScannerFinding({ owaspCategory: category });
      expect(rows.find((r) => r.framework === "owasp-api-2023")?.controls).toEqual([category]);
      for (const framework of OTHER_FRAMEWORKS) {
        const controls = rows.filter((r) => r.framework === framework).flatMap((r) => r.controls);
        expect(controls.length, `${category} × ${framework}`).toBeGreaterThan(0);
      }
    }
  });

  it("finds a scanner finding's controls from its CWE alone (category and CWE rows)", () => {
    const rows = mappingForScannerFinding({ cwe: 319 });
    const pci = rows.filter((r) => r.framework === "pci-dss-4.0").flatMap((r) => r.controls);
    expect(pci).toContain("4.2.1"); // the CWE row
    expect(pci).toContain("6.4.1"); // the API8 category row
    expect(mappingForScannerFinding({ cwe: 999_999 })).toEqual([]);
  });

  it("marks a control not assessed until the evidence its rows need was ingested", () => {
    const none = new Set<EvidenceSource>();
    const inventoryOnly = new Set<EvidenceSource>(["inventory"]);
    const withTraffic = new Set<EvidenceSource>(["inventory", "traffic"]);
    // Rate limiting / capacity: only traffic rules and scanner findings speak to it.
    expect(isControlAssessed("nist-csf-2.0", "PR.IR-04", inventoryOnly)).toBe(false);
    expect(isControlAssessed("nist-csf-2.0", "PR.IR-04", withTraffic)).toBe(true);
    // Monitoring needs logs (gateway or vault).
    expect(isControlAssessed("iso27001-2022", "8.16", inventoryOnly)).toBe(false);
    expect(isControlAssessed("iso27001-2022", "8.16", withTraffic)).toBe(true);
    expect(isControlAssessed("iso27001-2022", "5.9", inventoryOnly)).toBe(true);
    expect(isControlAssessed("soc2", "CC6.1", none)).toBe(false);
    // Every control a row maps to is assessed once every source is in.
    const all = new Set<EvidenceSource>(EVIDENCE_SOURCES);
    for (const row of MAPPING) for (const c of row.controls) expect(isControlAssessed(row.framework, c, all)).toBe(true);
  });

  it("covers every framework's catalogue: no control is listed that nothing maps to", () => {
    for (const framework of FRAMEWORK_IDS as FrameworkId[]) {
      for (const c of FRAMEWORKS[framework].controls) {
        const used = MAPPING.some((r) => r.framework === framework && r.controls.includes(c.id));
        expect(used, `${framework} ${c.id}`).toBe(true);
      }
    }
  });
});
