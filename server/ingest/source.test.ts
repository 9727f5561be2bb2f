import { describe, expect, it } from "vitest";
import { LineSplitter, wholeLinesEnd } from "./source";

/** Lines of `chunks` through one LineSplitter, as strings (push) and as ranges (pushRanges): both must agree. */
function split(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const take = (line: string) => lines.push(line);
  for (const chunk of chunks) splitter.push(chunk, take);
  splitter.end(take);
  const byRange = new LineSplitter();
  const ranged: string[] = [];
  const takeRange = (text: string, start: number, end: number) => ranged.push(text.slice(start, end));
  for (const chunk of chunks) byRange.pushRanges(chunk, takeRange);
  byRange.endRanges(takeRange);
  expect(ranged).toEqual(lines);
  return lines;
}

/** `bytes` cut at every position into two chunks. */
function everyCut(bytes: Buffer): Uint8Array[][] {
  return Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);
}

describe("LineSplitter", () => {
  it("splits on \\n and \\r\\n, drops a leading byte order mark, keeps a last line without newline", () => {
    const bytes = Buffer.from("\ufeffone\r\ntwo\n\nthree");
    for (const chunks of everyCut(bytes)) expect(split(chunks)).toEqual(["one", "two", "", "three"]);
  });

  it("decodes multi-byte characters cut across chunks, and ASCII and non-ASCII chunks alike", () => {
    const bytes = Buffer.from("plain\nčešće 𝄞 ✓\nascii again\nend é");
    for (const chunks of everyCut(bytes)) expect(split(chunks)).toEqual(["plain", "češće 𝄞 ✓", "ascii again", "end é"]);
  });

  it("gives every line of a large chunk, lines longer than the decode window included", () => {
    const lines = Array.from({ length: 3000 }, (_, i) => (i % 500 === 7 ? "é".repeat(40_000 + i) : `line ${i} ${"x".repeat(i % 300)}`));
    const bytes = Buffer.from(`${lines.join("\r\n")}\n`);
    expect(bytes.length).toBeGreaterThan(900_000);
    expect(split([bytes])).toEqual(lines);
    expect(split([bytes.subarray(0, 700_001), bytes.subarray(700_001)])).toEqual(lines);
  });

  it("replaces invalid UTF-8 with U+FFFD, as the UTF-8 decoder does", () => {
    const bytes = Buffer.concat([Buffer.from("a"), Buffer.from([0xff, 0xc3]), Buffer.from("\nb\n")]);
    expect(split([bytes])).toEqual(["a\ufffd\ufffd", "b"]);
  });
});

describe("wholeLinesEnd", () => {
  const bytes = Buffer.from("aaaa\nbbbbbbbbbb\ncc\n");
  it("takes as many whole lines as fit, or one longer line alone", () => {
    expect(wholeLinesEnd(bytes, 0, bytes.length, 100)).toBe(bytes.length);
    expect(wholeLinesEnd(bytes, 0, bytes.length, 5)).toBe(5); // "aaaa\n" exactly
    expect(wholeLinesEnd(bytes, 0, bytes.length, 4)).toBe(5); // the first line is longer: alone
    expect(wholeLinesEnd(bytes, 5, bytes.length, 8)).toBe(16); // "bbbbbbbbbb\n" alone
    expect(wholeLinesEnd(bytes, 5, bytes.length, 14)).toBe(bytes.length);
  });
});
