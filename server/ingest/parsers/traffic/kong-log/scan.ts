/**
 * Fast path for Kong file-log lines: validates a line exactly as JSON.parse would and picks out the ~15 fields
 * entry() in parser.ts reads, without building the object tree (JSON.parse of a ~2 KB line is most of the ingest
 * CPU). The caller passes a range of a large decoded batch string; the line is never sliced out as a whole.
 *
 * Contract: a returned value deep-equals handle(line) of parser.ts (the same event with the same properties in the
 * same order, or the same error string); undefined means "not sure, call handle()". Left to handle(): any JSON
 * syntax error (handle() reports it), a top level that is not an object (http-log batch arrays, scalars), containers
 * nested deeper than MAX_SKIP_DEPTH inside a value.
 *
 * Two ways to read a line, both exact:
 * - templates (most lines of a log): the line is a learned template's constant text with other valid scalar tokens
 *   in the places seen to vary; only those tokens are scanned (see "Templates" below);
 * - a full scan: one pass over the line with charCodeAt and indexOf, which validates every token, reads the wanted
 *   fields and teaches the templates.
 *
 * Semantics kept from JSON.parse + entry(): the last of duplicate keys wins (a repeated object field resets
 * everything read from the earlier one), escaped keys are decoded before they are compared, values of any JSON type
 * go through the same str()/num()/Array.isArray() helpers, and the event is built like entry() builds it.
 *
 * Runs single-threaded (a parse worker or the main thread): the state of the line being scanned is module-level.
 */
import type { TrafficEvent } from "../../../contract";
import { epochToMs, firstHop, isRateLimitHeader, type LineResult, num, peer, splitTarget, str } from "../common";

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
const DIGIT_9 = 57;
const COLON = 58;
const UPPER_E = 69;
const LBRACKET = 91;
const BACKSLASH = 92;
const RBRACKET = 93;
const LOWER_E = 101;
const LOWER_F = 102;
const LOWER_N = 110;
const LOWER_T = 116;
const LOWER_U = 117;
const LBRACE = 123;
const RBRACE = 125;

/** Containers nested deeper than this inside a skipped value are left to JSON.parse (the skipper's stack is a bit set). */
const MAX_SKIP_DEPTH = 30;

// Slots: the values read from the line (undefined = absent), in one array reset per line.
const STARTED_AT = 0;
const CLIENT_IP = 1;
/** true when the last top-level "request" is an object. */
const REQUEST_IS_OBJECT = 2;
const METHOD = 3;
const URI = 4;
const URL_ = 5;
const HOST = 6;
const USER_AGENT = 7;
const FORWARDED_FOR = 8;
const STATUS = 9;
const SIZE = 10;
/** true when the last response.headers object has a RateLimit-* / X-RateLimit-* name. */
const RATE_LIMIT = 11;
const LATENCY = 12;
const SERVICE_NAME = 13;
const SERVICE_HOST = 14;
const SERVICE_ID = 15;
const ROUTE_NAME = 16;
const ROUTE_PATHS = 17;
const ROUTE_ID = 18;
const CONSUMER_USERNAME = 19;
const CONSUMER_CUSTOM_ID = 20;
const CONSUMER_ID = 21;
const AUTH_ENTITY_ID = 22;
const SLOT_COUNT = 23;

/**
 * An object whose fields are read. `fields` maps a key to a leaf slot (>= 0) or to a nested object (-1 - its index
 * in OBJECTS). `first..last` are the slots filled under it (nested objects included): a repeated key resets them.
 */
interface ObjectSpec {
  keys: readonly string[];
  fields: readonly number[];
  first: number;
  last: number;
  /** Slot set to true when the value is an object, or -1. */
  isObjectSlot: number;
}

// Indexes into OBJECTS. RESPONSE_HEADERS has no fields: only its names are looked at.
const TOP = 0;
const REQUEST = 1;
const REQUEST_HEADERS = 2;
const RESPONSE = 3;
const RESPONSE_HEADERS = 4;
const LATENCIES = 5;
const SERVICE = 6;
const ROUTE = 7;
const CONSUMER = 8;
const AUTH_ENTITY = 9;

const nested = (object: number) => -1 - object;

const OBJECTS: readonly ObjectSpec[] = [
  {
    keys: ["started_at", "client_ip", "request", "response", "latencies", "service", "route", "consumer", "authenticated_entity"],
    fields: [STARTED_AT, CLIENT_IP, nested(REQUEST), nested(RESPONSE), nested(LATENCIES), nested(SERVICE), nested(ROUTE), nested(CONSUMER), nested(AUTH_ENTITY)],
    first: 0,
    last: SLOT_COUNT - 1,
    isObjectSlot: -1,
  },
  {
    keys: ["method", "uri", "url", "headers"],
    fields: [METHOD, URI, URL_, nested(REQUEST_HEADERS)],
    first: REQUEST_IS_OBJECT,
    last: FORWARDED_FOR,
    isObjectSlot: REQUEST_IS_OBJECT,
  },
  { keys: ["host", "user-agent", "x-forwarded-for"], fields: [HOST, USER_AGENT, FORWARDED_FOR], first: HOST, last: FORWARDED_FOR, isObjectSlot: -1 },
  { keys: ["status", "size", "headers"], fields: [STATUS, SIZE, nested(RESPONSE_HEADERS)], first: STATUS, last: RATE_LIMIT, isObjectSlot: -1 },
  { keys: [], fields: [], first: RATE_LIMIT, last: RATE_LIMIT, isObjectSlot: -1 },
  { keys: ["request"], fields: [LATENCY], first: LATENCY, last: LATENCY, isObjectSlot: -1 },
  { keys: ["name", "host", "id"], fields: [SERVICE_NAME, SERVICE_HOST, SERVICE_ID], first: SERVICE_NAME, last: SERVICE_ID, isObjectSlot: -1 },
  { keys: ["name", "paths", "id"], fields: [ROUTE_NAME, ROUTE_PATHS, ROUTE_ID], first: ROUTE_NAME, last: ROUTE_ID, isObjectSlot: -1 },
  {
    keys: ["username", "custom_id", "id"],
    fields: [CONSUMER_USERNAME, CONSUMER_CUSTOM_ID, CONSUMER_ID],
    first: CONSUMER_USERNAME,
    last: CONSUMER_ID,
    isObjectSlot: -1,
  },
  { keys: ["id"], fields: [AUTH_ENTITY_ID], first: AUTH_ENTITY_ID, last: AUTH_ENTITY_ID, isObjectSlot: -1 },
];

/** Longest key length KEY_TABLE indexes (longer keys are not wanted). */
const MAX_KEY_LENGTH = 31;

/**
 * Field index + 1 of a key by (object, key length, last code unit & 31), 0 for none: one lookup, then one full
 * comparison. Two keys of an object never share a cell (checked here).
 */
const KEY_TABLE = (() => {
  const table = new Uint8Array(OBJECTS.length << 10);
  OBJECTS.forEach((spec, object) => {
    spec.keys.forEach((key, f) => {
      const cell = keyCell(object, key.length, key.charCodeAt(key.length - 1));
      if (table[cell] !== 0) throw new Error(`scan.ts: keys of object ${object} share a table cell`);
      table[cell] = f + 1;
    });
  });
  return table;
})();

function keyCell(object: number, length: number, lastCode: number): number {
  return (object << 10) | (length << 5) | (lastCode & 31);
}

/** Stands for an object value in a leaf slot: str()/num() give undefined for it, as for any object. */
const OPAQUE_OBJECT: unknown = Object.freeze({});
const EMPTY_ARRAY: unknown = Object.freeze([]);

// State of the line being scanned.
let text = "";
let limit = 0;
/** The line has no code unit < 0x20 and no backslash: a string ends at the next quote, with nothing to check. */
let plain = false;
const values: unknown[] = new Array<unknown>(SLOT_COUNT).fill(undefined);
/** Set by scanString: the string just scanned has a backslash escape. */
let escaped = false;
/** Set by readLeaf: the value just read. */
let leaf: unknown;

/**
 * Scans the Kong file-log line text.slice(start, end) (not sliced out: the caller holds a large batch string).
 * Returns what handle(line) of parser.ts returns, or undefined when the line is left to handle().
 */
export function scanKongLine(source: string, start: number, end: number): LineResult | undefined {
  try {
    return scanRange(source, start, end);
  } finally {
    // Do not keep the caller's batch alive through module state.
    text = "";
    recording = false;
  }
}

function scanRange(source: string, start: number, end: number): LineResult | undefined {
  text = source;
  limit = Math.min(end, source.length);
  let first = start;
  while (first < limit && isWhitespace(source.charCodeAt(first))) first++;
  let last = limit;
  while (last > first && isWhitespace(source.charCodeAt(last - 1))) last--;
  let result: LineResult | undefined;
  // A top-level object ends with "}": anything else (a batch array, a scalar, garbage) is handle()'s.
  if (last - first >= 2 && source.charCodeAt(first) === LBRACE && source.charCodeAt(last - 1) === RBRACE) {
    limit = last;
    const learning = templatesInUse();
    if (learning && templates.length > 0 && matchTemplates(first, last)) result = buildEvent();
    else {
      values.fill(undefined);
      slotSources.fill(-1);
      plain = isPlain(first, last);
      recording = learning;
      tokenCount = 0;
      pinning = 0;
      const after = scanObject(first + 1, TOP);
      if (after === last) {
        result = buildEvent();
        if (recording && last - first <= MAX_TEMPLATE_LENGTH) learn(first, last);
      }
    }
  }
  return result;
}

/** The code unit at i, or -1 past the end of the line. */
function charAt(i: number): number {
  return i < limit ? text.charCodeAt(i) : -1;
}

function isWhitespace(c: number): boolean {
  return c === SPACE || c === LF || c === CR || c === TAB;
}

function skipWhitespace(i: number): number {
  while (i < limit && isWhitespace(text.charCodeAt(i))) i++;
  return i;
}

function isDigit(c: number): boolean {
  return c >= DIGIT_0 && c <= DIGIT_9;
}

function isHex(c: number): boolean {
  return (c >= DIGIT_0 && c <= DIGIT_9) || ((c | 0x20) >= 97 && (c | 0x20) <= 102);
}

// Scratch copy of the line, one byte per UTF-16 code unit (latin1 keeps the low byte), read 4 bytes at a time.
let scratch = new ArrayBuffer(1 << 14);
let scratchBytes = new Uint8Array(scratch);
let scratchWords = new Uint32Array(scratch);
let scratchBuffer = Buffer.from(scratch);

/**
 * True when text[from, to) has no code unit < 0x20 and no backslash, so that every string ends at the next quote.
 * Checked on a latin1 copy four bytes at a time (a charCodeAt loop over the line costs half of a JSON.parse): a code
 * unit >= 0x100 whose low byte looks like a control character or a backslash only gives a false "no" (the exact,
 * slower string scan is used then).
 */
function isPlain(from: number, to: number): boolean {
  const length = to - from;
  if (length + 4 > scratch.byteLength) {
    scratch = new ArrayBuffer(2 * (length + 4));
    scratchBytes = new Uint8Array(scratch);
    scratchWords = new Uint32Array(scratch);
    scratchBuffer = Buffer.from(scratch);
  }
  scratchBuffer.write(text.substring(from, to), 0, length, "latin1");
  // pad the last word with spaces
  scratchBytes[length] = SPACE;
  scratchBytes[length + 1] = SPACE;
  scratchBytes[length + 2] = SPACE;
  const words = scratchWords;
  const count = (length + 3) >> 2;
  let found = 0;
  for (let k = 0; k < count; k++) {
    const x = words[k] as number;
    const y = x ^ 0x5c5c5c5c; // a zero byte where x has a backslash
    // "has a byte < 0x20" and "has a zero byte" (Bit Twiddling Hacks hasless/haszero: exact as yes/no)
    found |= ((x - 0x20202020) & ~x) | ((y - 0x01010101) & ~y);
  }
  return (found & 0x80808080) === 0;
}

/** i: just past the opening quote. Returns the index past the closing quote, or -1 if the string is invalid JSON. */
function scanString(i: number): number {
  escaped = false;
  if (plain) {
    const q = text.indexOf('"', i);
    return q < 0 || q >= limit ? -1 : q + 1;
  }
  const s = text;
  const n = limit;
  for (;;) {
    let c = -1;
    while (i < n && (c = s.charCodeAt(i)) !== QUOTE && c !== BACKSLASH && c >= SPACE) i++;
    if (i >= n) return -1;
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1; // raw control characters are not allowed in JSON strings
    escaped = true;
    const e = charAt(i + 1);
    if (e === LOWER_U) {
      if (!(isHex(charAt(i + 2)) && isHex(charAt(i + 3)) && isHex(charAt(i + 4)) && isHex(charAt(i + 5)))) return -1;
      i += 6;
    } else if (e === QUOTE || e === BACKSLASH || e === SLASH || e === 98 || e === LOWER_F || e === LOWER_N || e === 114 || e === LOWER_T) {
      i += 2; // \" \\ \/ \b \f \n \r \t
    } else {
      return -1;
    }
  }
}

/** A JSON number at i (RFC 8259 grammar): the index past it, or -1. */
function scanNumber(i: number): number {
  if (charAt(i) === MINUS) i++;
  let c = charAt(i);
  if (c === DIGIT_0) i++;
  else if (c >= DIGIT_1 && c <= DIGIT_9) {
    i++;
    while (isDigit(charAt(i))) i++;
  } else return -1;
  c = charAt(i);
  if (c === DOT) {
    i++;
    if (!isDigit(charAt(i))) return -1;
    while (isDigit(charAt(i))) i++;
    c = charAt(i);
  }
  if (c === LOWER_E || c === UPPER_E) {
    i++;
    c = charAt(i);
    if (c === PLUS || c === MINUS) i++;
    if (!isDigit(charAt(i))) return -1;
    while (isDigit(charAt(i))) i++;
  }
  return i;
}

/** The literal true/false/null at i, whose code unit is c: the index past it, or -1 (also for anything else). */
function scanLiteral(i: number, c: number): number {
  if (c === LOWER_T) return i + 4 <= limit && text.startsWith("true", i) ? i + 4 : -1;
  if (c === LOWER_F) return i + 5 <= limit && text.startsWith("false", i) ? i + 5 : -1;
  if (c === LOWER_N) return i + 4 <= limit && text.startsWith("null", i) ? i + 4 : -1;
  return -1;
}

/**
 * Validates and skips the JSON value at i (whitespace before it allowed): the index past it, or -1. Iterative, with
 * the kinds of the open containers as bits of `objects` (1 = object, 0 = array); scalars are handled inline.
 */
function skipValue(i: number): number {
  const s = text;
  const n = limit;
  let objects = 0;
  let depth = 0;
  for (;;) {
    // a value at i
    let c = i < n ? s.charCodeAt(i) : -1;
    if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
    if (c === QUOTE) {
      const start = i;
      i = scanString(i + 1);
      if (i < 0) return -1;
      if (recording) recordToken(STRING_TOKEN, start, i);
    } else if (c === LBRACE || c === LBRACKET) {
      i++;
      let d = i < n ? s.charCodeAt(i) : -1;
      if (d <= SPACE && isWhitespace(d)) d = charAt((i = skipWhitespace(i)));
      if (c === LBRACE ? d !== RBRACE : d !== RBRACKET) {
        if (depth === MAX_SKIP_DEPTH) return -1;
        depth++;
        objects = (objects << 1) | (c === LBRACE ? 1 : 0);
        if (c === LBRACE) {
          i = skipKey(i, d);
          if (i < 0) return -1;
        }
        continue; // the first element's value
      }
      i++; // an empty container
    } else {
      const start = i;
      i = c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9) ? scanNumber(i) : scanLiteral(i, c);
      if (i < 0) return -1;
      if (recording) recordToken(BARE_TOKEN, start, i);
    }
    // after a value: close containers, or go on to the next element
    for (;;) {
      if (depth === 0) return i;
      let d = i < n ? s.charCodeAt(i) : -1;
      if (d <= SPACE && isWhitespace(d)) d = charAt((i = skipWhitespace(i)));
      if (d === COMMA) {
        i++;
        if ((objects & 1) === 1) {
          i = skipKey(i, i < n ? s.charCodeAt(i) : -1);
          if (i < 0) return -1;
        }
        break;
      }
      if (d !== ((objects & 1) === 1 ? RBRACE : RBRACKET)) return -1;
      i++;
      objects >>>= 1;
      depth--;
    }
  }
}

/** A key and its colon at i, whose code unit is c (whitespace around them allowed): the index past the colon, or -1. */
function skipKey(i: number, c: number): number {
  if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  if (c !== QUOTE) return -1;
  i = scanString(i + 1);
  if (i < 0) return -1;
  c = charAt(i);
  if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  return c === COLON ? i + 1 : -1;
}

/**
 * Reads a value whose str()/num()/Array.isArray() entry() looks at into `leaf`: strings, numbers and literals as
 * JSON.parse gives them, an object as OPAQUE_OBJECT, an array as an array of its first element (only str() of it is
 * used: a nested object or array is OPAQUE_OBJECT). Sets leafToken. Returns the index past the value, or -1.
 */
function readLeaf(i: number): number {
  let c = charAt(i);
  if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  leafToken = -1;
  if (c === LBRACE || c === LBRACKET) {
    pinning++;
    const after = skipValue(i);
    pinning--;
    if (after < 0) return -1;
    if (c === LBRACE) leaf = OPAQUE_OBJECT;
    else {
      const head = skipWhitespace(i + 1);
      const headCode = text.charCodeAt(head);
      if (headCode === RBRACKET) leaf = EMPTY_ARRAY;
      else if (headCode === LBRACE || headCode === LBRACKET) leaf = [OPAQUE_OBJECT];
      else {
        readScalar(head, headCode); // valid: skipValue checked the array
        leaf = [leaf];
      }
    }
    return after;
  }
  const after = readScalar(i, c);
  if (after >= 0 && recording) {
    recordToken(c === QUOTE ? STRING_TOKEN : BARE_TOKEN, i, after);
    leafToken = tokenCount - 1;
  }
  return after;
}

/** A string, number or literal at i into `leaf`: the index past it, or -1. */
function readScalar(i: number, c: number): number {
  const after = c === QUOTE ? scanString(i + 1) : c === MINUS || isDigit(c) ? scanNumber(i) : scanLiteral(i, c);
  if (after < 0) return -1;
  if (c === QUOTE) leaf = escaped ? (JSON.parse(text.slice(i, after)) as unknown) : text.slice(i + 1, after - 1);
  else if (c === LOWER_T) leaf = true;
  else if (c === LOWER_F) leaf = false;
  else if (c === LOWER_N) leaf = null;
  else leaf = numberValue(i, after);
  return after;
}

/** The value of the valid JSON number text[i, j): plain integers without a slice, anything else as Number() reads it. */
function numberValue(i: number, j: number): number {
  const negative = text.charCodeAt(i) === MINUS;
  const digits = negative ? i + 1 : i;
  // Up to 15 digits an integer is exact in a double; "-0" stays -0 as with JSON.parse.
  if (j - digits <= 15) {
    let n = 0;
    let k = digits;
    for (; k < j; k++) {
      const d = text.charCodeAt(k) - DIGIT_0;
      if (d < 0 || d > 9) break;
      n = n * 10 + d;
    }
    if (k === j) return negative ? -n : n;
  }
  return Number(text.slice(i, j));
}

/**
 * i: just past "{". Validates the object and reads the fields OBJECTS[object] wants. Returns the index past "}",
 * or -1.
 */
function scanObject(i: number, object: number): number {
  const s = text;
  const n = limit;
  let c = i < n ? s.charCodeAt(i) : -1;
  if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  if (c === RBRACE) return i + 1;
  for (;;) {
    if (c !== QUOTE) return -1;
    const keyStart = i + 1;
    let keyEnd: number;
    let keyEscaped = false;
    if (plain) {
      keyEnd = s.indexOf('"', keyStart);
      if (keyEnd < 0 || keyEnd >= n) return -1;
    } else {
      keyEnd = scanString(keyStart) - 1;
      if (keyEnd < 0) return -1;
      keyEscaped = escaped;
    }
    i = keyEnd + 1;
    c = i < n ? s.charCodeAt(i) : -1;
    if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
    if (c !== COLON) return -1;
    i++;
    if (object === RESPONSE_HEADERS) {
      if (isRateLimitKey(keyStart, keyEnd, keyEscaped)) values[RATE_LIMIT] = true;
      i = skipValue(i);
    } else {
      const spec = OBJECTS[object] as ObjectSpec;
      const f = fieldIndex(spec, object, keyStart, keyEnd, keyEscaped);
      if (f < 0) i = skipValue(i);
      else {
        const target = spec.fields[f] as number;
        if (target >= 0) {
          i = readLeaf(i);
          values[target] = leaf;
          slotSources[target] = leafToken;
        } else i = readObjectField(i, -1 - target, OBJECTS[-1 - target] as ObjectSpec);
      }
    }
    if (i < 0) return -1;
    c = i < n ? s.charCodeAt(i) : -1;
    if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
    if (c === RBRACE) return i + 1;
    if (c !== COMMA) return -1;
    i++;
    c = i < n ? s.charCodeAt(i) : -1;
    if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  }
}

/** The value at i of a field holding a read object: the index past it, or -1. The last occurrence wins. */
function readObjectField(i: number, object: number, spec: ObjectSpec): number {
  for (let k = spec.first; k <= spec.last; k++) {
    values[k] = undefined;
    slotSources[k] = -1;
  }
  let c = charAt(i);
  if (c <= SPACE && isWhitespace(c)) c = charAt((i = skipWhitespace(i)));
  if (c !== LBRACE) return skipValue(i);
  if (spec.isObjectSlot >= 0) values[spec.isObjectSlot] = true;
  return scanObject(i + 1, object);
}

/** The index in OBJECTS[object].keys of the key text[keyStart, keyEnd), or -1. */
function fieldIndex(spec: ObjectSpec, object: number, keyStart: number, keyEnd: number, keyEscaped: boolean): number {
  const keys = spec.keys;
  if (keyEscaped) return keys.indexOf(decodeKey(keyStart, keyEnd));
  const length = keyEnd - keyStart;
  if (length === 0 || length > MAX_KEY_LENGTH) return -1;
  const f = (KEY_TABLE[keyCell(object, length, text.charCodeAt(keyEnd - 1))] as number) - 1;
  if (f < 0) return -1;
  const key = keys[f] as string;
  for (let k = 0; k < length - 1; k++) if (key.charCodeAt(k) !== text.charCodeAt(keyStart + k)) return -1;
  return f;
}

function decodeKey(keyStart: number, keyEnd: number): string {
  return JSON.parse(text.slice(keyStart - 1, keyEnd + 1)) as string;
}

/**
 * isRateLimitHeader() of the key text[keyStart, keyEnd), slicing only names that can match: the first code units
 * of "RateLimit…" / "X-RateLimit-…" in any case (a non-ASCII unit is left to the helper's toLowerCase()).
 */
function isRateLimitKey(keyStart: number, keyEnd: number, keyEscaped: boolean): boolean {
  if (keyEscaped) return isRateLimitHeader(decodeKey(keyStart, keyEnd));
  const length = keyEnd - keyStart;
  const c0 = text.charCodeAt(keyStart) | 0x20;
  if (c0 === 114) {
    const c1 = text.charCodeAt(keyStart + 1);
    if (length < 9 || ((c1 | 0x20) !== 97 && c1 < 128)) return false;
  } else if (c0 === 120) {
    const c1 = text.charCodeAt(keyStart + 1);
    const c2 = text.charCodeAt(keyStart + 2);
    if (length <= 12 || (c1 !== MINUS && c1 < 128) || ((c2 | 0x20) !== 114 && c2 < 128)) return false;
  } else return false;
  return isRateLimitHeader(text.slice(keyStart, keyEnd));
}

// ---------------------------------------------------------------------------------------------------------------
// Templates: most of a gateway line is the same text as in the lines before it (route and service objects, most
// headers, every key); only some scalar values change (times, ids, sizes, the path). A template is a line scanned in
// full whose scalar tokens seen to change are "varying". A line matches when it is the template's constant text with,
// in place of each varying token, a valid token of the same kind (a string; or a number/true/false/null): such a
// line is valid JSON exactly when the template line was, and its fields are read from the same places, so the slots
// are the template's values except those read from varying tokens. Only the varying tokens are scanned (code unit by
// code unit, exactly); the constant text between them is compared with === of a substring, native code (startsWith
// was measured slower than scanning), or in a loop when short.
//
// Learning: a fully scanned line with the same structure as a template (same text between the tokens, same kinds)
// marks the tokens that differ as varying; else it becomes a new template (at most MAX_TEMPLATES, least recently
// matched dropped). Tokens inside an object or array value of a read field ("pinned") never vary: such a change
// makes another template. When a template does not match, another one goes on from the chunks they share. Logs whose
// lines keep matching nothing pause the templates for a while (then every line is scanned in full).

const STRING_TOKEN = 1;
/** A number, true, false or null. */
const BARE_TOKEN = 2;
/** Lines with more scalar tokens, or longer, teach no template. */
const MAX_TOKENS = 4096;
const MAX_TEMPLATE_LENGTH = 64 * 1024;
const MAX_TEMPLATES = 8;
/** Lines in a row no template matched after which templates are left alone for PAUSE_LINES lines. */
const MISSES_BEFORE_PAUSE = 64;
const PAUSE_LINES = 1024;

// Scalar tokens of the line being scanned in full, while `recording`.
let recording = false;
let tokenCount = 0;
let tokenStarts = new Int32Array(256);
let tokenEnds = new Int32Array(256);
let tokenKinds = new Uint8Array(256);
let tokenPinned = new Uint8Array(256);
/** > 0 while the tokens of a read field's object or array value are scanned: those are read, so they may not vary. */
let pinning = 0;
/** Per slot: the token whose value it holds, or -1 (a value set by the line's structure). */
const slotSources = new Int32Array(SLOT_COUNT);
/** Set by readLeaf: the token the value was read from, or -1. */
let leafToken = -1;

function recordToken(kind: number, start: number, end: number): void {
  if (tokenCount === tokenStarts.length) {
    if (tokenCount >= MAX_TOKENS) {
      recording = false; // too many to be worth a template
      return;
    }
    tokenStarts = grown(tokenStarts);
    tokenEnds = grown(tokenEnds);
    tokenKinds = grown(tokenKinds);
    tokenPinned = grown(tokenPinned);
  }
  tokenStarts[tokenCount] = start;
  tokenEnds[tokenCount] = end;
  tokenKinds[tokenCount] = kind;
  tokenPinned[tokenCount] = pinning > 0 ? 1 : 0;
  tokenCount++;
}

function grown<A extends Int32Array | Uint8Array>(array: A): A {
  const bigger = new (array.constructor as new (length: number) => A)(array.length * 2);
  bigger.set(array);
  return bigger;
}

interface Template {
  /** The line it was made from (a copy), and its scalar tokens (offsets into it). */
  line: string;
  count: number;
  starts: Int32Array;
  ends: Int32Array;
  kinds: Uint8Array;
  pinned: Uint8Array;
  /** Tokens seen to change. */
  varying: Uint8Array;
  skeleton: number;
  /** Per slot: the token whose value it holds, or -1; and the value it had in `line`. */
  sources: Int32Array;
  constants: unknown[];
  // Compiled from the above: constant text, then for each varying token its kind and the constant text after it.
  chunks: string[];
  /** The code units of each chunk shorter than SHORT_CHUNK (compared in a loop), else undefined. */
  shortChunks: (Uint16Array | undefined)[];
  chunkKinds: Uint8Array;
  /** Per slot: the varying token (index into chunkKinds) to read its value from, or -1: constants[slot]. */
  reads: Int32Array;
  /** Leading chunks (with the token kinds after them) each other template has in common with this one. */
  shared: Map<Template, number>;
}

/** Most recently matched first. */
const templates: Template[] = [];
let missesInARow = 0;
let pausedLines = 0;

/** Whether to match and learn templates on this line (left alone a while after many lines none matched). */
function templatesInUse(): boolean {
  if (pausedLines === 0) return true;
  pausedLines--;
  return false;
}

// Where the varying tokens of the line being matched are, and where each chunk started (by index).
let matchStarts = new Int32Array(64);
let matchEnds = new Int32Array(64);
let matchEscaped = new Uint8Array(64);
let chunkStarts = new Int32Array(65);
/** Set when a template does not match: the chunk that did not (or whose token did not). */
let failedChunk = 0;

/** Matches text[first, last) against the templates; on a match the slots hold the line's values. */
function matchTemplates(first: number, last: number): boolean {
  plain = false; // varying strings are checked code unit by code unit
  let template = templates[0] as Template;
  let chunk = 0;
  chunkStarts[0] = first;
  let tried = 0;
  for (;;) {
    if (matchFrom(template, chunk, last)) {
      fillSlots(template);
      missesInARow = 0;
      toFront(template);
      return true;
    }
    tried |= 1 << templates.indexOf(template);
    // Another template goes on from the last chunk it has in common with this one (the text before is checked).
    const failed: Template = template;
    let next: Template | undefined;
    let resumeAt = -1;
    for (let k = 0; k < templates.length; k++) {
      const other = templates[k] as Template;
      const common = Math.min(failed.shared.get(other) ?? 0, failedChunk);
      if ((tried & (1 << k)) === 0 && common > resumeAt) {
        next = other;
        resumeAt = common;
      }
    }
    if (next === undefined) break;
    template = next;
    chunk = resumeAt;
  }
  if (++missesInARow >= MISSES_BEFORE_PAUSE) {
    missesInARow = 0;
    pausedLines = PAUSE_LINES;
  }
  return false;
}

function toFront(template: Template): void {
  const index = templates.indexOf(template);
  if (index > 0) {
    templates.splice(index, 1);
    templates.unshift(template);
  }
}

/**
 * Matches text[chunkStarts[chunk], last) against `template` from chunk `chunk` on; sets failedChunk when it does not.
 */
function matchFrom(template: Template, chunk: number, last: number): boolean {
  const s = text;
  const chunks = template.chunks;
  const shortChunks = template.shortChunks;
  const kinds = template.chunkKinds;
  const tokens = kinds.length;
  let at = chunkStarts[chunk] as number;
  for (let k = chunk; ; k++) {
    const constant = chunks[k] as string;
    const end = at + constant.length;
    let after = -1;
    const codes = shortChunks[k];
    if (end <= last && (codes === undefined ? s.substring(at, end) === constant : sameCodesAt(codes, at))) {
      if (k === tokens) {
        if (end === last) return true;
      } else if (kinds[k] === STRING_TOKEN) {
        if (s.charCodeAt(end) === QUOTE) {
          after = scanString(end + 1);
          matchEscaped[k] = escaped ? 1 : 0;
        }
      } else {
        const c = s.charCodeAt(end);
        after = c === MINUS || (c >= DIGIT_0 && c <= DIGIT_9) ? scanNumber(end) : scanLiteral(end, c);
      }
    }
    if (after < 0) {
      failedChunk = k;
      return false;
    }
    matchStarts[k] = end;
    matchEnds[k] = after;
    chunkStarts[k + 1] = after;
    at = after;
  }
}

/**
 * Below this length a chunk is compared in a loop over its code units; longer ones with === of a substring (it
 * allocates a view but compares in native code).
 */
const SHORT_CHUNK = 24;

/** Whether text at `at` has the code units `codes` (the caller checked that it is long enough). */
function sameCodesAt(codes: Uint16Array, at: number): boolean {
  const s = text;
  for (let k = 0; k < codes.length; k++, at++) if (s.charCodeAt(at) !== codes[k]) return false;
  return true;
}

/** The slots from a matched template: its constants, and the values of the varying tokens it reads. */
function fillSlots(template: Template): void {
  const reads = template.reads;
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const k = reads[slot] as number;
    if (k < 0) values[slot] = template.constants[slot];
    else {
      const start = matchStarts[k] as number;
      const end = matchEnds[k] as number;
      if (template.chunkKinds[k] === STRING_TOKEN) {
        values[slot] = matchEscaped[k] === 1 ? (JSON.parse(text.slice(start, end)) as unknown) : text.slice(start + 1, end - 1);
      } else {
        const c = text.charCodeAt(start);
        values[slot] = c === LOWER_T ? true : c === LOWER_F ? false : c === LOWER_N ? null : numberValue(start, end);
      }
    }
  }
}

/**
 * After a full scan of text[first, last) with its tokens recorded: a template with the same structure learns which
 * of its tokens vary; else the line becomes a template of its own.
 */
function learn(first: number, last: number): void {
  const count = tokenCount;
  const skeleton = skeletonOf(text, first, last, tokenStarts, tokenEnds, tokenKinds, count);
  for (const template of templates) {
    if (template.count !== count || template.skeleton !== skeleton || !sameSkeleton(template, first, last)) continue;
    const changed = changedTokens(template);
    if (changed === undefined) continue; // a value read from an object or array differs: another template
    for (const k of changed) template.varying[k] = 1;
    shareVarying(template);
    compile(template);
    toFront(template);
    return;
  }
  const line = copyOf(text.substring(first, last));
  const template: Template = {
    line,
    count,
    starts: tokenStarts.slice(0, count).map((p) => p - first),
    ends: tokenEnds.slice(0, count).map((p) => p - first),
    kinds: tokenKinds.slice(0, count),
    pinned: tokenPinned.slice(0, count),
    varying: new Uint8Array(count),
    skeleton,
    sources: slotSources.slice(),
    constants: values.map(ownCopy),
    chunks: [],
    shortChunks: [],
    chunkKinds: new Uint8Array(0),
    reads: new Int32Array(SLOT_COUNT),
    shared: new Map(),
  };
  templates.unshift(template);
  if (templates.length > MAX_TEMPLATES) {
    const evicted = templates.pop() as Template;
    for (const t of templates) t.shared.delete(evicted);
  }
  shareVarying(template);
  compile(template);
}

/**
 * Makes the tokens that vary in `template` or in another template vary in both, where the two have the same
 * structure: over their common leading tokens and their common trailing tokens (same kinds, same text between).
 * Lines with and without an optional object (a consumer, rate-limit headers) then share what changes, and a
 * template that does not match hands over to the other at the object. Marking a token varying never makes a
 * template wrong (the token is then scanned and read), only less specific.
 */
function shareVarying(template: Template): void {
  for (const other of templates) {
    if (other === template) continue;
    let changed = false;
    const leading = Math.min(template.count, other.count);
    for (let k = 0; k < leading && template.kinds[k] === other.kinds[k] && gapBefore(template, k) === gapBefore(other, k); k++) {
      changed = shareToken(template, k, other, k) || changed;
    }
    for (let j = 1; j <= leading; j++) {
      const a = template.count - j;
      const b = other.count - j;
      if (template.kinds[a] !== other.kinds[b] || gapBefore(template, a + 1) !== gapBefore(other, b + 1)) break;
      changed = shareToken(template, a, other, b) || changed;
    }
    if (changed) compile(other);
  }
}

/** The text of a template line before token k (after token k - 1); k = count: after the last token. */
function gapBefore(template: Template, k: number): string {
  const from = k === 0 ? 0 : (template.ends[k - 1] as number);
  const to = k === template.count ? template.line.length : (template.starts[k] as number);
  return template.line.substring(from, to);
}

/** Token a of `template` and token b of `other` vary in both when one varies (none pinned); true if `other` changed. */
function shareToken(template: Template, a: number, other: Template, b: number): boolean {
  if (template.varying[a] === other.varying[b] || template.pinned[a] === 1 || other.pinned[b] === 1) return false;
  template.varying[a] = 1;
  if (other.varying[b] === 1) return false;
  other.varying[b] = 1;
  return true;
}

/** The tokens of the line just scanned that differ from the template's and were not varying; undefined if one is pinned. */
function changedTokens(template: Template): number[] | undefined {
  const changed: number[] = [];
  for (let k = 0; k < template.count; k++) {
    if (template.varying[k] === 1) continue;
    const start = tokenStarts[k] as number;
    const end = tokenEnds[k] as number;
    if (text.substring(start, end) === template.line.substring(template.starts[k] as number, template.ends[k] as number)) continue;
    if (template.pinned[k] === 1) return undefined;
    changed.push(k);
  }
  return changed;
}

/** A hash of the line without its scalar tokens: their kinds and the text between them (length, first, last unit). */
function skeletonOf(
  source: string,
  first: number,
  last: number,
  starts: Int32Array,
  ends: Int32Array,
  kinds: Uint8Array,
  count: number,
): number {
  let h = count;
  let gapStart = first;
  for (let k = 0; k <= count; k++) {
    const gapEnd = k < count ? (starts[k] as number) : last;
    h = Math.imul(h ^ (gapEnd - gapStart), 0x9e3779b1);
    h = Math.imul(h ^ source.charCodeAt(gapStart) ^ (source.charCodeAt(gapEnd - 1) << 16), 0x85ebca6b);
    if (k < count) {
      h = Math.imul(h ^ (kinds[k] as number), 0xc2b2ae35);
      gapStart = ends[k] as number;
    }
  }
  return h;
}

/** Whether text[first, last) has the template line's text between its tokens, and tokens of the same kinds. */
function sameSkeleton(template: Template, first: number, last: number): boolean {
  const line = template.line;
  let gapStart = first;
  let templateGapStart = 0;
  for (let k = 0; k <= template.count; k++) {
    const gapEnd = k < template.count ? (tokenStarts[k] as number) : last;
    const templateGapEnd = k < template.count ? (template.starts[k] as number) : line.length;
    if (text.substring(gapStart, gapEnd) !== line.substring(templateGapStart, templateGapEnd)) return false;
    if (k < template.count) {
      if (tokenKinds[k] !== template.kinds[k]) return false;
      gapStart = tokenEnds[k] as number;
      templateGapStart = template.ends[k] as number;
    }
  }
  return true;
}

/** Builds the chunks and reads of a template from its varying tokens, and what it shares with the others. */
function compile(template: Template): void {
  const chunks: string[] = [];
  const kinds: number[] = [];
  const indexOfToken = new Int32Array(template.count).fill(-1);
  let chunkStart = 0;
  for (let k = 0; k < template.count; k++) {
    if (template.varying[k] !== 1) continue;
    chunks.push(template.line.substring(chunkStart, template.starts[k] as number));
    indexOfToken[k] = kinds.length;
    kinds.push(template.kinds[k] as number);
    chunkStart = template.ends[k] as number;
  }
  chunks.push(template.line.substring(chunkStart));
  template.chunks = chunks;
  template.shortChunks = chunks.map((chunk) => (chunk.length < SHORT_CHUNK ? codeUnits(chunk) : undefined));
  template.chunkKinds = Uint8Array.from(kinds);
  for (let slot = 0; slot < SLOT_COUNT; slot++) {
    const source = template.sources[slot] as number;
    template.reads[slot] = source < 0 ? -1 : (indexOfToken[source] as number);
  }
  if (kinds.length > matchStarts.length) {
    matchStarts = new Int32Array(kinds.length);
    matchEnds = new Int32Array(kinds.length);
    matchEscaped = new Uint8Array(kinds.length);
    chunkStarts = new Int32Array(kinds.length + 1);
  }
  for (const other of templates) {
    if (other === template) continue;
    const shared = sharedChunks(template, other);
    template.shared.set(other, shared);
    other.shared.set(template, shared);
  }
}

function codeUnits(value: string): Uint16Array {
  const codes = new Uint16Array(value.length);
  for (let k = 0; k < value.length; k++) codes[k] = value.charCodeAt(k);
  return codes;
}

/** How many leading chunks (each with the kind of the token after it) two templates have in common. */
function sharedChunks(a: Template, b: Template): number {
  let k = 0;
  while (k < a.chunks.length && k < b.chunks.length && a.chunks[k] === b.chunks[k] && a.chunkKinds[k] === b.chunkKinds[k]) k++;
  return k;
}

/** A flat copy of a string, which does not keep the caller's batch alive (a substring is a view into it). */
function copyOf(value: string): string {
  return (" " + value).slice(1);
}

/** A slot value that does not keep the caller's batch alive. */
function ownCopy(value: unknown): unknown {
  if (typeof value === "string") return copyOf(value);
  if (Array.isArray(value) && value.length === 1) return [ownCopy(value[0])];
  return value;
}

/** Header values are strings, or arrays of strings when the header was repeated (as header() in parser.ts). */
function headerValue(v: unknown): string | undefined {
  return Array.isArray(v) ? str(v[0]) : str(v);
}

/** entry() of parser.ts over the slots: the same checks, values and property order. */
function buildEvent(): TrafficEvent | string {
  if (values[REQUEST_IS_OBJECT] !== true) return "no request object (not a Kong log entry)";
  const startedAt = num(values[STARTED_AT]);
  if (startedAt === undefined) return "no started_at";
  const method = str(values[METHOD]);
  if (method === undefined) return "no request.method";
  const rawUri = str(values[URI]);
  const rawUrl = str(values[URL_]);
  const target = splitTarget(rawUri ?? rawUrl ?? "");
  if (target === undefined) return "no usable request.uri/request.url";
  const status = num(values[STATUS]) ?? 0;

  const event: TrafficEvent = { time: epochToMs(startedAt), method: method.toUpperCase(), path: target.path, status };
  if (target.query !== undefined) event.query = target.query;
  else if (rawUri !== undefined && rawUrl !== undefined && rawUrl.includes("?")) {
    const q = splitTarget(rawUrl)?.query;
    if (q !== undefined) event.query = q;
  }

  const host = headerValue(values[HOST]) ?? (rawUrl === undefined ? undefined : splitTarget(rawUrl)?.host);
  if (host !== undefined) event.host = host.toLowerCase();
  if (rawUrl !== undefined) {
    if (rawUrl.startsWith("https:")) event.scheme = "https";
    else if (rawUrl.startsWith("http:")) event.scheme = "http";
  }

  const service = str(values[SERVICE_NAME]) ?? str(values[SERVICE_HOST]) ?? str(values[SERVICE_ID]);
  if (service !== undefined) event.service = service;
  const paths = values[ROUTE_PATHS];
  const route = str(values[ROUTE_NAME]) ?? (Array.isArray(paths) ? str(paths[0]) : undefined) ?? str(values[ROUTE_ID]);
  if (route !== undefined) event.route = route;

  const size = num(values[SIZE]);
  if (size !== undefined) event.responseBytes = size;
  const latency = num(values[LATENCY]);
  if (latency !== undefined) event.latencyMs = latency;

  const clientIp = firstHop(headerValue(values[FORWARDED_FOR])) ?? peer(str(values[CLIENT_IP]));
  if (clientIp !== undefined) event.clientIp = clientIp;

  const principal =
    str(values[CONSUMER_USERNAME]) ?? str(values[CONSUMER_CUSTOM_ID]) ?? str(values[CONSUMER_ID]) ?? str(values[AUTH_ENTITY_ID]);
  if (principal !== undefined) event.principal = principal;

  const ua = headerValue(values[USER_AGENT]);
  if (ua !== undefined) event.userAgent = ua;

  if (values[RATE_LIMIT] === true) event.rateLimitHeaders = true;
  return event;
}
