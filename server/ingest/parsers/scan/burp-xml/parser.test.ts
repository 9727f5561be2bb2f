import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("burp-xml parser: real samples", () => {
  it("reads Burp 1.6 (three SQL injection issues, base64 request/response)", async () => {
    const { records } = await parseAll(parser, await sample("scan-results/burp-1.6-one-finding.xml"));
    expect(records).toHaveLength(3);
    expect(records.map((r) => [r.url, r.parameter, r.confidence])).toEqual([
      ["http://bwa/bodgeit/basket.jsp", "b_id", "medium"],
      ["http://bwa/bodgeit/login.jsp", "password", "low"],
      ["http://bwa/bodgeit/login.jsp", "username", "low"],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({
        tool: { name: "Burp Suite", version: "1.6.05" },
        target: "http://bwa",
        ruleId: "1049088",
        title: "SQL injection",
        severity: "high",
        method: "POST",
        occurrences: 1,
      });
      expect(r.cwe).toBeUndefined(); // Burp 1.6 has no vulnerabilityClassifications
      expect(r.description).toMatch(/^SQL injection vulnerabilities arise when user-controllable data/);
      expect(r.remediation).toMatch(/parameterized queries/);
      expect(r.remediation).not.toMatch(/<i>|<br>/);
    }
    const basket = records[0]!;
    expect(basket.evidence?.request).toMatch(/^POST \/bodgeit\/basket\.jsp HTTP\/1\.1\r\nHost: bwa/);
    expect(basket.evidence?.request).toContain("Cookie: [REDACTED]");
    expect(basket.evidence?.response).toMatch(/^HTTP\/1\.1 500 Internal Server Error/);
    expect(basket.evidence?.detail).toMatch(/^Location: \/bodgeit\/basket\.jsp \[b_id cookie\]\n/);
    expect(records[1]?.evidence?.request).not.toMatch(/password=[^[&\s]/);
  });

  it("reads Burp 2020.12 with CWE classifications and redacts the bearer token", async () => {
    const { records } = await parseAll(parser, await sample("scan-results/burp-2020.12-one-finding-with-cwe.xml"));
    expect(records).toHaveLength(1);
    const r = records[0]!;
    expect(r).toMatchObject({
      tool: { name: "Burp Suite", version: "2020.12.1" },
      target: "https://example.com",
      ruleId: "7340288",
      title: "Cacheable HTTPS response",
      severity: "info",
      confidence: "high",
      cwe: 524,
      url: "https://example.com/test/v4/public/users/fake",
      method: "GET",
      occurrences: 1,
    });
    expect(r.parameter).toBeUndefined();
    expect(r.evidence?.request).toMatch(/^GET \/test\/v4\/public\/users\/fake HTTP\/1\.1\nHost: exemple\.com/);
    expect(r.evidence?.request).toContain("Authorization: [REDACTED]");
    expect(r.evidence?.request).not.toContain("eyJhbGci");
    expect(r.evidence?.response).toBeUndefined(); // empty response element
    expect(r.remediation).toContain("- Cache-control: no-store");
  });
});

describe("burp-xml parser: safety and errors", () => {
  const doc = (issues: string, doctype = "") => `<?xml version="1.0"?>${doctype}<issues burpVersion="2023.1" exportTime="x">${issues}</issues>`;
  const issue = (over: Partial<Record<string, string>> = {}) => `<issue>
    <serialNumber>1</serialNumber><type>${over.type ?? "2097920"}</type><name>${over.name ?? "Cross-site scripting (reflected)"}</name>
    <host ip="10.0.0.1">https://api.acme.test</host><path><![CDATA[${over.path ?? "/search?q=1"}]]></path>
    <location><![CDATA[${over.location ?? "/search [q parameter]"}]]></location>
    <severity>${over.severity ?? "High"}</severity><confidence>${over.confidence ?? "Certain"}</confidence>
    <references><![CDATA[<ul><li><a href="https://portswigger.net/web-security/cross-site-scripting">XSS</a></li></ul>]]></references>
    <vulnerabilityClassifications><![CDATA[<ul><li><a href="https://cwe.mitre.org/data/definitions/79.html">CWE-79: XSS</a></li></ul>]]></vulnerabilityClassifications>
    <requestresponse><request method="GET" base64="false"><![CDATA[GET /search?q=1 HTTP/1.1
Host: api.acme.test
X-Api-Key: supersecretvalue]]></request></requestresponse>
  </issue>`;

  it("groups duplicates, maps severity and confidence, reads plain requests", async () => {
    const { records } = await parseAll(
      parser,
      textSource(doc(issue() + issue() + issue({ severity: "Medium", confidence: "Tentative", location: "/search [p parameter]" }) + issue({ severity: "Low", type: "9", location: "/search" }))),
    );
    expect(records.map((r) => [r.ruleId, r.severity, r.confidence, r.parameter ?? null, r.occurrences])).toEqual([
      ["2097920", "high", "high", "q", 2],
      ["2097920", "medium", "low", "p", 1],
      ["9", "low", "high", null, 1],
    ]);
    expect(records[0]).toMatchObject({
      url: "https://api.acme.test/search",
      method: "GET",
      cwe: 79,
      references: ["https://portswigger.net/web-security/cross-site-scripting"],
    });
    expect(records[0]?.evidence?.request).toContain("X-Api-Key: [REDACTED]");
  });

  it("does not expand entities and rejects external ones", async () => {
    const lol = `<!DOCTYPE issues [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>`;
    const { records } = await parseAll(parser, textSource(doc(issue({ name: "&c;" }), lol)));
    expect(records[0]?.title).toBe("&c;");
    const xxe = `<!DOCTYPE issues [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`;
    await expect(parseAll(parser, textSource(doc(issue({ name: "&xxe;" }), xxe)))).rejects.toThrow(/external XML entity/);
  });

  it("rejects truncated and foreign XML", async () => {
    const text = await (await sample("scan-results/burp-2020.12-one-finding-with-cwe.xml")).text();
    await expect(parseAll(parser, textSource(text.slice(0, text.length - 40)))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource(await (await sample("scan-results/zap-2.16.1-with-req-resp.xml")).text()))).rejects.toThrow(
      /not a Burp XML export/,
    );
  });

  it("detects Burp exports only", () => {
    expect(parser.detect(doc(""), "")).toBe(1);
    expect(parser.detect("<OWASPZAPReport>", "burp.xml")).toBe(0);
  });
});

describe("burp-xml parser: regression (fuzz)", () => {
  it("regression (fuzz): a severity or confidence named like an Object.prototype member maps to nothing", async () => {
    const xml = `<?xml version="1.0"?><issues burpVersion="2023.1" exportTime="x"><issue><serialNumber>1</serialNumber><type>9</type><name>N</name>
      <host ip="10.0.0.1">https://api.acme.test</host><path><![CDATA[/a]]></path><location><![CDATA[/a]]></location>
      <severity>constructor</severity><confidence>__proto__</confidence></issue></issues>`;
    const { records } = await parseAll(parser, textSource(xml));
    expect(records.map((r) => [r.severity, r.confidence])).toEqual([["info", undefined]]);
  });
});
