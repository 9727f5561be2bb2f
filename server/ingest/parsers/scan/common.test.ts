import { describe, expect, it } from "vitest";
import { decodeEntities, excerpt, extractUrls, htmlToText, joinUrl, parseCve, parseCwe, urlWithoutQuery } from "./common";

describe("scan parser helpers", () => {
  it("parses CWEs in every spelling and rejects non-CWEs", () => {
    expect(parseCwe(79)).toBe(79);
    expect(parseCwe("79")).toBe(79);
    expect(parseCwe("CWE-79")).toBe(79);
    expect(parseCwe("cwe-079")).toBe(79);
    expect(parseCwe("external/cwe/cwe-89")).toBe(89);
    expect(parseCwe("CWE-327: Use of a Broken or Risky Cryptographic Algorithm")).toBe(327);
    expect(parseCwe("-1")).toBeUndefined();
    expect(parseCwe("0")).toBeUndefined();
    expect(parseCwe(-1)).toBeUndefined();
    expect(parseCwe("security")).toBeUndefined();
    expect(parseCwe("79", false)).toBeUndefined();
    expect(parseCwe("owasp-a1")).toBeUndefined();
  });

  it("parses CVEs", () => {
    expect(parseCve("cve-2021-44228")).toBe("CVE-2021-44228");
    expect(parseCve("see CVE-2016-6210 for details")).toBe("CVE-2016-6210");
    expect(parseCve("CVE-21-1")).toBeUndefined();
  });

  it("turns HTML into bounded plain text", () => {
    expect(htmlToText("<p>One &amp; two</p><p>Three<br/>four</p><ul><li>a</li><li>b</li></ul><script>x()</script>")).toBe(
      "One & two\nThree\nfour\n- a\n- b",
    );
    expect(htmlToText("   ")).toBeUndefined();
    expect(htmlToText("<b>x</b>".repeat(10_000), 100)!.length).toBeLessThanOrEqual(100);
    // Pathological input (a ReDoS guard, not a speed figure): a quadratic regex would take minutes here, linear
    // work takes milliseconds; the bound is loose so that a loaded CI machine cannot trip it.
    const t0 = Date.now();
    htmlToText("<".repeat(200_000));
    expect(Date.now() - t0).toBeLessThan(20_000);
  });

  it("decodes only predefined and numeric entities", () => {
    expect(decodeEntities("&lt;a&gt; &#65;&#x42; &amp;amp; &custom;")).toBe("<a> AB &amp; &custom;");
  });

  it("regression (fuzz): an entity named like an Object.prototype member is left as is", () => {
    expect(decodeEntities("a &constructor; &toString; &__proto__; &amp;")).toBe("a &constructor; &toString; &__proto__; &");
  });

  it("extracts distinct URLs", () => {
    expect(extractUrls("<p>https://a.test/x</p><p>http://b.test/y.</p>", ["https://a.test/x", 3])).toEqual([
      "https://a.test/x",
      "http://b.test/y",
    ]);
  });

  it("handles URLs", () => {
    expect(urlWithoutQuery("https://a.test/p?q=1#f")).toBe("https://a.test/p");
    expect(urlWithoutQuery("https://a.test/p#f")).toBe("https://a.test/p");
    expect(joinUrl("https://a.test/", "/x")).toBe("https://a.test/x");
    expect(joinUrl("https://a.test", "")).toBe("https://a.test");
    expect(joinUrl("https://a.test", "https://b.test/y")).toBe("https://b.test/y");
  });

  it("redacts and bounds evidence, also when a secret straddles the limit of a huge input", () => {
    expect(excerpt("Authorization: Bearer abcdefghijklmnop")).toBe("Authorization: [REDACTED]");
    const text = `${"a ".repeat(1995)}token=supersecretvalue123 ${"b".repeat(100_000)}`;
    const out = excerpt(text)!;
    expect(out).not.toContain("supersecret");
    expect(out).toMatch(/\n… \[truncated \d+ chars\]$/);
    expect(out.length).toBeLessThan(4100);
    expect(excerpt("   ")).toBeUndefined();
  });
});
