import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

const countBy = <T,>(items: T[], f: (t: T) => string | number | undefined) => {
  const out: Record<string, number> = {};
  for (const i of items) out[String(f(i))] = (out[String(f(i))] ?? 0) + 1;
  return out;
};

function sarif(runs: unknown[]): string {
  return JSON.stringify({ $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs });
}

describe("sarif parser: real samples", () => {
  it("reads CodeQL 2.5.4 (no security-severity, no result level: rule default level)", async () => {
    const { records, warnings, lineErrors } = await parseAll(parser, await sample("scan-results/codeql-2.5.4.sarif"));
    expect(records).toHaveLength(72);
    expect(warnings).toEqual([]);
    expect(lineErrors).toEqual([]);
    expect(countBy(records, (r) => r.severity)).toEqual({ low: 57, high: 11, medium: 4 });
    expect(records.every((r) => r.tool.name === "CodeQL" && r.tool.version === "2.5.4")).toBe(true);
    expect(records.every((r) => r.target === undefined && r.occurrences === 1)).toBe(true);
    expect(records.filter((r) => r.cwe !== undefined)).toHaveLength(25);

    const sqli = records.filter((r) => r.ruleId === "py/sql-injection");
    expect(sqli.map((r) => [r.file, r.line])).toEqual([
      ["bad/libuser.py", 12],
      ["bad/libuser.py", 25],
    ]);
    const first = sqli[0]!;
    expect(first.title).toBe("SQL query built from user-controlled sources");
    expect(first.severity).toBe("high");
    expect(first.confidence).toBe("high");
    expect(first.cwe).toBe(89);
    expect(first.description).toMatch(/^This SQL query depends on a user-provided value\./);
    // the embedded snippet is kept, bounded and redacted
    expect(first.evidence?.snippet).toContain("SELECT * FROM users WHERE username");
    expect(first.evidence?.snippet).toContain("password = '[REDACTED]'");

    const xss = records.find((r) => r.ruleId === "py/reflective-xss" && r.file === "bad/mod_user.py");
    expect(xss).toMatchObject({ line: 33, cwe: 79, severity: "high" });
    const pathInjection = records.find((r) => r.ruleId === "py/path-injection");
    expect(pathInjection).toMatchObject({ file: "bad/libapi.py", line: 22, cwe: 22 });
    const flaskDebug = records.filter((r) => r.ruleId === "py/flask-debug");
    expect(flaskDebug).toHaveLength(4);
    expect(flaskDebug.every((r) => r.cwe === 215 && r.severity === "high")).toBe(true);
    const emptyExcept = records.find((r) => r.ruleId === "py/empty-except");
    expect(emptyExcept).toMatchObject({ severity: "low", cwe: 390, file: "good/db_init.py", line: 39 });
    // remediation comes from rule.help when the tool ships it; this CodeQL export has none
    expect(records.some((r) => r.remediation !== undefined)).toBe(false);
  });

  it("reads njsscan 0.2.3 (result level, else warning; CWE from result properties)", async () => {
    const { records } = await parseAll(parser, await sample("scan-results/njsscan-0.2.3.sarif"));
    expect(records).toHaveLength(2);
    const [random, password] = records;
    expect(random).toMatchObject({
      tool: { name: "nodejsscan", version: "0.2.3" },
      ruleId: "node_insecure_random_generator",
      title: "NodeInsecureRandomGenerator",
      severity: "medium",
      cwe: 327,
      file: "/src/index.js",
      line: 321,
      references: ["https://ajinabraham.github.io/nodejsscan/#node_insecure_random_generator"],
      occurrences: 1,
    });
    expect(password).toMatchObject({ ruleId: "node_password", severity: "high", cwe: 798, line: 235 });
    expect(password?.evidence?.snippet).toBe('passwdInput.type = "text";');
  });
});

describe("sarif parser: semantics", () => {
  const rules = [
    { id: "R0", shortDescription: { text: "Rule zero" }, properties: { "security-severity": "9.1", tags: ["security", "external/cwe/cwe-089"] } },
    { id: "R1", defaultConfiguration: { level: "note" }, relationships: [{ target: { id: "918", toolComponent: { name: "CWE" } } }] },
    { id: "R2", properties: { "problem.severity": "recommendation", precision: "medium", tags: ["CWE-79"] }, helpUri: "https://example.com/r2", help: { text: "Escape output." } },
    { id: "CVE-2021-44228", properties: { "security-severity": "10.0" } },
  ];
  const result = (ruleIndex: number, extra: Record<string, unknown> = {}) => ({
    ruleId: rules[ruleIndex]!.id,
    ruleIndex,
    message: { text: "found {0}", arguments: ["it"] },
    locations: [{ physicalLocation: { artifactLocation: { uri: "src/a.ts" }, region: { startLine: 10 } } }],
    ...extra,
  });

  it("resolves severity in the documented order", async () => {
    const text = sarif([
      {
        tool: { driver: { name: "T", version: "1", rules } },
        results: [
          result(0, { level: "note" }), // rule security-severity 9.1 beats level → critical
          result(0, { properties: { "security-severity": "5.0" }, locations: [] }), // result's own score → medium
          result(1, { level: "error", locations: [] }), // no score: result level → high
          result(1, { locations: [{ physicalLocation: { artifactLocation: { uri: "b" } } }] }), // rule default note → low
          result(2), // problem.severity recommendation → low
          result(2, { level: "none", locations: [{ physicalLocation: { artifactLocation: { uri: "c" } } }] }), // none → info
          { ruleId: "unknown-rule", message: { text: "x" } }, // nothing → warning → medium
          result(3, { locations: [] }),
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.ruleId, r.severity])).toEqual([
      ["R0", "critical"],
      ["R0", "medium"],
      ["R1", "high"],
      ["R1", "low"],
      ["R2", "low"],
      ["R2", "info"],
      ["unknown-rule", "medium"],
      ["CVE-2021-44228", "critical"],
    ]);
    expect(records[0]).toMatchObject({ cwe: 89, title: "Rule zero", description: "found it", file: "src/a.ts", line: 10 });
    expect(records[2]?.cwe).toBe(918); // from relationships
    expect(records[4]).toMatchObject({ cwe: 79, confidence: "medium", remediation: "Escape output.", references: ["https://example.com/r2"] });
    expect(records[7]?.cve).toBe("CVE-2021-44228");
    expect(records[6]?.title).toBe("x");
    expect(records[6]?.cwe).toBeUndefined();
  });

  it("groups identical (rule, file, line) into one finding with occurrences, across runs of one tool", async () => {
    const run = { tool: { driver: { name: "T", rules } }, results: [result(2), result(2), result(2, { occurrenceCount: 3 })] };
    const { records } = await parseAll(parser, textSource(sarif([run, run])));
    expect(records).toHaveLength(1);
    expect(records[0]?.occurrences).toBe(10);
  });

  it("keeps tools apart, reads target from versionControlProvenance and the web request, redacted", async () => {
    const text = sarif([
      { tool: { driver: { name: "A", semanticVersion: "2.0.0" } }, results: [{ ruleId: "x", message: { text: "m" } }] },
      {
        tool: { driver: { name: "B" } },
        versionControlProvenance: [{ repositoryUri: "https://github.com/acme/payments" }],
        results: [
          {
            ruleId: "x",
            message: { text: "m" },
            webRequest: {
              method: "post",
              target: "https://api.acme.test/login?token=abc",
              headers: { Authorization: "Bearer abcdefghijklmnop", Accept: "*/*" },
              body: { text: '{"password":"hunter2"}' },
            },
            webResponse: { statusCode: 200, headers: { "Set-Cookie": "sid=secret" }, body: { text: "ok" } },
          },
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records).toHaveLength(2);
    expect(records[0]?.tool).toEqual({ name: "A", version: "2.0.0" });
    expect(records[0]?.target).toBeUndefined();
    const web = records[1]!;
    expect(web.tool).toEqual({ name: "B" });
    expect(web.target).toBe("https://github.com/acme/payments");
    expect(web.url).toBe("https://api.acme.test/login");
    expect(web.evidence?.request).toMatch(/^POST https:\/\/api\.acme\.test\/login\?token=\[REDACTED\]/);
    expect(web.method).toBe("POST");
    expect(web.evidence?.request).toContain("Authorization: [REDACTED]");
    expect(web.evidence?.request).not.toContain("abcdefghijklmnop");
    expect(web.evidence?.request).not.toContain("hunter2");
    expect(web.evidence?.response).toContain("Set-Cookie: [REDACTED]");
    expect(web.evidence?.response).not.toContain("sid=secret");
  });

  it("skips pass/suppressed/absent results with a warning and bounds huge snippets", async () => {
    const huge = "x".repeat(100_000);
    const text = sarif([
      {
        tool: { driver: { name: "T" } },
        results: [
          { ruleId: "a", kind: "pass", message: { text: "ok" } },
          { ruleId: "b", suppressions: [{ kind: "inSource" }], message: { text: "s" } },
          { ruleId: "c", baselineState: "absent", message: { text: "gone" } },
          {
            ruleId: "d",
            message: { text: "big" },
            locations: [{ physicalLocation: { artifactLocation: { uri: "file:///repo/x.js" }, region: { startLine: 1, snippet: { text: huge } } } }],
          },
        ],
      },
    ]);
    const { records, warnings } = await parseAll(parser, textSource(text));
    expect(records.map((r) => r.ruleId)).toEqual(["d"]);
    expect(records[0]?.file).toBe("/repo/x.js");
    expect(records[0]!.evidence!.snippet!.length).toBeLessThan(2100);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.message).toMatch(/1 kind "pass".*1 suppressed.*1 baseline state absent/);
  });

  it("rejects truncated JSON, non-SARIF JSON and empty input with ParseError", async () => {
    const text = await (await sample("scan-results/njsscan-0.2.3.sarif")).text();
    await expect(parseAll(parser, textSource(text.slice(0, text.length / 2)))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource(await (await sample("scan-results/stackhawk-many-vul.json")).text()))).rejects.toThrow(
      /not a SARIF log/,
    );
    await expect(parseAll(parser, textSource(""))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource("<xml/>"))).rejects.toThrow(/not valid JSON/);
  });

  it("parses a generated 10,000-result log", async () => {
    const ruleList = Array.from({ length: 50 }, (_, i) => ({
      id: `rule-${i}`,
      shortDescription: { text: `Rule ${i}` },
      properties: { tags: [`external/cwe/cwe-${100 + i}`], "security-severity": String((i % 10) + 0.5) },
    }));
    const results = Array.from({ length: 10_000 }, (_, i) => ({
      ruleId: `rule-${i % 50}`,
      ruleIndex: i % 50,
      message: { text: `Result ${i}` },
      // every 10th result repeats the location of the one before it → grouped
      locations: [{ physicalLocation: { artifactLocation: { uri: `src/file-${Math.floor(i / 50)}.ts` }, region: { startLine: i % 10 === 9 ? i - 50 : i } } }],
    }));
    // results i and i-50 share rule (i % 50) and file only when in the same block of 50 → make duplicates explicit
    for (let i = 0; i < 1000; i++) results.push({ ...results[i * 10]! });
    const { records } = await parseAll(parser, textSource(sarif([{ tool: { driver: { name: "Gen", rules: ruleList } }, results }])));
    expect(records.reduce((n, r) => n + r.occurrences, 0)).toBe(11_000);
    expect(records).toHaveLength(10_000);
    expect(records.filter((r) => r.occurrences === 2)).toHaveLength(1000);
    expect(countBy(records, (r) => r.severity)).toEqual({ low: 4000, medium: 3000, high: 2000, critical: 1000 });
    expect(records[123]).toMatchObject({ ruleId: "rule-23", cwe: 123, title: "Rule 23" });
  });
});

describe("sarif detect", () => {
  it("claims SARIF by $schema or version + runs, not other JSON", () => {
    expect(parser.detect('{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","runs":[]}', "x")).toBe(1);
    expect(parser.detect('{"runs": [ {"tool": {"driver": {}}}], "version": "2.1.0"}', "x")).toBeGreaterThan(0.8);
    expect(parser.detect('{"openapi":"3.0.0"}', "a.sarif")).toBe(0.3);
    expect(parser.detect('{"openapi":"3.0.0"}', "a.json")).toBe(0);
    expect(parser.detect("<runs/>", "a.sarif")).toBe(0);
  });
});
