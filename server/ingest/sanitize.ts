/**
 * Values as the database can store them (issue 12, "Bytes"). PostgreSQL refuses U+0000 in text and jsonb (and the
 * `\u0000` escape inside jsonb strings), a unique index refuses an entry over ~2,700 bytes, and a 10 MB description
 * has no business in a row: any of them used to fail the whole file. So before a value is stored:
 *
 * - NUL, the other C0 control characters except tab, newline and carriage return, and unpaired UTF-16 surrogates
 *   become U+FFFD (the replacement character, what decoding already made of invalid UTF-8). U+FFFD rather than
 *   removal: "admin\0" must not become "admin", and the mark shows that something was there;
 * - a value longer than its limit (UTF-8 bytes) is cut on a character boundary and ends with
 *   "… [truncated, N bytes]" (N = the bytes cut off);
 * - a file with such values gets ONE warning for them (and one for truncations), with the first few line numbers.
 *
 * Batch families (inventories, scan reports) and vault events go through sanitiseRecord at the pipeline boundary;
 * gateway logs are cleaned where the aggregator keeps a string (keys and samples: server/traffic/aggregate.ts), so
 * the hot path pays one regex test per new key, not per request.
 */
import type { SourceFile } from "./contract";

/** Limits in UTF-8 bytes. */
export const LIMITS = {
  /** Identity fields that end up in unique indexes (names, paths, refs, rule ids, targets): several fit in one entry. */
  key: 1024,
  /** Other short fields (versions, URLs, user agents, summaries). */
  short: 8 * 1024,
  /** Descriptions, remediation, evidence. */
  long: 64 * 1024,
} as const;

/** Line numbers kept per kind of change. */
const MAX_LINES = 5;

/**
 * Whether a string needs a look: a C0 control other than tab/newline/CR, any surrogate (paired ones are fine and
 * are let through by scrub), or U+FFFD (invalid UTF-8 replaced when the file was decoded).
 */
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
export const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ud800-\udfff\ufffd]/;

/** `s` with control characters (but tab, newline, CR) and unpaired surrogates replaced by U+FFFD. */
export function scrub(s: string): string {
  let out = "";
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let bad: boolean;
    if (c < 0x20) bad = c !== 9 && c !== 10 && c !== 13;
    else if (c >= 0xd800 && c <= 0xdfff) {
      if (c <= 0xdbff && i + 1 < s.length) {
        const d = s.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
      }
      bad = true;
    } else continue;
    if (bad) {
      out += `${s.slice(from, i)}\ufffd`;
      from = i + 1;
    }
  }
  return from === 0 ? s : out + s.slice(from);
}

/** The first `n` UTF-16 units of `s`, one fewer when the cut would split a surrogate pair (which would leave half of it). */
export function headOf(s: string, n: number): string {
  if (s.length <= n) return s;
  const last = s.charCodeAt(n - 1);
  return s.slice(0, last >= 0xd800 && last <= 0xdbff ? n - 1 : n);
}

/** `s` cut to at most `maxBytes` UTF-8 bytes, marker included, on a character boundary; `bytes` = its length in bytes. */
export function cut(s: string, bytes: number, maxBytes: number): string {
  const buffer = Buffer.from(s, "utf8");
  // The marker's own size depends on the number it carries; 40 bytes leave room for any.
  let end = Math.max(0, maxBytes - 40);
  while (end > 0 && ((buffer[end] ?? 0) & 0xc0) === 0x80) end--;
  return `${buffer.toString("utf8", 0, end)}… [truncated, ${(bytes - end).toLocaleString("en-US")} bytes]`;
}

/** What was changed in a file's values, with the first line numbers where known. */
export class ValueTally {
  cleaned = 0;
  truncated = 0;
  readonly cleanedLines: number[] = [];
  readonly truncatedLines: number[] = [];

  noteCleaned(line?: number): void {
    this.cleaned++;
    if (line !== undefined && line > 0 && this.cleanedLines.length < MAX_LINES && !this.cleanedLines.includes(line)) this.cleanedLines.push(line);
  }

  noteTruncated(line?: number): void {
    this.truncated++;
    if (line !== undefined && line > 0 && this.truncatedLines.length < MAX_LINES && !this.truncatedLines.includes(line)) this.truncatedLines.push(line);
  }

  /** Adds another tally's counts; its line numbers are moved by `lineOffset` (a shard's first line - 1). */
  absorb(other: { cleaned: number; truncated: number; cleanedLines: number[]; truncatedLines: number[] }, lineOffset = 0): void {
    this.cleaned += other.cleaned;
    this.truncated += other.truncated;
    for (const l of other.cleanedLines) if (this.cleanedLines.length < MAX_LINES) this.cleanedLines.push(l + lineOffset);
    for (const l of other.truncatedLines) if (this.truncatedLines.length < MAX_LINES) this.truncatedLines.push(l + lineOffset);
  }

  /** Plain data (for a shard worker's message). */
  toJSON(): { cleaned: number; truncated: number; cleanedLines: number[]; truncatedLines: number[] } {
    return { cleaned: this.cleaned, truncated: this.truncated, cleanedLines: [...this.cleanedLines], truncatedLines: [...this.truncatedLines] };
  }

  /** The file's warnings (none when nothing was changed): [message, first line] each. */
  warnings(): { message: string; line?: number }[] {
    const out: { message: string; line?: number }[] = [];
    const where = (lines: number[], total: number) => {
      if (lines.length === 0) return "";
      const sorted = [...lines].sort((a, b) => a - b);
      return ` (line${sorted.length === 1 ? "" : "s"} ${sorted.join(", ")}${total > sorted.length ? ", …" : ""})`;
    };
    const values = (n: number) => `${n.toLocaleString("en-US")} value${n === 1 ? "" : "s"}`;
    if (this.cleaned > 0) {
      out.push({
        message:
          `${values(this.cleaned)} held characters that cannot be stored as text (NUL, control characters, invalid UTF-8 or ` +
          `unpaired surrogates): stored with U+FFFD (\ufffd) in their place${where(this.cleanedLines, this.cleaned)}`,
        ...(this.cleanedLines.length ? { line: Math.min(...this.cleanedLines) } : {}),
      });
    }
    if (this.truncated > 0) {
      out.push({
        message: `${values(this.truncated)} longer than Postern keeps were truncated, marked "… [truncated, N bytes]"${where(this.truncatedLines, this.truncated)}`,
        ...(this.truncatedLines.length ? { line: Math.min(...this.truncatedLines) } : {}),
      });
    }
    return out;
  }
}

/**
 * `s` as it may be stored: cleaned (see scrub) and cut to `maxBytes`, each change noted in `tally` (with `line` when
 * known). Returns `s` itself, after one regex test, when there is nothing to do.
 */
export function storable(s: string, maxBytes: number, tally: ValueTally, line?: number): string {
  if (s.length * 3 <= maxBytes && !SUSPECT.test(s)) return s;
  let out = s;
  if (SUSPECT.test(s)) {
    out = scrub(s);
    // Unchanged but with U+FFFD: invalid UTF-8 that decoding replaced (or a replacement character as sent).
    if (out !== s || s.includes("\ufffd")) tally.noteCleaned(line);
  }
  if (out.length * 3 > maxBytes) {
    const bytes = Buffer.byteLength(out, "utf8");
    if (bytes > maxBytes) {
      out = cut(out, bytes, maxBytes);
      tally.noteTruncated(line);
    }
  }
  return out;
}

/** Fields of long text. */
const LONG_FIELDS = new Set(["description", "remediation", "request", "response", "snippet", "detail"]);
/** Identity fields: they key Apis, endpoints, findings and secrets, in unique indexes. */
const KEY_FIELDS = new Set([
  "name",
  "catalogName",
  "path",
  "method",
  "owner",
  "baseUrls",
  "providesApis",
  "ruleId",
  "target",
  "tool",
  "secret",
  "identity",
  "action",
  "operation",
  "requestId",
]);

/** The byte limit of a record field by its property name (an array's elements: the array's name). */
export function fieldLimit(field: string | undefined): number {
  if (field === undefined) return LIMITS.short;
  if (LONG_FIELDS.has(field)) return LIMITS.long;
  if (KEY_FIELDS.has(field)) return LIMITS.key;
  return LIMITS.short;
}

/**
 * Cleans every string of a parsed record in place (property names too), with limits by field (fieldLimit), noting
 * changes in `tally`. Records are plain data: objects and arrays, possibly shared (one `tool` object for all of a
 * report's findings), walked once each.
 */
export function sanitiseRecord(record: unknown, tally: ValueTally, seen: WeakSet<object> = new WeakSet()): void {
  if (typeof record !== "object" || record === null) return;
  walk(record as Record<string, unknown> | unknown[], undefined, tally, seen, 0);
}

function walk(node: Record<string, unknown> | unknown[], field: string | undefined, tally: ValueTally, seen: WeakSet<object>, depth: number): void {
  if (seen.has(node) || depth > 64) return;
  seen.add(node);
  if (Array.isArray(node)) {
    const limit = fieldLimit(field);
    for (let i = 0; i < node.length; i++) {
      const v = node[i];
      if (typeof v === "string") {
        const s = storable(v, limit, tally);
        if (s !== v) node[i] = s;
      } else if (typeof v === "object" && v !== null) walk(v as Record<string, unknown>, field, tally, seen, depth + 1);
    }
    return;
  }
  for (const key of Object.keys(node)) {
    const v = node[key];
    let name = key;
    if (SUSPECT.test(key) || key.length * 3 > LIMITS.key) {
      name = storable(key, LIMITS.key, tally);
      if (name !== key) {
        delete node[key];
        node[name] = v;
      }
    }
    if (typeof v === "string") {
      const s = storable(v, fieldLimit(key), tally);
      if (s !== v) node[name] = s;
    } else if (typeof v === "object" && v !== null && !(v instanceof Date)) walk(v as Record<string, unknown>, key, tally, seen, depth + 1);
  }
}

/**
 * A line that holds what sanitising replaces: a control character or U+FFFD as such, or written as an escape that a
 * JSON, YAML or XML parser turns into one (`\u0000`, an unpaired `\ud83d`, `\x01`, `&#1;`).
 */
const SUSPECT_LINE = new RegExp(
  [
    "[\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\ufffd]",
    "\\\\u00(?:0[0-8bcef]|1[0-9a-f])",
    "\\\\ud[89ab][0-9a-f]{2}(?!\\\\ud[c-f][0-9a-f]{2})",
    "(?<!\\\\ud[89ab][0-9a-f]{2})\\\\ud[c-f][0-9a-f]{2}",
    "\\\\x(?:0[0-8bcef]|1[0-9a-f])",
    "&#(?:x0*(?:[0-8bcef]|1[0-9a-f])|0*(?:[0-8]|1[124-9]|2[0-9]|3[01]));",
  ].join("|"),
  "i",
);

/**
 * The first `max` lines of `file` holding such characters or escapes: where the values a parser gave without line
 * numbers (a document's records) came from. Read only when something was cleaned; stops at the `max`th line.
 */
export async function suspectLines(file: SourceFile, max = MAX_LINES): Promise<number[]> {
  const found: number[] = [];
  let n = 0;
  for await (const line of file.lines()) {
    n++;
    if (SUSPECT_LINE.test(line)) {
      found.push(n);
      if (found.length >= max) break;
    }
  }
  return found;
}
