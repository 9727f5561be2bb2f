/**
 * Helpers shared by the gateway-log parsers: the streaming line driver (bad-line accounting, wrong-format
 * rejection, cancellation), content probing for detect(), and small allocation-light field parsers
 * (CLF/ISO times, client addresses, request targets, a quoted/bracketed field tokenizer).
 *
 * Per-line work is kept minimal on purpose: one JSON.parse per JSON line, hand-written scanning for text formats.
 */
import { ParseError, Skip, type LineResult, type ParseContext, type SourceFile, type TrafficEvent } from "../../contract";
import { readPosition } from "../../line-position";
import { parsedBatches, shouldParseInWorker } from "./parallel";

// ---------------------------------------------------------------------------------------------------------------
// Line results

// Skip and LineResult belong to the parser contract (a format declares its LineReader there); re-exported here for
// the parsers' convenience.
export { Skip, type LineResult };

export type LineHandler = (line: string) => LineResult;

/** Lines looked at before a file whose every line is bad is rejected as "not this format". */
export const PROBE_LINES = 20;
/** How often (in lines) the driver checks ctx.signal. */
const SIGNAL_EVERY = 4096;

export function isBlank(line: string): boolean {
  if (line.length === 0) return true;
  const c = line.charCodeAt(0);
  // Fast path: a line starting with a visible character is not blank.
  if (c > 32) return false;
  return line.trim().length === 0;
}

/**
 * Streams `file` line by line through `handle`. Bad lines are reported with ctx.lineError (line numbers from 1)
 * and the rest of the file goes on. If the first PROBE_LINES non-blank lines are all bad (or the whole file is bad)
 * the file is rejected with ParseError before anything was yielded, so nothing is written.
 * Skipped lines (well-formed, but no HTTP request) are summarised by one ctx.warn per reason at the end.
 */
export async function* runLines(
  file: SourceFile,
  ctx: ParseContext,
  label: string,
  handle: LineHandler,
  /** The parser id: large files are then parsed by a worker thread with the same handler (parallel.ts). */
  handlerId?: string,
): AsyncGenerator<TrafficEvent, void, undefined> {
  if (shouldParseInWorker(file, handlerId)) {
    yield* runBatches(file, ctx, label, handlerId as string);
    return;
  }
  const signal = ctx.signal;
  const tally = new LineTally(ctx, label);
  const position = readPosition(ctx);
  let lineNo = 0;
  for await (const line of file.lines()) {
    lineNo++;
    if (signal !== undefined && lineNo % SIGNAL_EVERY === 0) signal.throwIfAborted();
    if (isBlank(line)) continue;
    const result = handle(line);
    if (typeof result === "string") {
      tally.bad(lineNo, result);
      continue;
    }
    tally.good();
    position.line = lineNo;
    if (result instanceof Skip) tally.skip(lineNo, result.reason);
    else if (Array.isArray(result)) yield* result;
    else yield result;
  }
  tally.end();
}

/** runLines on a worker thread: the same rules, applied to the batches' results in file order. */
async function* runBatches(file: SourceFile, ctx: ParseContext, label: string, handlerId: string): AsyncGenerator<TrafficEvent, void, undefined> {
  const tally = new LineTally(ctx, label);
  const position = readPosition(ctx);
  let base = 0;
  for await (const batch of parsedBatches(file, handlerId, ctx.signal, ctx.eventStage)) {
    for (const [rel, message] of batch.errors) {
      if (batch.firstGood !== 0 && rel > batch.firstGood) tally.good();
      tally.bad(base + rel, message);
    }
    if (batch.firstGood !== 0) tally.good();
    for (const [rel, reason] of batch.skips) tally.skip(base + rel, reason);
    const { events, eventLines } = batch;
    for (let i = 0; i < events.length; i++) {
      position.line = base + (eventLines[i] ?? 0);
      yield events[i] as TrafficEvent;
    }
    base += batch.lines;
  }
  tally.end();
}

/**
 * Bad-line and skip accounting of runLines (in-thread or with the parse worker) and of the shard reader
 * (server/traffic/shards.ts), which replays its shards' lines through it in file order. Errors before the first
 * recognised line wait (the file may not be this format at all): PROBE_LINES of them reject it; once a line is
 * recognised they become line errors. Skipped lines are summarised by one ctx.warn per reason at the end.
 */
export class LineTally {
  private recognised = false;
  private readonly pending: { line: number; message: string }[] = [];
  private readonly skips = new Map<string, { count: number; first: number }>();

  constructor(
    private readonly ctx: ParseContext,
    private readonly label: string,
  ) {}

  bad(line: number, message: string): void {
    if (this.recognised) {
      this.ctx.lineError(line, message);
      return;
    }
    this.pending.push({ line, message });
    if (this.pending.length >= PROBE_LINES) throw notThisFormat(this.label, this.pending);
  }

  /** A line parsed (an event or a skip): the file is of this format. */
  good(): void {
    if (this.recognised) return;
    this.recognised = true;
    for (const p of this.pending) this.ctx.lineError(p.line, p.message);
    this.pending.length = 0;
  }

  /** `count` more bad lines after a recognised one, whose details were not kept: counted only. */
  badUnlisted(count: number): void {
    this.ctx.countLineErrors?.(count);
  }

  skip(line: number, reason: string, count = 1): void {
    const s = this.skips.get(reason);
    if (s === undefined) this.skips.set(reason, { count, first: line });
    else {
      s.count += count;
      if (line < s.first) s.first = line;
    }
  }

  end(): void {
    this.ctx.signal?.throwIfAborted();
    if (!this.recognised && this.pending.length > 0) throw notThisFormat(this.label, this.pending);
    for (const [reason, { count, first }] of this.skips) {
      this.ctx.warn(`${count} line${count === 1 ? "" : "s"} skipped: ${reason} (first on line ${first})`, first);
    }
  }
}

export function notThisFormat(label: string, pending: { line: number; message: string }[]): ParseError {
  const first = pending[0];
  const detail = first ? ` (line ${first.line}: ${first.message})` : "";
  return new ParseError(`not a ${label} log: none of the first ${pending.length} lines parse${detail}`, first?.line);
}

/**
 * Content probe for detect(): the share of the first complete non-blank lines of `head` that `handle` accepts
 * (events and skips both count). The last line is ignored when the head was cut at HEAD_BYTES.
 */
export function probe(head: string, handle: LineHandler, maxLines = 10): number {
  let ok = 0;
  let seen = 0;
  let start = 0;
  while (seen < maxLines && start < head.length) {
    const nl = head.indexOf("\n", start);
    if (nl === -1 && head.length >= 60 * 1024) break; // probably truncated
    let line = head.slice(start, nl === -1 ? head.length : nl);
    start = nl === -1 ? head.length : nl + 1;
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (isBlank(line)) continue;
    seen++;
    let r: LineResult;
    try {
      r = handle(line);
    } catch {
      r = "error";
    }
    if (typeof r !== "string") ok++;
  }
  return seen === 0 ? 0 : ok / seen;
}

/** Maps a probe ratio to a detect() score: 0 unless most probed lines parse. */
export function scoreFromProbe(ratio: number, certainty = 0.95): number {
  return ratio >= 0.5 ? certainty * ratio : 0;
}

// ---------------------------------------------------------------------------------------------------------------
// JSON access helpers (no `any`)

export type Rec = Record<string, unknown>;

export function asRec(v: unknown): Rec | undefined {
  return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Rec) : undefined;
}

/** A present string value: null, "", "-" are absent. */
export function str(v: unknown): string | undefined {
  if (typeof v === "string") return v === "" || v === "-" ? undefined : v;
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  return undefined;
}

/** A number from a number or numeric string; "-", null, "" are absent. */
export function num(v: unknown): number | undefined {
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  if (typeof v === "string" && v !== "" && v !== "-") {
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

/** Parses one JSON line; undefined when it is not JSON. */
export function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Times

const MONTHS: Readonly<Record<string, number>> = {
  Jan: 0, Feb: 1, Mar: 2, Apr: 3, May: 4, Jun: 5, Jul: 6, Aug: 7, Sep: 8, Oct: 9, Nov: 10, Dec: 11,
};

function d2(s: string, i: number): number {
  const a = s.charCodeAt(i) - 48;
  const b = s.charCodeAt(i + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}

function d4(s: string, i: number): number {
  return d2(s, i) * 100 + d2(s, i + 2);
}

let lastClf = "";
let lastClfMs = NaN;

/**
 * Common Log Format time "10/Oct/2000:13:55:36 -0700" (NGINX $time_local, AWS $context.requestTime) → epoch ms.
 * NaN when malformed. A missing zone means UTC. Consecutive equal stamps are served from a one-entry cache.
 */
export function clfTimeToMs(s: string): number {
  if (s === lastClf) return lastClfMs;
  let ms = NaN;
  if (s.length >= 20 && s.charCodeAt(2) === 47 && s.charCodeAt(6) === 47 && s.charCodeAt(11) === 58) {
    const day = d2(s, 0);
    const month = MONTHS[s.slice(3, 6)];
    const year = d4(s, 7);
    const h = d2(s, 12);
    const m = d2(s, 15);
    const sec = d2(s, 18);
    let offsetMin = 0;
    let valid = month !== undefined && day >= 1 && day <= 31 && h <= 23 && m <= 59 && sec <= 60;
    if (s.length > 20) {
      const sign = s.charCodeAt(21);
      const zh = d2(s, 22);
      const zm = d2(s, 24);
      if (s.length !== 26 || s.charCodeAt(20) !== 32 || (sign !== 43 && sign !== 45) || !(zh <= 23) || !(zm <= 59)) {
        valid = false;
      } else {
        offsetMin = (sign === 45 ? -1 : 1) * (zh * 60 + zm);
      }
    }
    if (valid && month !== undefined) ms = Date.UTC(year, month, day, h, m, sec) - offsetMin * 60_000;
  }
  lastClf = s;
  lastClfMs = ms;
  return ms;
}

/** ISO 8601 time (Envoy START_TIME, "2022-09-08T12:51:05.656Z") → epoch ms; NaN when malformed. */
export function isoTimeToMs(s: string): number {
  // Fast path: YYYY-MM-DDTHH:MM:SS[.fff]Z
  const n = s.length;
  if (
    n >= 20 &&
    s.charCodeAt(n - 1) === 90 &&
    s.charCodeAt(4) === 45 &&
    s.charCodeAt(7) === 45 &&
    s.charCodeAt(10) === 84 &&
    s.charCodeAt(13) === 58 &&
    s.charCodeAt(16) === 58
  ) {
    let frac = 0;
    if (n > 20) {
      if (s.charCodeAt(19) !== 46) return Date.parse(s);
      // milliseconds from the first three fraction digits
      let scale = 100;
      for (let i = 20; i < n - 1 && i < 23; i++) {
        const c = s.charCodeAt(i) - 48;
        if (c < 0 || c > 9) return Date.parse(s);
        frac += c * scale;
        scale /= 10;
      }
    }
    const ms = Date.UTC(d4(s, 0), d2(s, 5) - 1, d2(s, 8), d2(s, 11), d2(s, 14), d2(s, 17), frac);
    return Number.isFinite(ms) ? ms : NaN;
  }
  return /^\d{4}-\d\d-\d\dT/.test(s) ? Date.parse(s) : NaN;
}

/** Epoch given in seconds or milliseconds (heuristic: < 1e11 are seconds). */
export function epochToMs(n: number): number {
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/** "1.2.3.4:5678" → "1.2.3.4"; "[2001:db8::1]:443" → "2001:db8::1"; a bare IPv6 address is left as is. */
export function stripPort(addr: string): string {
  if (addr.charCodeAt(0) === 91) {
    const end = addr.indexOf("]");
    return end > 1 ? addr.slice(1, end) : addr;
  }
  const colon = addr.indexOf(":");
  if (colon === -1 || addr.indexOf(":", colon + 1) !== -1) return addr;
  return addr.slice(0, colon);
}

/** First hop of an X-Forwarded-For value, port stripped; undefined for "", "-", "unknown". */
export function firstHop(xff: string | undefined): string | undefined {
  if (xff === undefined) return undefined;
  const comma = xff.indexOf(",");
  const hop = (comma === -1 ? xff : xff.slice(0, comma)).trim();
  if (hop === "" || hop === "-" || hop.toLowerCase() === "unknown") return undefined;
  return stripPort(hop);
}

/** Peer address without port; undefined for "-"/"". */
export function peer(addr: string | undefined): string | undefined {
  if (addr === undefined || addr === "" || addr === "-") return undefined;
  return stripPort(addr);
}

// ---------------------------------------------------------------------------------------------------------------
// Request targets

export interface Target {
  path: string;
  query?: string;
  host?: string;
  scheme?: "http" | "https";
}

/**
 * Splits a request target: "/a/b?x=1" → path "/a/b", query "x=1"; an absolute URL also gives scheme and host.
 * Undefined for targets that are not paths ("*", "host:443" of CONNECT, garbage).
 */
export function splitTarget(target: string): Target | undefined {
  let rest = target;
  let host: string | undefined;
  let scheme: "http" | "https" | undefined;
  if (rest.charCodeAt(0) !== 47) {
    const lower = rest.slice(0, 8).toLowerCase();
    let skip = 0;
    if (lower.startsWith("http://")) {
      scheme = "http";
      skip = 7;
    } else if (lower.startsWith("https://")) {
      scheme = "https";
      skip = 8;
    } else {
      return undefined;
    }
    let end = skip;
    while (end < rest.length) {
      const c = rest.charCodeAt(end);
      if (c === 47 || c === 63 || c === 35) break;
      end++;
    }
    const authority = rest.slice(skip, end);
    const at = authority.lastIndexOf("@");
    host = (at === -1 ? authority : authority.slice(at + 1)).toLowerCase() || undefined;
    rest = end < rest.length && rest.charCodeAt(end) === 47 ? rest.slice(end) : `/${rest.slice(end)}`;
  }
  const q = rest.indexOf("?");
  let path = q === -1 ? rest : rest.slice(0, q);
  const hash = path.indexOf("#");
  if (hash !== -1) path = path.slice(0, hash);
  const out: Target = { path: path === "" ? "/" : path };
  if (q !== -1) {
    let query = rest.slice(q + 1);
    const h = query.indexOf("#");
    if (h !== -1) query = query.slice(0, h);
    if (query !== "") out.query = query;
  }
  if (host !== undefined) out.host = host;
  if (scheme !== undefined) out.scheme = scheme;
  return out;
}

/** An HTTP method token: letters (and "-"/"_"), at most 20 chars. */
export function isMethod(m: string): boolean {
  if (m.length === 0 || m.length > 20) return false;
  for (let i = 0; i < m.length; i++) {
    const c = m.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 45 || c === 95)) return false;
  }
  return true;
}

export interface RequestLine {
  method: string;
  target: Target;
}

/**
 * "GET /a?b HTTP/1.1" → method + target. Returns a Skip for lines that are well-formed log fields but not an HTTP
 * request ("-", "", "- - -", TLS garbage, "*", CONNECT host:port).
 */
export function parseRequestLine(req: string): RequestLine | Skip {
  if (req === "" || req === "-") return SKIP_NO_REQUEST;
  const sp = req.indexOf(" ");
  if (sp <= 0) return SKIP_MALFORMED_REQUEST;
  const method = req.slice(0, sp);
  if (method === "-") return SKIP_NON_HTTP;
  if (!isMethod(method)) return SKIP_MALFORMED_REQUEST;
  const last = req.lastIndexOf(" ");
  let rawTarget = req.slice(sp + 1);
  if (last > sp) {
    const proto = req.slice(last + 1);
    if (proto.startsWith("HTTP/") || proto === "-") rawTarget = req.slice(sp + 1, last);
  }
  if (rawTarget === "-") return SKIP_NON_HTTP;
  const target = splitTarget(rawTarget);
  if (target === undefined) return SKIP_NOT_A_PATH;
  return { method: method.toUpperCase(), target };
}

export const SKIP_NO_REQUEST = new Skip("connection without a request line");
export const SKIP_MALFORMED_REQUEST = new Skip("request line is not HTTP (malformed or binary)");
export const SKIP_NON_HTTP = new Skip("non-HTTP (TCP) connection");
export const SKIP_NOT_A_PATH = new Skip("request target is not a path (CONNECT host:port or *)");

// ---------------------------------------------------------------------------------------------------------------
// Text-log tokenizer

export const BARE = 0;
export const QUOTED = 1;
export const BRACKETED = 2;

/**
 * Splits a text log line into fields: bare words, "quoted strings" (a quote closes only when followed by a space or
 * the end of the line, so embedded quotes survive) and [bracketed] values ("[v6]:port" stays one bare word).
 * Fills `tokens`/`kinds` (reused arrays); returns false on an unterminated quote.
 */
export function tokenize(line: string, start: number, tokens: string[], kinds: number[]): boolean {
  tokens.length = 0;
  kinds.length = 0;
  const n = line.length;
  let i = start;
  while (i < n) {
    const c = line.charCodeAt(i);
    if (c === 32 || c === 9) {
      i++;
      continue;
    }
    if (c === 34) {
      let j = line.indexOf('"', i + 1);
      while (j !== -1 && j + 1 < n && line.charCodeAt(j + 1) !== 32 && line.charCodeAt(j + 1) !== 9) {
        j = line.indexOf('"', j + 1);
      }
      if (j === -1) return false;
      tokens.push(line.slice(i + 1, j));
      kinds.push(QUOTED);
      i = j + 1;
    } else if (c === 91 && bracketEnd(line, i) !== -1) {
      const j = bracketEnd(line, i);
      tokens.push(line.slice(i + 1, j));
      kinds.push(BRACKETED);
      i = j + 1;
    } else {
      let j = i + 1;
      while (j < n) {
        const d = line.charCodeAt(j);
        if (d === 32 || d === 9) break;
        j++;
      }
      tokens.push(line.slice(i, j));
      kinds.push(BARE);
      i = j;
    }
  }
  return true;
}

/** Index of the "]" closing a bracketed field at `i` (followed by a blank or the end), else -1 ("[v6]:port" is bare). */
function bracketEnd(line: string, i: number): number {
  const j = line.indexOf("]", i + 1);
  if (j === -1) return -1;
  const next = line.charCodeAt(j + 1);
  return j + 1 === line.length || next === 32 || next === 9 ? j : -1;
}

/** Non-negative integer from a bare token; undefined for "-", NaN for garbage. */
export function intToken(t: string): number | undefined {
  if (t === "-") return undefined;
  const n = t.length;
  if (n === 0 || n > 15) return NaN;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = t.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** Text field value: "-" and "" are absent. */
export function field(t: string | undefined): string | undefined {
  return t === undefined || t === "" || t === "-" ? undefined : t;
}

/** True when the response header name is a rate-limit header (RateLimit-*, X-RateLimit-*). */
export function isRateLimitHeader(name: string): boolean {
  const c = name.charCodeAt(0);
  if (c === 114 || c === 82) {
    // RateLimit (IETF draft structured field), RateLimit-Limit/-Remaining/-Reset/-Policy
    return name.length >= 9 && name.slice(0, 9).toLowerCase() === "ratelimit" && (name.length === 9 || name.charCodeAt(9) === 45);
  }
  if (c === 120 || c === 88) return name.length > 12 && name.slice(0, 12).toLowerCase() === "x-ratelimit-";
  return false;
}
