/**
 * Object-identifying query parameters (DESIGN.md §3 `object-enumeration`, `slow-enumeration`): which values of a
 * request's query string name an object, so that their distinct values count like path parameters. Pure.
 *
 * - Control parameters never count, declared or not: paging (`page=3` is numeric but walks a list, not objects),
 *   sorting, formats, time ranges, cache busters, credentials and signatures (their values change on every request).
 * - A parameter the endpoint's spec declares (`in: query`) counts whatever its values look like, except free-text
 *   search parameters (`q`, `search`…), which count only values that look like identifiers (`q=+447911123456`).
 * - An undeclared parameter counts only values that look like identifiers: numbers, UUIDs, phone numbers (E.164-ish),
 *   e-mail addresses, long hex or base64 tokens.
 * Raw values never leave the traffic pipeline: they are hashed there (server/traffic/aggregate.ts) and shown only
 * redacted (redactIdentifier).
 */
import { isIdentifierSegment } from "./path-matcher";

/** Query parameter names that never identify an object (lower case, `-` read as `_`). */
const CONTROL_NAMES = new Set([
  // paging
  "page", "pages", "page_no", "pageno", "page_number", "pagenumber", "page_num", "pagenum", "page_size", "pagesize", "page_token",
  "pagetoken", "per_page", "perpage", "offset", "limit", "size", "count", "start", "skip", "take", "top", "max", "max_results",
  "maxresults", "first", "last", "cursor", "next", "prev", "previous", "after", "before", "from", "to", "rows", "results",
  // sorting, shaping, formats
  "sort", "sort_by", "sortby", "order", "order_by", "orderby", "dir", "direction", "asc", "desc", "fields", "include", "expand",
  "embed", "select", "format", "fmt", "view", "lang", "locale", "language", "currency", "tz", "timezone", "callback", "jsonp",
  "pretty", "debug", "v", "version", "api_version", "apiversion",
  // time ranges
  "since", "until", "date", "start_date", "end_date", "startdate", "enddate", "from_date", "to_date", "end", "year", "month",
  "day", "hour", "period", "interval", "window", "range",
  // cache busters and tracing
  "_", "t", "ts", "timestamp", "time", "cb", "cachebuster", "cache_buster", "nocache", "rand", "random", "nonce", "r",
  "request_id", "requestid", "trace_id", "traceid", "correlation_id", "utm_source", "utm_medium", "utm_campaign", "utm_term",
  "utm_content", "gclid", "fbclid",
  // credentials, signatures, OAuth round trips
  "token", "access_token", "accesstoken", "id_token", "refresh_token", "api_key", "apikey", "key", "auth", "authorization",
  "password", "passwd", "pwd", "secret", "client_secret", "signature", "sig", "hmac", "hash", "jwt", "session", "sessionid",
  "session_id", "sid", "code", "state", "code_verifier", "code_challenge", "redirect_uri", "x_amz_signature",
  "x_amz_credential", "x_amz_date", "x_amz_expires", "x_amz_security_token", "x_amz_signedheaders", "x_amz_algorithm", "expires",
]);

/** Free-text search parameters: count only values that look like identifiers, even when the spec declares them. */
const FREE_TEXT_NAMES = new Set(["q", "query", "search", "s", "term", "terms", "keyword", "keywords", "text", "filter", "k", "kw"]);

export type IdentifierKind = "number" | "uuid" | "phone" | "email" | "hex" | "token";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^[0-9a-f]{16,}$/i;
const EMAIL = /^[^@\s/]+@[^@\s/]+\.[A-Za-z]{2,}$/;
/** E.164-ish: an optional +, digits with spaces, dots, dashes or brackets between them. */
const DATE = /^\d{4}-\d{2}-\d{2}([T ]|$)|^\d{1,2}[/.]\d{1,2}[/.]\d{2,4}$/;
const PHONE = /^\+?[0-9][0-9 ().-]{5,22}[0-9]$/;

/** The name as CONTROL_NAMES keeps it. */
function canonicalName(name: string): string {
  let out = name.toLowerCase();
  if (out.indexOf("-") !== -1) out = out.replace(/-/g, "_");
  // `filter[id]`, `ids[]`: the bracketed part says which field, the base name what it does.
  const bracket = out.indexOf("[");
  return bracket > 0 ? out.slice(0, bracket) : out;
}

/** Whether a parameter name is a control parameter (paging, sorting, time range, cache buster, credential…). */
export function isControlParam(name: string): boolean {
  return CONTROL_NAMES.has(canonicalName(name));
}

/** What kind of identifier a (decoded) value looks like, or null. */
export function identifierKind(value: string): IdentifierKind | null {
  const v = value.trim();
  if (v.length === 0 || v.length > 256) return null;
  let digits = 0;
  let other = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else other = true;
  }
  if (!other) return "number";
  // Dates and times are ranges, not objects (and would pass for phone numbers).
  if (DATE.test(v)) return null;
  if (v.charCodeAt(0) === 43 /* + */ || (digits >= 7 && PHONE.test(v))) {
    return PHONE.test(v) && digits >= 7 && digits <= 15 ? "phone" : null;
  }
  if (v.indexOf("@") !== -1) return EMAIL.test(v) ? "email" : null;
  if (UUID.test(v)) return "uuid";
  if (HEX.test(v)) return "hex";
  return isIdentifierSegment(v) ? "token" : null;
}

export interface QueryParamContext {
  /** Query parameter names the endpoint's spec declares (`in: query`), as declared. */
  declared?: ReadonlySet<string> | null;
}

/**
 * Whether the value of `name` names an object for enumeration counting (see the module comment). `value` is decoded.
 */
export function isObjectParam(name: string, value: string, ctx: QueryParamContext = {}): boolean {
  const canonical = canonicalName(name);
  if (CONTROL_NAMES.has(canonical)) return false;
  if (value.length === 0 || value.length > 256) return false;
  if (ctx.declared?.has(name) === true && !FREE_TEXT_NAMES.has(canonical)) return true;
  return identifierKind(value) !== null;
}

function decodeComponent(s: string): string {
  if (s.indexOf("%") === -1) return s;
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Parameters read from one query string at most (the rest is ignored). */
export const MAX_QUERY_PARAMS = 20;

/**
 * The object-identifying parameters of a raw query string (without "?"), name → decoded value (the first value of a
 * repeated name), or null when there is none. `+` stays `+` (a phone number's, as clients send them unencoded).
 */
export function objectQueryParams(query: string, ctx: QueryParamContext = {}): Record<string, string> | null {
  let out: Record<string, string> | null = null;
  let seen = 0;
  let start = 0;
  while (start <= query.length && seen < MAX_QUERY_PARAMS) {
    let end = query.indexOf("&", start);
    if (end === -1) end = query.length;
    if (end > start) {
      seen++;
      const eq = query.indexOf("=", start);
      if (eq !== -1 && eq < end - 1) {
        const rawName = query.slice(start, eq);
        // Cheap exits first: most query strings of a log are paging and sorting.
        if (!CONTROL_NAMES.has(rawName)) {
          const name = decodeComponent(rawName);
          const value = decodeComponent(query.slice(eq + 1, end));
          if (name.length > 0 && name.length <= 128 && !(out !== null && name in out) && isObjectParam(name, value, ctx)) {
            out ??= {};
            out[name] = value.trim();
          }
        }
      }
    }
    start = end + 1;
  }
  return out;
}

/** The bullet redacted characters are replaced with. */
const MASK = "•";

/**
 * A value shown in evidence without revealing it: the first and last characters of a phone number (`+44•••••••89`),
 * the first letter and the domain of an e-mail address (`j•••@example.com`), the first and last two of anything else
 * (`12••••89`, short values fully masked).
 */
export function redactIdentifier(value: string): string {
  const v = value.trim();
  const at = v.lastIndexOf("@");
  if (at > 0 && EMAIL.test(v)) return `${v.slice(0, 1)}${MASK.repeat(3)}${v.slice(at)}`;
  if (v.length <= 4) return MASK.repeat(v.length);
  const head = v.startsWith("+") ? 3 : 2;
  if (v.length <= head + 4) return `${v.slice(0, 1)}${MASK.repeat(v.length - 1)}`;
  return `${v.slice(0, head)}${MASK.repeat(Math.min(v.length - head - 2, 12))}${v.slice(-2)}`;
}
