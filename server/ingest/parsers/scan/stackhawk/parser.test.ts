import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("stackhawk parser: DefectDojo many-vulnerabilities sample", () => {
  it("gives one finding per (plugin, method, path), repeats as occurrences", async () => {
    const { records, warnings } = await parseAll(parser, await sample("scan-results/stackhawk-many-vul.json"));
    // 12 findings (6 plugins listed twice) with 110 paths; 55 distinct (plugin, method, path), and "" and "/" are the
    // same root URL for 3 plugins → 52 findings.
    expect(records).toHaveLength(52);
    expect(records.reduce((n, r) => n + r.occurrences, 0)).toBe(110);
    expect(warnings).toEqual([]);
    expect(records.every((r) => r.tool.name === "StackHawk" && r.tool.version === "2.1.1" && r.target === "https://localhost:9000")).toBe(true);
    expect(records.every((r) => r.cwe === undefined)).toBe(true);

    const perPlugin: Record<string, [string, number]> = {};
    for (const r of records) perPlugin[r.ruleId] = [r.severity, (perPlugin[r.ruleId]?.[1] ?? 0) + 1];
    expect(perPlugin).toEqual({
      "90027": ["low", 10],
      "40025": ["medium", 9],
      "20012": ["high", 10],
      "40012": ["high", 1],
      "10038": ["medium", 11],
      "10063": ["low", 11],
    });

    expect(records[0]).toMatchObject({
      ruleId: "90027",
      title: "Cookie Slack Detector",
      severity: "low",
      url: "https://localhost:9000/basic-auth",
      method: "GET",
      occurrences: 2,
      references: ["https://app.stackhawk.com/scans/e2ff5651-7eef-47e9-b743-0c2f7d861e27/finding/90027"],
    });
    expect(records[0]?.evidence?.detail).toMatch(/^Category: Information Leakage/);
    const proxyRoot = records.find((r) => r.ruleId === "40025" && r.url === "https://localhost:9000/");
    expect(proxyRoot?.occurrences).toBe(4);
    expect(records.find((r) => r.ruleId === "40012")).toMatchObject({
      severity: "high",
      method: "POST",
      url: "https://localhost:9000/search",
      occurrences: 2,
    });
  });
});

describe("stackhawk parser: edge cases", () => {
  it("keeps false positive and risk accepted paths as findings with the tool's triage", async () => {
    const doc = {
      service: "StackHawk",
      scanCompleted: {
        scan: { hawkscanVersion: "3.0.0" },
        findings: [
          {
            pluginId: "40018",
            pluginName: "SQL Injection",
            severity: "High",
            host: "https://api.acme.test/",
            paths: [
              { path: "/users?id=1", method: "get", status: "RISK_ACCEPTED" },
              { path: "/users", method: "POST", status: "FALSE_POSITIVE" },
              { path: "/orders", method: "GET", status: "NEW" },
              // Two paths on one URL, one triaged and one not: the finding is not triaged as a whole.
              { path: "/items?a=1", method: "GET", status: "FALSE_POSITIVE" },
              { path: "/items?a=2", method: "GET", status: "NEW" },
            ],
          },
          { pluginId: "1", pluginName: "Info", severity: "Informational", host: "https://api.acme.test", paths: [] },
        ],
      },
    };
    const { records, scopes, warnings } = await parseAll(parser, textSource(JSON.stringify(doc)));
    expect(records.map((r) => [r.ruleId, r.severity, r.url, r.method ?? null, r.toolTriage ?? null])).toEqual([
      ["40018", "high", "https://api.acme.test/users", "GET", { state: "risk_accepted" }],
      ["40018", "high", "https://api.acme.test/users", "POST", { state: "false_positive" }],
      ["40018", "high", "https://api.acme.test/orders", "GET", null],
      ["40018", "high", "https://api.acme.test/items", "GET", null],
      ["1", "info", "https://api.acme.test", null, null],
    ]);
    expect(warnings.map((w) => w.message)).toEqual(["path(s) triaged in StackHawk are kept as findings with the tool's triage: 2 false positive, 1 risk accepted"]);
    expect(scopes).toEqual([
      { kind: "scanned-scope", tool: { name: "StackHawk", version: "3.0.0" }, target: "https://api.acme.test/" },
      { kind: "scanned-scope", tool: { name: "StackHawk", version: "3.0.0" }, target: "https://api.acme.test" },
    ]);
  });

  it("an empty report (no findings, or no findings list) is a clean scan, not an empty file", async () => {
    for (const findings of [[], undefined]) {
      const doc = { service: "StackHawk", scanCompleted: { scan: { application: "Shop", env: "Production", hawkscanVersion: "3.1.0" }, ...(findings ? { findings } : {}) } };
      const { records, scopes } = await parseAll(parser, textSource(JSON.stringify(doc)));
      expect(records).toEqual([]);
      expect(scopes).toEqual([{ kind: "scanned-scope", tool: { name: "StackHawk", version: "3.1.0" } }]);
    }
  });

  it("rejects truncated and foreign JSON", async () => {
    const text = await (await sample("scan-results/stackhawk-many-vul.json")).text();
    await expect(parseAll(parser, textSource(text.slice(0, 3000)))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource('{"site":[]}'))).rejects.toThrow(/not a StackHawk report/);
  });

  it("detects scanCompleted only", () => {
    expect(parser.detect('{"service":"StackHawk","scanCompleted":{}}', "")).toBe(1);
    expect(parser.detect('{"scan":{}}', "stackhawk.json")).toBe(0);
  });
});
