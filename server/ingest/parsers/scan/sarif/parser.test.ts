import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { findingFingerprint } from "../../../../findings/fingerprint";
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

  it("reads njsscan 0.2.3 (result level, else warning; CWE from result properties; one finding per location)", async () => {
    const { records } = await parseAll(parser, await sample("scan-results/njsscan-0.2.3.sarif"));
    // The node_password result lists two locations (lines 235 and 239): each is a finding.
    expect(records).toHaveLength(3);
    const [random, password, second] = records;
    expect(second).toMatchObject({ ruleId: "node_password", line: 239, evidence: { snippet: 'passwdInput.type = "password";' } });
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

  it("skips pass/absent results with a warning, keeps suppressed ones with the tool's triage, bounds huge snippets", async () => {
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
    expect(records.map((r) => r.ruleId)).toEqual(["b", "d"]);
    expect(records[0]?.toolTriage).toEqual({ state: "suppressed", kind: "inSource" });
    expect(records[1]?.file).toBe("/repo/x.js");
    expect(records[1]?.toolTriage).toBeUndefined();
    expect(records[1]!.evidence!.snippet!.length).toBeLessThan(2100);
    expect(warnings.map((w) => w.message)).toEqual([
      'results that are not open findings were skipped: 1 kind "pass", 1 baseline state absent',
      "results with suppressions are kept as findings with the tool's triage: 1 suppressed",
    ]);
  });

  it("records each suppression's status, kind and justification as the tool's triage", async () => {
    const at = (line: number) => [{ physicalLocation: { artifactLocation: { uri: "app/db.py" }, region: { startLine: line } } }];
    const text = sarif([
      {
        tool: { driver: { name: "Semgrep", rules: [{ id: "sqli" }] } },
        results: [
          { ruleId: "sqli", message: { text: "m" }, locations: at(1), suppressions: [{ kind: "external", status: "accepted", justification: "input is an enum" }] },
          { ruleId: "sqli", message: { text: "m" }, locations: at(2), suppressions: [{ kind: "inSource", status: "underReview" }] },
          { ruleId: "sqli", message: { text: "m" }, locations: at(3), suppressions: [{ kind: "external", status: "rejected", justification: "still exploitable" }] },
          // The suppression in force wins over one that was rejected.
          { ruleId: "sqli", message: { text: "m" }, locations: at(4), suppressions: [{ kind: "external", status: "rejected" }, { kind: "inSource" }] },
          { ruleId: "sqli", message: { text: "m" }, locations: at(5), suppressions: [] },
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.line, r.toolTriage])).toEqual([
      [1, { state: "suppressed", kind: "external", justification: "input is an enum" }],
      [2, { state: "under_review", kind: "inSource" }],
      [3, { state: "rejected", kind: "external", justification: "still exploitable" }],
      [4, { state: "suppressed", kind: "inSource" }],
      [5, undefined],
    ]);
  });

  it("takes the rule of a result without ruleId from rule.id, rule.index (driver or extension) or the message (Gitleaks 7.x)", async () => {
    const loc = (uri: string) => [{ physicalLocation: { artifactLocation: { uri }, region: { startLine: 3 } } }];
    const text = sarif([
      {
        tool: {
          driver: {
            name: "Gitleaks",
            semanticVersion: "v7.6.1",
            rules: [
              { id: "AWS", name: "AWS" },
              { id: "AWS Access Key", name: "AWS Access Key", shortDescription: { text: "AWS Access Key" } },
              { id: "PKCS8", name: "PKCS8 private key", shortDescription: { text: "Private key (PKCS8)" } },
              { id: "Slack Webhook", name: "Slack Webhook" },
            ],
          },
          extensions: [{ name: "custom-pack", guid: "0b1c", rules: [{ id: "ext-0" }, { id: "ext-1", shortDescription: { text: "Extension rule one" } }] }],
        },
        results: [
          { message: { text: "AWS Access Key secret detected" }, locations: loc("a.env") },
          { message: { text: "pkcs8 private key secret detected" }, locations: loc("b.pem") },
          { message: { text: "Private key (PKCS8) secret detected" }, locations: loc("c.pem") },
          { rule: { id: "Slack Webhook" }, message: { text: "x" }, locations: loc("d.txt") },
          { ruleIndex: 3, message: { text: "x" }, locations: loc("e.txt") },
          { rule: { index: 1, toolComponent: { index: 0 } }, message: { text: "x" }, locations: loc("f.txt") },
          { rule: { index: 1, toolComponent: { name: "custom-pack" } }, message: { text: "x" }, locations: loc("g.txt") },
          { message: { text: "something else entirely" }, locations: loc("h.txt") },
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.file, r.ruleId, r.title])).toEqual([
      ["a.env", "AWS Access Key", "AWS Access Key"],
      ["b.pem", "PKCS8", "Private key (PKCS8)"],
      ["c.pem", "PKCS8", "Private key (PKCS8)"],
      ["d.txt", "Slack Webhook", "Slack Webhook"],
      ["e.txt", "Slack Webhook", "Slack Webhook"],
      ["f.txt", "ext-1", "Extension rule one"],
      ["g.txt", "ext-1", "Extension rule one"],
      // Only a file that names no rule gives "unknown".
      ["h.txt", "unknown", "something else entirely"],
    ]);
  });

  it("makes one finding per location of a result with several locations (mobsfscan)", async () => {
    const place = (uri: string, line: number) => ({ physicalLocation: { artifactLocation: { uri }, region: { startLine: line, snippet: { text: `line ${line}` } } } });
    const text = sarif([
      {
        tool: { driver: { name: "mobsfscan", rules: [{ id: "android_logging", shortDescription: { text: "The App logs information." } }] } },
        results: [
          {
            ruleId: "android_logging",
            message: { text: "The App logs information. Sensitive information should never be logged." },
            locations: [place("app/A.java", 10), place("app/A.java", 42), place("app/B.java", 7), place("app/A.java", 10)],
          },
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.file, r.line, r.occurrences, r.evidence?.snippet])).toEqual([
      ["app/A.java", 10, 2, "line 10"],
      ["app/A.java", 42, 1, "line 42"],
      ["app/B.java", 7, 1, "line 7"],
    ]);
    expect(records.every((r) => r.ruleId === "android_logging" && r.distinctBy === undefined)).toBe(true);
  });

  it("merges results at one rule and place only when their partialFingerprints (else messages) are equal", async () => {
    const at = [{ physicalLocation: { artifactLocation: { uri: "config/settings.py" }, region: { startLine: 12 } } }];
    const text = sarif([
      {
        tool: { driver: { name: "T", rules: [{ id: "secret" }, { id: "fp" }] } },
        results: [
          { ruleId: "secret", message: { text: "Generic API key" }, locations: at },
          { ruleId: "secret", message: { text: "Stripe key" }, locations: at },
          { ruleId: "secret", message: { text: "Generic API key" }, locations: at },
          { ruleId: "fp", message: { text: "one wording" }, partialFingerprints: { primaryLocationLineHash: "aaa:1" }, locations: at },
          { ruleId: "fp", message: { text: "other wording" }, partialFingerprints: { primaryLocationLineHash: "aaa:1" }, locations: at },
          { ruleId: "fp", message: { text: "one wording" }, partialFingerprints: { primaryLocationLineHash: "bbb:1" }, locations: at },
        ],
      },
    ]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.ruleId, r.description, r.occurrences])).toEqual([
      ["secret", "Generic API key", 2],
      ["secret", "Stripe key", 1],
      ["fp", "one wording", 2],
      ["fp", "one wording", 1],
    ]);
    // The first at a place keeps the plain identity; the others carry a key that sets their fingerprint apart.
    expect(records[0]?.distinctBy).toBeUndefined();
    expect(records[2]?.distinctBy).toBeUndefined();
    expect(records[1]?.distinctBy).toMatch(/^[0-9a-f]{16}$/);
    expect(records[3]?.distinctBy).toMatch(/^[0-9a-f]{16}$/);
    const fingerprint = (r: (typeof records)[number]) =>
      findingFingerprint({ tool: r.tool.name, ruleId: r.ruleId, title: r.title, apiId: null, target: null, file: r.file, line: r.line, distinctBy: r.distinctBy });
    expect(new Set(records.map(fingerprint)).size).toBe(4);
    // Without a twin, the fingerprint is the one computed before distinctBy existed.
    expect(fingerprint(records[0]!)).toBe(findingFingerprint({ tool: "T", ruleId: "secret", title: records[0]!.title, apiId: null, target: null, file: "config/settings.py", line: 12 }));
  });

  it("a log without runs, with empty runs or with only suppressed results is a valid report (scanned scopes)", async () => {
    const none = await parseAll(parser, textSource(JSON.stringify({ version: "2.1.0", runs: [] })));
    expect(none.records).toEqual([]);
    expect(none.scopes).toEqual([{ kind: "scanned-scope", tool: { name: "SARIF" } }]);
    const empty = await parseAll(
      parser,
      textSource(sarif([{ tool: { driver: { name: "Semgrep", version: "1.50.0" } }, versionControlProvenance: [{ repositoryUri: "https://github.com/acme/shop" }], results: [] }])),
    );
    expect(empty.records).toEqual([]);
    expect(empty.scopes).toEqual([{ kind: "scanned-scope", tool: { name: "Semgrep", version: "1.50.0" }, target: "https://github.com/acme/shop" }]);
    const noResults = await parseAll(parser, textSource(sarif([{ tool: { driver: { name: "Bandit" } } }])));
    expect(noResults.scopes).toEqual([{ kind: "scanned-scope", tool: { name: "Bandit" } }]);
    const suppressed = await parseAll(parser, textSource(sarif([{ tool: { driver: { name: "Bandit" } }, results: [{ ruleId: "B105", message: { text: "pw" }, suppressions: [{ kind: "inSource" }] }] }])));
    expect(suppressed.records.map((r) => r.toolTriage?.state)).toEqual(["suppressed"]);
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

describe("sarif parser: regression (fuzz)", () => {
  it("regression (fuzz): a level, problem.severity or precision named like an Object.prototype member maps to nothing", async () => {
    const rules = [{ id: "R", properties: { "problem.severity": "constructor", precision: "toString" } }];
    const text = sarif([{ tool: { driver: { name: "T", rules } }, results: [{ ruleId: "R", ruleIndex: 0, level: "__proto__", message: { text: "x" } }] }]);
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.severity, r.confidence])).toEqual([["medium", undefined]]);
  });
});
