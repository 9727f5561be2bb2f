import { describe, expect, it } from "vitest";
import { cut, fieldLimit, headOf, LIMITS, sanitiseRecord, scrub, storable, suspectLines, ValueTally } from "./sanitize";
import { bufferSource } from "./source";

describe("sanitising values before they are stored", () => {
  it("replaces NUL, control characters and unpaired surrogates with U+FFFD, and keeps tabs, newlines, pairs and non-ASCII", () => {
    expect(scrub("a\u0000b")).toBe("a\ufffdb");
    expect(scrub("\u0001\u0008\u000b\u000c\u000e\u001f")).toBe("\ufffd".repeat(6));
    expect(scrub("tab\tnew\nline\r")).toBe("tab\tnew\nline\r");
    expect(scrub("lone \ud800 high, lone \udc00 low, end \ud83d")).toBe("lone \ufffd high, lone \ufffd low, end \ufffd");
    expect(scrub("pair 😀 é ✓ 𝄞")).toBe("pair 😀 é ✓ 𝄞");
    const clean = "nothing to do";
    expect(scrub(clean)).toBe(clean);
  });

  it("cuts long values on a character boundary with a marker, within the byte limit", () => {
    const long = "é".repeat(10_000); // 20,000 bytes
    const out = cut(long, Buffer.byteLength(long), 1024);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(1024);
    expect(out).toMatch(/^é+… \[truncated, [\d,]+ bytes\]$/);
    const kept = out.slice(0, out.indexOf("…"));
    expect(out).toContain(`[truncated, ${(20_000 - Buffer.byteLength(kept)).toLocaleString("en-US")} bytes]`);
    // Four-byte characters are never split.
    const emoji = "😀".repeat(1000);
    expect(cut(emoji, Buffer.byteLength(emoji), 101)).toMatch(/^(😀)+… \[truncated/);
    expect(headOf("ab😀", 3)).toBe("ab");
    expect(headOf("abc", 5)).toBe("abc");
  });

  it("returns clean short values as they are and counts what it changes, with line numbers", () => {
    const tally = new ValueTally();
    const clean = "curl/8.0";
    expect(storable(clean, LIMITS.key, tally)).toBe(clean);
    expect(storable("bad\u0000agent", LIMITS.key, tally, 7)).toBe("bad\ufffdagent");
    expect(storable("invalid \ufffd utf-8", LIMITS.key, tally, 3)).toBe("invalid \ufffd utf-8");
    expect(storable("x".repeat(LIMITS.short + 1), LIMITS.short, tally, 9)).toMatch(/… \[truncated, 41 bytes\]$/);
    expect(tally).toMatchObject({ cleaned: 2, truncated: 1, cleanedLines: [7, 3], truncatedLines: [9] });
    const warnings = tally.warnings();
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatchObject({ line: 3 });
    expect(warnings[0]?.message).toMatch(/^2 values held characters that cannot be stored as text .* \(lines 3, 7\)$/);
    expect(warnings[1]?.message).toMatch(/^1 value longer than Postern keeps were truncated.*\(line 9\)$/);
    expect(new ValueTally().warnings()).toEqual([]);
  });

  it("walks a record's fields with limits by field, property names and shared objects included", () => {
    const tool = { name: "Scan\u0000ner", version: "1" };
    const first = {
        tool,
        name: "n".repeat(5000),
        description: "d".repeat(100_000),
        summary: "s".repeat(10_000),
        tags: ["ok", "t\u0001ag"],
        endpoints: [{ path: "/a\ud800", parameters: [{ name: "id", in: "path" }] }],
        "key\u0000": 1,
        when: new Date(0),
      };
    const records = [first, { tool, name: "fine" }];
    const tally = new ValueTally();
    const seen = new WeakSet<object>();
    for (const r of records) sanitiseRecord(r, tally, seen);
    expect(tool.name).toBe("Scan\ufffdner");
    expect(Buffer.byteLength(first.name)).toBeLessThanOrEqual(LIMITS.key);
    expect(Buffer.byteLength(first.description)).toBeLessThanOrEqual(LIMITS.long);
    expect(first.description.length).toBeGreaterThan(LIMITS.short);
    expect(Buffer.byteLength(first.summary)).toBeLessThanOrEqual(LIMITS.short);
    expect(first.tags).toEqual(["ok", "t\ufffdag"]);
    expect(first.endpoints[0]?.path).toBe("/a\ufffd");
    expect(first).toHaveProperty("key\ufffd", 1);
    expect(first.when).toBeInstanceOf(Date);
    // The shared tool object was cleaned once.
    expect(tally).toMatchObject({ cleaned: 4, truncated: 3 });
    expect(fieldLimit("secret")).toBe(LIMITS.key);
    expect(fieldLimit("remediation")).toBe(LIMITS.long);
  });

  it("finds the lines that hold such characters or the escapes that parsers turn into them", async () => {
    const lines = [
      '{"ok": "plain", "emoji": "\\ud83d\\ude00", "newline": "a\\nb", "tab": "\\u0009"}',
      '{"nul": "a\\u0000b"}',
      '{"lone": "\\ud800x"}',
      "raw \u0001 control",
      "title: \"\\x07 bell\"",
      "<title>&#1;</title> and <ok>&#10;</ok>",
      "<ok>&#x0A;&#13;</ok>",
      "invalid \ufffd",
      '{"low": "\\udc00"}',
    ];
    expect(await suspectLines(bufferSource(lines.join("\n")), 10)).toEqual([2, 3, 4, 5, 6, 8, 9]);
    expect(await suspectLines(bufferSource(lines.join("\n")), 2)).toEqual([2, 3]);
  });
});
