import { describe, expect, it } from "vitest";
import { ParseError } from "../../../contract";
import { parseAll, sample, textSource } from "../../../test-utils";
import { parser } from "./parser";

describe("nuclei parser: real samples", () => {
  it("reads secureCodeBox example.com JSONL (new keys)", async () => {
    const { records, lineErrors, warnings } = await parseAll(parser, await sample("scan-results/nuclei-example-com.jsonl"));
    expect(lineErrors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(records).toHaveLength(26);
    expect(records.reduce((n, r) => n + r.occurrences, 0)).toBe(27);
    expect(records.every((r) => r.tool.name === "Nuclei" && r.target === "https://example.com" && r.severity === "info")).toBe(true);

    const headers = records.filter((r) => r.ruleId.startsWith("http-missing-security-headers:"));
    expect(headers).toHaveLength(17);
    expect(headers[0]).toMatchObject({
      ruleId: "http-missing-security-headers:content-security-policy",
      title: "HTTP Missing Security Headers: content-security-policy",
      url: "https://example.com",
      method: "GET",
      description: "This template searches for missing HTTP security headers. The impact of these missing headers can vary.",
    });
    expect(headers[0]?.evidence?.request).toMatch(/^curl -X 'GET'/);

    const tls = records.find((r) => r.ruleId === "deprecated-tls");
    expect(tls).toMatchObject({ occurrences: 2, url: "https://example.com", title: "Deprecated TLS Detection (TLS 1.1 or SSLv3)" });
    expect(tls?.evidence?.detail).toContain("Extracted: TLS10, TLS11");

    const dns = records.filter((r) => r.cwe === 200).map((r) => r.ruleId);
    expect(dns).toEqual(["nameserver-fingerprint", "dnssec-detection", "txt-fingerprint", "mx-fingerprint"]);
    expect(records.some((r) => r.cve !== undefined)).toBe(false);

    const azure = records.find((r) => r.ruleId === "azure-domain-tenant");
    expect(azure?.url).toBe("https://login.microsoftonline.com:443/example.com/v2.0/.well-known/openid-configuration");
    expect(azure?.evidence?.detail).toContain("Extracted: c7c08208-4f4d-45f1-83cd-5e2f491ab786");
  });

  it("reads DefectDojo legacy nuclei 2.x lines (templateID, matched, matcher_name)", async () => {
    const { records, lineErrors } = await parseAll(parser, await sample("scan-results/nuclei-legacy-templateID.jsonl"));
    expect(lineErrors).toEqual([]);
    expect(records).toHaveLength(18);
    const bySeverity: Record<string, number> = {};
    for (const r of records) bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + 1;
    expect(bySeverity).toEqual({ low: 1, medium: 1, info: 16 });
    expect(records[0]).toMatchObject({
      ruleId: "openssh5.3-detect",
      title: "OpenSSH 5.3 Detection",
      severity: "low",
      url: "nuclei-example.com:22",
      target: "https://nuclei-example.com",
      references: [
        "http://seclists.org/fulldisclosure/2016/Jul/51",
        "https://security-tracker.debian.org/tracker/CVE-2016-6210",
        "http://openwall.com/lists/oss-security/2016/08/01/2",
      ],
    });
    expect(records.find((r) => r.ruleId === "phpmyadmin-setup")).toMatchObject({
      severity: "medium",
      url: "https://nuclei-example.com/phpmyadmin/setup/index.php",
    });
    expect(records.filter((r) => r.ruleId.startsWith("tech-detect:")).map((r) => r.ruleId)).toHaveLength(11);
    expect(records.find((r) => r.ruleId === "tech-detect:bootstrap" && r.url === "http://127.0.0.1:9090/WebWolf")?.target).toBe(
      "http://127.0.0.1:9090/WebWolf",
    );
    expect(records.find((r) => r.ruleId === "nginx-version")?.evidence?.detail).toContain("Extracted: nginx/1.14.2");
  });
});

describe("nuclei parser: edge cases", () => {
  const line = (over: Record<string, unknown> = {}, info: Record<string, unknown> = {}) =>
    JSON.stringify({
      "template-id": "cve-2021-44228-log4j",
      info: { name: "Log4Shell", severity: "critical", classification: { "cve-id": ["cve-2021-44228"], "cwe-id": ["cwe-502"] }, ...info },
      type: "http",
      host: "https://api.acme.test",
      "matched-at": "https://api.acme.test/login?user=x",
      request: "POST /login HTTP/1.1\r\nHost: api.acme.test\r\nAuthorization: Basic dXNlcjpwYXNzd29yZA==\r\n\r\npassword=hunter2",
      response: "HTTP/1.1 200 OK\r\nSet-Cookie: session=abc\r\n",
      ...over,
    });

  it("reports bad lines with their numbers and parses the rest", async () => {
    const text = [
      line(),
      "{not json",
      line({ "matched-at": "https://api.acme.test/b" }, { severity: "unknown" }),
      '{"foo": 1}',
      "",
      line({ "matched-at": "https://api.acme.test/c" }, { severity: undefined }),
      "[1,2",
      line({ "matched-at": "https://api.acme.test/login?user=y" }),
    ].join("\n");
    const { records, lineErrors } = await parseAll(parser, textSource(text));
    expect(lineErrors.map((e) => e.line)).toEqual([2, 4, 7]);
    expect(lineErrors[0]?.message).toMatch(/invalid JSON/);
    expect(lineErrors[1]?.message).toMatch(/template-id/);
    expect(records).toHaveLength(3);
    const log4j = records[0]!;
    expect(log4j).toMatchObject({
      ruleId: "cve-2021-44228-log4j",
      severity: "critical",
      cve: "CVE-2021-44228",
      cwe: 502,
      url: "https://api.acme.test/login",
      method: "POST",
      occurrences: 2,
    });
    expect(log4j.evidence?.request).toContain("Authorization: [REDACTED]");
    expect(log4j.evidence?.request).toContain("password=[REDACTED]");
    expect(log4j.evidence?.request).not.toContain("hunter2");
    expect(log4j.evidence?.response).not.toContain("session=abc");
    expect(records[1]?.severity).toBe("info"); // "unknown"
    expect(records[2]?.severity).toBe("info"); // missing
  });

  it("reads a JSON array export", async () => {
    const text = `[${line()},\n${line({ "template-id": undefined, "matched-at": undefined, templateID: "old-id", matched: "https://api.acme.test/x" })}]`;
    const { records } = await parseAll(parser, textSource(text));
    expect(records.map((r) => [r.ruleId, r.url])).toEqual([
      ["cve-2021-44228-log4j", "https://api.acme.test/login"],
      ["old-id", "https://api.acme.test/x"],
    ]);
  });

  it("an empty JSON export ([]) or a JSONL file without results is a clean report; a 0-byte file is rejected", async () => {
    for (const text of ["[]", "[ ]\n", "\n", "\n\n  \n"]) {
      const { records, scopes, warnings } = await parseAll(parser, textSource(text, "nuclei.json"));
      expect(records, JSON.stringify(text)).toEqual([]);
      expect(scopes).toEqual([{ kind: "scanned-scope", tool: { name: "Nuclei" } }]);
      expect(warnings.map((w) => w.message)).toEqual(["the Nuclei report has no results"]);
    }
    await expect(parseAll(parser, textSource("", "nuclei.jsonl"))).rejects.toThrow(/empty \(0 bytes\)/);
    // Each host with results is a scanned scope.
    expect((await parseAll(parser, textSource(line()))).scopes).toEqual([{ kind: "scanned-scope", tool: { name: "Nuclei" }, target: "https://api.acme.test" }]);
    // Only a file name that says nuclei makes an empty array a Nuclei report.
    expect(parser.detect("[]\n", "nuclei-results.json")).toBeGreaterThan(0.5);
    expect(parser.detect("[]", "results.json")).toBe(0);
  });

  it("rejects a file where no line is a nuclei result, and truncated arrays", async () => {
    const gateway = '{"request":{"method":"GET"},"response":{"status":200}}\n{"request":{"method":"POST"}}\n';
    await expect(parseAll(parser, textSource(gateway))).rejects.toThrow(/not a Nuclei report/);
    await expect(parseAll(parser, textSource(`[${line()}`))).rejects.toThrow(ParseError);
    await expect(parseAll(parser, textSource(await (await sample("scan-results/zap-petstore-api-scan.json")).text()))).rejects.toThrow(
      ParseError,
    );
  });

  it("detects nuclei lines only", () => {
    expect(parser.detect(line(), "")).toBe(1);
    expect(parser.detect('{"templateID":"x","info":{},"matched":"y"}', "")).toBe(1);
    expect(parser.detect('{"template":"x"}', "nuclei.jsonl")).toBe(0);
  });
});
