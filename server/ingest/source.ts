import { createReadStream } from "node:fs";
import { open, stat } from "node:fs/promises";
import { HEAD_BYTES, MAX_DOCUMENT_BYTES, ParseError, type SourceFile } from "./contract";

const decoder = () => new TextDecoder("utf-8", { fatal: false });

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function tooLarge(name: string, maxBytes: number): ParseError {
  return new ParseError(`${name || "input"} is larger than ${Math.round(maxBytes / 1e6)} MB, the limit for this format`);
}

/**
 * Bytes decoded into one string at a time. A string over V8's regular object size (128 KB) is allocated in the
 * large-object space, fresh pages each time: decoding then runs at ~200 MB/s whatever the decoder, against several
 * GB/s for strings below it (measured on Node 20, 1 MB vs 64 KB of ASCII).
 */
const DECODE_WINDOW = 64 * 1024;

/**
 * The end of the whole lines of `bytes` from `from` that fit in `max` bytes (a longer first line alone), where `end`
 * is just after a newline: a cut there never splits a line or a UTF-8 character.
 */
export function wholeLinesEnd(bytes: Uint8Array, from: number, end: number, max: number): number {
  if (end - from <= max) return end;
  const nl = bytes.lastIndexOf(10, from + max - 1);
  return (nl >= from ? nl : bytes.indexOf(10, from + max)) + 1;
}

/**
 * Cuts raw bytes into lines, holding no more than one chunk plus one partial line. The whole lines of a chunk are
 * decoded a window at a time (DECODE_WINDOW): a cut just after a newline never splits a UTF-8 character, and
 * Buffer's decoder is several times faster than a streaming TextDecoder. The partial line waits for the next chunk
 * as bytes. "\n" and "\r\n" end a line; a byte order mark at the very start is dropped.
 */
export class LineSplitter {
  private carry: Buffer | null = null;

  /** `atStart`: this splitter sees the beginning of the input (where a byte order mark may stand). */
  constructor(private atStart = true) {}

  /** Calls `onLine` for each line that `chunk` completes. */
  push(chunk: Uint8Array, onLine: (line: string) => void): void {
    this.pushRanges(chunk, (text, start, end) => onLine(text.slice(start, end)));
  }

  /**
   * Calls `onLine(text, start, end)` for each line that `chunk` completes, the line being text.slice(start, end):
   * for readers that scan lines in place rather than as strings of their own.
   */
  pushRanges(chunk: Uint8Array, onLine: (text: string, start: number, end: number) => void): void {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data = this.carry ? Buffer.concat([this.carry, bytes]) : bytes;
    const end = data.lastIndexOf(10) + 1;
    this.carry = end < data.length ? Buffer.from(data.subarray(end)) : null;
    if (end === 0) return;
    for (let from = 0; from < end; ) {
      const to = wholeLinesEnd(data, from, end, DECODE_WINDOW);
      const text = this.withoutBom(data.toString("utf8", from, to));
      let start = 0;
      for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
        onLine(text, start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
        start = nl + 1;
      }
      from = to;
    }
  }

  /** The end of the input: calls `onLine` for a last line that has no newline. */
  end(onLine: (line: string) => void): void {
    this.endRanges((text, start, end) => onLine(text.slice(start, end)));
  }

  /** end() for pushRanges() readers. */
  endRanges(onLine: (text: string, start: number, end: number) => void): void {
    if (this.carry === null) return;
    const last = this.withoutBom(this.carry.toString("utf8"));
    this.carry = null;
    const end = last.endsWith("\r") ? last.length - 1 : last.length;
    if (end > 0) onLine(last, 0, end);
  }

  private withoutBom(text: string): string {
    if (!this.atStart || text.length === 0) return text;
    this.atStart = false;
    return stripBom(text);
  }
}

/** The lines of a byte stream (see LineSplitter). */
export async function* splitLines(chunks: AsyncIterable<Uint8Array>): AsyncIterable<string> {
  const splitter = new LineSplitter();
  const lines: string[] = [];
  const take = (line: string) => {
    lines.push(line);
  };
  for await (const chunk of chunks) {
    splitter.push(chunk, take);
    for (const line of lines) yield line;
    lines.length = 0;
  }
  splitter.end(take);
  for (const line of lines) yield line;
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

// ---------------------------------------------------------------------------------------------------------------
// UTF-16

/** The UTF-16 encoding a byte order mark at the start of `bytes` names, else null. */
export function utf16Bom(bytes: Uint8Array): "utf-16le" | "utf-16be" | null {
  if (bytes.length < 2) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return "utf-16le";
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return "utf-16be";
  return null;
}

/** UTF-16 bytes as UTF-8 bytes, streamed (the byte order mark dropped; unpaired surrogates become U+FFFD). */
async function* utf16ToUtf8(chunks: AsyncIterable<Uint8Array>, encoding: "utf-16le" | "utf-16be"): AsyncIterable<Uint8Array> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of chunks) {
    const text = decoder.decode(chunk, { stream: true });
    if (text !== "") yield Buffer.from(text, "utf8");
  }
  const tail = decoder.decode();
  if (tail !== "") yield Buffer.from(tail, "utf8");
}

/** The first bytes of a source: from its file when it has one (no pass over the content), else its first chunk. */
async function firstBytes(file: SourceFile, count: number): Promise<Uint8Array | null> {
  if (file.path !== undefined) {
    const handle = await open(file.path, "r");
    try {
      const buffer = Buffer.alloc(count);
      const { bytesRead } = await handle.read(buffer, 0, count, 0);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
  if (!file.chunks) return null;
  for await (const chunk of file.chunks()) return chunk.subarray(0, count);
  return new Uint8Array(0);
}

/**
 * `file` as UTF-8 when it is UTF-16 with a byte order mark (Windows tools write such exports), else `file` itself.
 * Every reader (detection, parsers, the content hash, the parse worker) then sees UTF-8; the raw file is no longer
 * offered by path, so that nothing reads its bytes as UTF-8 behind the decoding.
 */
export async function decodedSource(file: SourceFile): Promise<SourceFile> {
  if (!file.chunks) return file;
  const first = await firstBytes(file, 2);
  const encoding = first ? utf16Bom(first) : null;
  if (encoding === null) return file;
  const raw = file.chunks.bind(file);
  const path = file.path;
  const chunks = () => utf16ToUtf8(raw(), encoding);
  return {
    name: file.name,
    size: file.size,
    async head() {
      // From the file when there is one: the head is not a pass over the content (progress meters count those).
      const source = path !== undefined ? createReadStream(path, { start: 0, end: 2 * HEAD_BYTES + 1 }) : raw();
      const parts: Uint8Array[] = [];
      let total = 0;
      for await (const chunk of utf16ToUtf8(source, encoding)) {
        parts.push(chunk);
        total += chunk.byteLength;
        if (total >= HEAD_BYTES) break;
      }
      return decoder().decode(Buffer.concat(parts).subarray(0, HEAD_BYTES));
    },
    text: (maxBytes = MAX_DOCUMENT_BYTES) => collect(chunks(), file.name, maxBytes),
    lines: () => splitLines(chunks()),
    chunks,
  };
}
