import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("zap-json parser: secureCodeBox petstore API scan (weekly D-2020-06-24)", () => {
  it("gives one finding per (alert, method, URL without query, param)", async () => {
    const { records, warnings } = await parseAll(parser, await sample("scan-results/zap-petstore-api-scan.json"));
    expect(records).toHaveLength(86);
    expect(warnings).toEqual([]);
    const byRule: Record<string, number> = {};
    for (const r of records) byRule[`${r.ruleId} ${r.title}`] = (byRule[`${r.ruleId} ${r.title}`] ?? 0) + 1;
    expect(byRule).toEqual({
      "10021 X-Content-Type-Options Header Missing": 10,
      "10098 Cross-Domain Misconfiguration": 20,
      "100000 A Client Error response code was returned by the server": 20,
      '10036 Server Leaks Version Information via "Server" HTTP Response Header Field': 20,
      "100001 Unexpected Content-Type was returned": 7,
      "10024 Information Disclosure - Sensitive Information in URL": 2,
      "100000 A Server Error response code was returned by the server": 7,
    });
    expect(records.every((r) => r.tool.name === "ZAP" && r.tool.version === "D-2020-06-24")).toBe(true);
    expect(records.every((r) => r.target === "http://swagger-petstore.demo-targets.svc" && r.occurrences === 1)).toBe(true);
    expect(records.every((r) => !r.url?.includes("?"))).toBe(true);

    const xcto = records[0]!;
    expect(xcto).toMatchObject({
      ruleId: "10021",
      severity: "low",
      confidence: "medium",
      cwe: 16,
      url: "http://swagger-petstore.demo-targets.svc/v2/store/inventory",
      method: "GET",
      parameter: "X-Content-Type-Options",
      references: ["http://msdn.microsoft.com/en-us/library/ie/gg622941%28v=vs.85%29.aspx", "https://owasp.org/www-community/Security_Headers"],
    });
    expect(xcto.description).toMatch(/^The Anti-MIME-Sniffing header X-Content-Type-Options was not set to 'nosniff'\./);
    expect(xcto.description).not.toContain("<p>");
    expect(xcto.remediation).toMatch(/^Ensure that the application\/web server sets the Content-Type header appropriately/);
    expect(xcto.remediation).not.toContain("</p>");

    const cors = records.find((r) => r.ruleId === "10098" && r.url?.endsWith("/v2/user/login"));
    expect(cors).toMatchObject({ severity: "medium", cwe: 264, method: "GET" });
    expect(cors?.parameter).toBeUndefined();
    expect(cors?.evidence?.detail).toContain("Evidence: Access-Control-Allow-Origin: *");

    const clientErrors = records.filter((r) => r.title.startsWith("A Client Error"));
    expect(clientErrors.every((r) => r.severity === "info" && r.confidence === "high" && r.cwe === 388)).toBe(true);
    const unexpected = records.filter((r) => r.ruleId === "100001");
    expect(unexpected.every((r) => r.cwe === undefined && r.severity === "low")).toBe(true);
    const leaks = records.filter((r) => r.ruleId === "10024");
    expect(leaks.map((r) => [r.url, r.parameter, r.cwe, r.severity])).toEqual([
      ["http://swagger-petstore.demo-targets.svc/v2/user/login", "password", 200, "info"],
      ["http://swagger-petstore.demo-targets.svc/v2/user/login", "username", 200, "info"],
    ]);
  });
});

describe("zap-json parser: ZAP ≥ 2.10 layout and edge cases", () => {
  const report = (alerts: unknown[], extra: Record<string, unknown> = {}) =>
    JSON.stringify({
      "@programName": "ZAP",
      "@version": "2.14.0",
      "@generated": "Mon, 1 Jan 2024 00:00:00",
      site: [{ "@name": "https://api.acme.test", "@host": "api.acme.test", "@port": "443", "@ssl": "true", alerts }],
      ...extra,
    });
  const alert = (over: Record<string, unknown>) => ({
    pluginid: "40018",
    alertRef: "40018",
    alert: "SQL Injection",
    name: "SQL Injection",
    riskcode: "3",
    confidence: "2",
    riskdesc: "High (Medium)",
    desc: "<p>SQL injection may be possible.</p>",
    solution: "<p>Use prepared statements.</p>",
    reference: "<p>https://cheatsheetseries.owasp.org/x.html</p>",
    cweid: "89",
    wascid: "19",
    instances: [],
    ...over,
  });

  it("merges instances of one alert on one endpoint, reads alertRef, redacts request headers", async () => {
    const instances = [
      {
        uri: "https://api.acme.test/users?id=1",
        method: "GET",
        param: "id",
        attack: "1'",
        evidence: "syntax error",
        "request-header": "GET https://api.acme.test/users?id=1 HTTP/1.1\r\nAuthorization: Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abcdefghij\r\nCookie: sid=abc\r\n",
        "response-header": "HTTP/1.1 500\r\nSet-Cookie: sid=newsecret\r\n",
      },
      { uri: "https://api.acme.test/users?id=2", method: "GET", param: "id" },
      { uri: "https://api.acme.test/users", method: "POST", param: "id" },
    ];
    const { records } = await parseAll(parser, textSource(report([alert({ alertRef: "40018-1", instances })])));
    expect(records).toHaveLength(2);
    const get = records[0]!;
    expect(get).toMatchObject({
      tool: { name: "ZAP", version: "2.14.0" },
      target: "https://api.acme.test",
      ruleId: "40018-1",
      severity: "high",
      confidence: "medium",
      cwe: 89,
      url: "https://api.acme.test/users",
      method: "GET",
      parameter: "id",
      occurrences: 2,
      description: "SQL injection may be possible.",
      remediation: "Use prepared statements.",
      references: ["https://cheatsheetseries.owasp.org/x.html"],
    });
    expect(get.evidence?.request).toContain("Authorization: [REDACTED]");
    expect(get.evidence?.request).toContain("Cookie: [REDACTED]");
    expect(get.evidence?.request).not.toContain("eyJ");
    expect(get.evidence?.response).not.toContain("newsecret");
    expect(get.evidence?.detail).toBe("Attack: 1'\nEvidence: syntax error");
    expect(records[1]).toMatchObject({ method: "POST", occurrences: 1 });
  });

  it("maps riskcode and confidence, skips confidence 0 (false positive) with a warning, drops cweid -1", async () => {
    const inst = (u: string) => [{ uri: `https://api.acme.test/${u}`, method: "GET" }];
    const { records, warnings } = await parseAll(
      parser,
      textSource(
        report([
          alert({ riskcode: "0", confidence: "1", cweid: "-1", instances: inst("a") }),
          alert({ riskcode: "1", confidence: "3", cweid: "0", instances: inst("b") }),
          alert({ riskcode: "2", confidence: "4", instances: inst("c") }),
          alert({ riskcode: "3", confidence: "0", instances: inst("d") }),
          alert({ riskcode: "x", riskdesc: "Medium (Low)", instances: inst("e") }),
        ]),
      ),
    );
    expect(records.map((r) => [r.url?.slice(-1), r.severity, r.confidence, r.cwe ?? null])).toEqual([
      ["a", "info", "low", null],
      ["b", "low", "high", null],
      ["c", "medium", "high", 89],
      ["e", "medium", "medium", 89],
    ]);
    expect(warnings.map((w) => w.message)).toEqual(["1 alert(s) with confidence 0 (marked false positive in ZAP) were skipped"]);
  });

  it("treats an alert without instances as one finding with occurrences = count", async () => {
    const { records } = await parseAll(parser, textSource(report([alert({ instances: undefined, count: "7", uri: "https://api.acme.test/x?q=1", method: "get" })])));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ url: "https://api.acme.test/x", method: "GET", occurrences: 7 });
  });

  it("a report of a site without alerts is a clean scan of that site, not an empty file", async () => {
    const empty = JSON.stringify({
      "@programName": "ZAP",
      "@version": "2.11.1",
      "@generated": "Mon, 1 Mar 2021 10:00:00",
      site: [{ "@name": "https://shop.acme.test", "@host": "shop.acme.test", "@port": "443", "@ssl": "true", alerts: [] }],
    });
    const { records, scopes } = await parseAll(parser, textSource(empty, "zap.json"));
    expect(records).toEqual([]);
    expect(scopes).toEqual([{ kind: "scanned-scope", tool: { name: "ZAP", version: "2.11.1" }, target: "https://shop.acme.test" }]);
  });

  it("rejects truncated JSON and JSON of another format", async () => {
    const text = await (await sample("scan-results/zap-petstore-api-scan.json")).text();
    await expect(parseAll(parser, textSource(text.slice(0, 5000)))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource(await (await sample("scan-results/njsscan-0.2.3.sarif")).text()))).rejects.toThrow(
      /not a ZAP JSON report/,
    );
  });

  it("detects ZAP JSON only", () => {
    expect(parser.detect(report([]), "")).toBe(1);
    expect(parser.detect('{"@version":"D-2020","site":[{"@name":"x","alerts":[{"pluginid":"1"', "")).toBeGreaterThan(0.9);
    expect(parser.detect('{"runs":[]}', "zap.json")).toBe(0);
  });
});

describe("zap-json parser: regression (fuzz)", () => {
  it("regression (fuzz): a riskcode or confidence named like an Object.prototype member maps to nothing", async () => {
    const alert = { pluginid: "1", alert: "A", riskcode: "constructor", riskdesc: "Low (Medium)", confidence: "valueOf", instances: [{ uri: "https://api.acme.test/a", method: "GET" }] };
    const text = JSON.stringify({ "@programName": "ZAP", "@version": "2.14.0", site: [{ "@name": "https://api.acme.test", "@host": "api.acme.test", alerts: [alert] }] });
    const { records } = await parseAll(parser, textSource(text, "zap.json"));
    expect(records.map((r) => [r.severity, r.confidence])).toEqual([["low", undefined]]);
  });
});
