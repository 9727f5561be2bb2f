import { describe, expect, it } from "vitest";
import { decodeUtf8, LineSplitter } from "./source";

/** Lines of `chunks` through one LineSplitter. */
function split(chunks: Uint8Array[]): string[] {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const take = (line: string) => lines.push(line);
  for (const chunk of chunks) splitter.push(chunk, take);
  splitter.end(take);
  return lines;
}

/** `bytes` cut at every position into two chunks. */
function everyCut(bytes: Buffer): Uint8Array[][] {
  return Array.from({ length: bytes.length + 1 }, (_, i) => [bytes.subarray(0, i), bytes.subarray(i)]);
}

describe("decodeUtf8", () => {
  it("gives what Buffer's UTF-8 decoder gives, for ASCII, multi-byte and invalid input", () => {
    const inputs = [
      Buffer.from('{"a":"plain ascii"}\n'),
      Buffer.from("héllo wörld — ✓ 𝄞\n"),
      Buffer.from([0x41, 0xe9, 0x42, 0x80, 0xff, 0x0a]),
      Buffer.from([0xf0, 0x9f, 0x98]),
      Buffer.alloc(0),
    ];
    for (const bytes of inputs) {
      expect(decodeUtf8(bytes, bytes.length)).toBe(bytes.toString("utf8"));
      expect(decodeUtf8(bytes, Math.floor(bytes.length / 2))).toBe(bytes.subarray(0, Math.floor(bytes.length / 2)).toString("utf8"));
    }
    // Bytes above 0x7f are never read as ASCII (Node's ASCII decoder would strip their high bit).
    expect(decodeUtf8(Buffer.from([0xc3, 0xa9]), 2)).toBe("é");
  });
});

describe("LineSplitter", () => {
  it("splits on \\n and \\r\\n, drops a leading byte order mark, keeps a last line without newline", () => {
    const bytes = Buffer.from("\ufeffone\r\ntwo\n\nthree");
    for (const chunks of everyCut(bytes)) expect(split(chunks)).toEqual(["one", "two", "", "three"]);
  });

  it("decodes multi-byte characters cut across chunks, and ASCII and non-ASCII chunks alike", () => {
    const bytes = Buffer.from("plain\nčešće 𝄞 ✓\nascii again\nend é");
    for (const chunks of everyCut(bytes)) expect(split(chunks)).toEqual(["plain", "češće 𝄞 ✓", "ascii again", "end é"]);
  });

  it("replaces invalid UTF-8 with U+FFFD, as the UTF-8 decoder does", () => {
    const bytes = Buffer.concat([Buffer.from("a"), Buffer.from([0xff, 0xc3]), Buffer.from("\nb\n")]);
    expect(split([bytes])).toEqual(["a\ufffd\ufffd", "b"]);
  });
});
