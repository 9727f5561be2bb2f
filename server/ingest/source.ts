import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { HEAD_BYTES, MAX_DOCUMENT_BYTES, ParseError, type SourceFile } from "./contract";

const decoder = () => new TextDecoder("utf-8", { fatal: false });

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tooLarge(name: string, maxBytes: number): ParseError {
  return new ParseError(`${name || "input"} is larger than ${Math.round(maxBytes / 1e6)} MB, the limit for this format`);
}

/** Splits a byte stream into lines without holding more than one chunk plus one partial line. */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const dec = decoder();
  let carry = "";
  let first = true;
  for await (const chunk of chunks) {
    let text = carry + dec.decode(chunk, { stream: true });
    if (first) {
      text = stripBom(text);
      first = false;
    }
    let start = 0;
    for (let nl = text.indexOf("\n", start); nl !== -1; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      yield text.slice(start, end);
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  carry += dec.decode();
  if (carry.endsWith("\r")) carry = carry.slice(0, -1);
  if (carry.length > 0) yield carry;
}

async function collect(chunks: AsyncIterable<Uint8Array>, name: string, maxBytes: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of chunks) {
    total += chunk.byteLength;
    if (total > maxBytes) throw tooLarge(name, maxBytes);
    parts.push(chunk);
  }
  return stripBom(decoder().decode(Buffer.concat(parts)));
}

/** A file on disk, read lazily. */
export async function fileSource(path: string, name = path.split("/").pop() ?? path): Promise<SourceFile> {
  const { size } = await stat(path);
  const open = (end?: number) =>
    createReadStream(path, { highWaterMark: 1 << 20, ...(end === undefined ? {} : { start: 0, end }) });
  return {
    name,
    size,
    path,
    async head() {
      return collect(open(HEAD_BYTES - 1), name, Number.MAX_SAFE_INTEGER);
    },
    async text(maxBytes = MAX_DOCUMENT_BYTES) {
      if (size > maxBytes) throw tooLarge(name, maxBytes);
      return collect(open(), name, maxBytes);
    },
    lines: () => splitLines(open()),
    chunks: () => open(),
  };
}

/** In-memory content (tests, small uploads). */
export function bufferSource(content: string | Uint8Array, name = ""): SourceFile {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  async function* once() {
    yield bytes;
  }
  return {
    name,
    size: bytes.byteLength,
    async head() {
      return stripBom(decoder().decode(bytes.subarray(0, HEAD_BYTES)));
    },
    async text(maxBytes = MAX_DOCUMENT_BYTES) {
      if (bytes.byteLength > maxBytes) throw tooLarge(name, maxBytes);
      return stripBom(decoder().decode(bytes));
    },
    lines: () => splitLines(once()),
    chunks: () => once(),
  };
}
