/**
 * Streaming splitter for a sequence of JSON objects: JSON lines, concatenated objects (`{…}{…}`), pretty-printed
 * objects one after another, or the elements of a top-level array. It tracks brace depth while respecting strings
 * and escapes, so memory is bounded by the largest single object (capped: larger objects are reported, not kept).
 */

export type JsonItem =
  | { kind: "object"; line: number; value: unknown }
  | { kind: "error"; line: number; message: string };

export interface JsonScanOptions {
  /** Largest object kept, in UTF-16 code units (≈ bytes for ASCII logs). */
  maxObjectChars: number;
}

const OPEN = 123; // {
const CLOSE = 125; // }
const QUOTE = 34; // "
const BACKSLASH = 92; // \

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13 || c === 10 || c === 0xfeff;
}

/** Array brackets and separators between top-level objects are tolerated. */
function isSeparator(c: number): boolean {
  return c === 91 /* [ */ || c === 93 /* ] */ || c === 44 /* , */;
}

function canPrecedeObject(c: number): boolean {
  return c === OPEN || c === 91 /* [ */ || c === 44 /* , */ || c === 58 /* : */;
}

function firstSignificant(line: string): number {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (!isSpace(c)) return c;
  }
  return -1;
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class JsonObjectScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private parts: string[] = [];
  private size = 0;
  private startLine = 0;
  private oversized = false;
  /** Last significant character (outside strings) of the open object; a string end counts as a quote. */
  private lastSig = 0;

  constructor(private readonly options: JsonScanOptions) {}

  /** Feeds one line (without terminator); returns the objects and errors completed by it. */
  push(line: string, lineNo: number): JsonItem[] {
    const out: JsonItem[] = [];
    if (this.depth > 0 && !this.inString && !canPrecedeObject(this.lastSig) && firstSignificant(line) === OPEN) {
      // In valid JSON a "{" may only follow "[", ",", ":" or "{". After anything else the open object is broken:
      // typically a truncated line followed by the next record.
      out.push({ kind: "error", line: this.startLine, message: "truncated JSON object (unbalanced braces)" });
      this.reset();
    }
    if (this.depth === 0) {
      const trimmed = line.trim();
      if (trimmed.length === 0) return out;
      // Fast path: one whole object on the line.
      if (trimmed.charCodeAt(0) === OPEN && trimmed.charCodeAt(trimmed.length - 1) === CLOSE) {
        if (trimmed.length > this.options.maxObjectChars) {
          out.push({ kind: "error", line: lineNo, message: this.tooLarge() });
          return out;
        }
        try {
          out.push({ kind: "object", line: lineNo, value: JSON.parse(trimmed) as unknown });
          return out;
        } catch {
          // Fall through to the scanner: `{…}{…}` on one line, or a genuinely bad line.
        }
      }
    }
    this.scan(line, lineNo, out);
    return out;
  }

  /** End of input: an object still open is truncated. */
  end(): JsonItem[] {
    if (this.depth > 0) {
      const item: JsonItem = { kind: "error", line: this.startLine, message: "truncated JSON object at end of file" };
      this.reset();
      return [item];
    }
    return [];
  }

  private tooLarge(): string {
    return `JSON object larger than ${Math.round(this.options.maxObjectChars / 1024)} KiB: skipped`;
  }

  private reset(): void {
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.lastSig = 0;
  }

  private append(text: string): void {
    if (this.oversized) return;
    this.size += text.length;
    if (this.size > this.options.maxObjectChars) {
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(text);
  }

  private scan(line: string, lineNo: number, out: JsonItem[]): void {
    const n = line.length;
    let segStart = 0; // start of the current object's text on this line
    for (let i = 0; i < n; i++) {
      const c = line.charCodeAt(i);
      if (this.depth === 0) {
        if (isSpace(c) || isSeparator(c)) continue;
        if (c !== OPEN) {
          out.push({ kind: "error", line: lineNo, message: "text outside a JSON object" });
          return; // the rest of this line is junk
        }
        this.depth = 1;
        this.startLine = lineNo;
        this.lastSig = OPEN;
        segStart = i;
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === BACKSLASH) this.escaped = true;
        else if (c === QUOTE) this.inString = false;
        continue;
      }
      if (isSpace(c)) continue;
      this.lastSig = c;
      if (c === QUOTE) this.inString = true;
      else if (c === OPEN) this.depth++;
      else if (c === CLOSE) {
        this.depth--;
        if (this.depth === 0) {
          this.append(line.slice(segStart, i + 1));
          out.push(this.complete());
        }
      }
    }
    if (this.depth > 0) {
      if (this.inString) {
        // JSON strings cannot span lines: the record is broken (typically a truncated line).
        out.push({ kind: "error", line: this.startLine, message: "unterminated string in JSON object" });
        this.reset();
        return;
      }
      this.append(`${line.slice(segStart)}\n`);
    }
  }

  private complete(): JsonItem {
    const line = this.startLine;
    const oversized = this.oversized;
    const text = oversized ? "" : this.parts.join("");
    this.reset();
    if (oversized) return { kind: "error", line, message: this.tooLarge() };
    try {
      return { kind: "object", line, value: JSON.parse(text) as unknown };
    } catch (err) {
      return { kind: "error", line, message: `invalid JSON: ${describe(err)}` };
    }
  }
}

/** Streams the JSON objects of a line source. */
export async function* jsonObjects(lines: AsyncIterable<string>, options: JsonScanOptions): AsyncIterable<JsonItem> {
  const scanner = new JsonObjectScanner(options);
  let lineNo = 0;
  for await (const line of lines) {
    lineNo++;
    const items = scanner.push(line, lineNo);
    for (const item of items) yield item;
  }
  for (const item of scanner.end()) yield item;
}

/** The first complete objects of a file head (detection). Errors and the truncated tail are ignored. */
export function headObjects(head: string, limit = 5): unknown[] {
  const scanner = new JsonObjectScanner({ maxObjectChars: head.length + 1 });
  const found: unknown[] = [];
  const lines = head.split("\n");
  for (let i = 0; i < lines.length && found.length < limit; i++) {
    for (const item of scanner.push(lines[i] ?? "", i + 1)) {
      if (item.kind === "object") found.push(item.value);
    }
  }
  return found.slice(0, limit);
}
