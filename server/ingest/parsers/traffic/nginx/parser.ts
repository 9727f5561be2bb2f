/**
 * NGINX (and Apache) access logs in the combined and common formats:
 *   [$host] $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 *     ["$http_referer" "$http_user_agent" ["$http_x_forwarded_for"]] [anything else…]
 * - an optional leading virtual host (as `%v` / `$host` first in the format) becomes `host`;
 * - `$remote_addr` may hold a forwarded list (real_ip modules, `$proxy_add_x_forwarded_for` logged in its place):
 *   `10.0.0.2, 10.0.0.1, 127.0.0.1 - - […]`, the same list in quotes, IPv6 entries, and a list followed by one more
 *   address field (`"203.0.113.7, 10.0.0.1" 10.0.0.5 - - […]`). The first hop of the list is the client. A field
 *   is a list when it is quoted or holds a comma; two single addresses in a row stay "virtual host, address" as
 *   before (a `$host` can be an IP);
 * - a third quoted field after the user agent that looks like an address list is X-Forwarded-For (first hop wins
 *   over remote_addr);
 * - remote_user → principal;
 * - an empty request line ("-" or "") is a connection that sent no request (timeouts, TLS probes, 408/400): the
 *   line is well-formed, so it is not a bad line, but it has no method or path and produces no event. It is
 *   counted and summarised in one warning, like request lines that are not HTTP (binary garbage, CONNECT).
 * Hand-written scanning, no regular expression per line.
 */
import type { Parser, TrafficEvent } from "../../../contract";
import {
  BARE,
  BRACKETED,
  QUOTED,
  Skip,
  clfTimeToMs,
  field,
  firstHop,
  intToken,
  parseRequestLine,
  peer,
  probe,
  runLines,
  scoreFromProbe,
  tokenize,
  type LineResult,
} from "../common";

const LABEL = "NGINX access";

const tokens: string[] = [];
const kinds: number[] = [];

function looksLikeAddressList(v: string): boolean {
  // digits, hex letters, '.', ':', '[', ']', ',', spaces; and at least one '.' or ':'
  let sep = false;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c === 46 || c === 58) sep = true;
    else if (
      !((c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 91 || c === 93 || c === 44 || c === 32)
    ) {
      return false;
    }
  }
  return sep;
}

/** A forwarded list in an address field: comma-separated addresses; "-", "unknown" and empty entries allowed. */
function isForwardedList(v: string): boolean {
  for (const part of v.split(",")) {
    const hop = part.trim();
    if (hop !== "" && hop !== "-" && hop.toLowerCase() !== "unknown" && !looksLikeAddressList(hop)) return false;
  }
  return true;
}

/** A bracketed field that is an IPv6 address ("[2001:db8::1]" logged as is), not the time. */
function isBracketedAddress(v: string): boolean {
  return v.includes(":") && !v.includes("/") && looksLikeAddressList(v);
}

/** One field before `ident user [time]`: a list is quoted or holds a comma (then it may span several tokens). */
interface AddressField {
  text: string;
  list: boolean;
  /** Ends with a comma: the next token continues it. */
  open: boolean;
}

const fields: AddressField[] = [];
/** At most this many tokens before `ident user [time]` (vhost, a long forwarded list, one more address). */
const MAX_PREFIX_TOKENS = 12;

/**
 * Splits the tokens before `ident user [time]` into fields; a comma at the end of a bare token continues its list
 * into the next one. Returns false when a token cannot be part of an address field.
 */
function prefixFields(end: number): boolean {
  fields.length = 0;
  for (let i = 0; i < end; i++) {
    const tok = tokens[i] ?? "";
    const kind = kinds[i];
    const last = fields[fields.length - 1];
    if (kind === QUOTED) {
      fields.push({ text: tok, list: true, open: false });
    } else if (kind === BRACKETED && !isBracketedAddress(tok)) {
      return false;
    } else if (last?.open) {
      last.text += ` ${tok}`;
      last.list = true;
      last.open = tok.endsWith(",");
    } else {
      fields.push({ text: tok, list: tok.includes(","), open: tok.endsWith(",") });
    }
  }
  return true;
}

export function handle(line: string): LineResult {
  if (!tokenize(line, 0, tokens, kinds)) return "unterminated quoted or bracketed field";
  // The time is the first bracketed field after at least "addr ident user": 3rd token in the plain format, later
  // with a leading virtual host or a forwarded list in $remote_addr (a bracketed IPv6 address is not the time).
  let b = -1;
  for (let i = 3; i < kinds.length && i <= MAX_PREFIX_TOKENS + 2; i++) {
    if (kinds[i] === BRACKETED && !isBracketedAddress(tokens[i] ?? "")) {
      b = i;
      break;
    }
  }
  if (b === -1) return "no [time] field where the combined/common format has it";
  if (kinds[b - 1] !== BARE || kinds[b - 2] !== BARE || !prefixFields(b - 2)) return "unexpected fields before [time]";
  // Fields before ident: [vhost] address [more addresses]. The address is a list, or a single one after a vhost.
  let vhostField: string | undefined;
  let address: AddressField;
  let extra = 0;
  const first = fields[0];
  if (first === undefined) return "unexpected fields before [time]";
  if (fields.length === 1 || first.list) {
    address = first;
    extra = 1;
  } else {
    vhostField = first.text;
    address = fields[1] as AddressField;
    extra = 2;
  }
  if (address.list && !isForwardedList(address.text)) return "unexpected fields before [time]";
  for (let i = extra; i < fields.length; i++) {
    const f = fields[i] as AddressField;
    if (!(f.list ? isForwardedList(f.text) : f.text === "-" || looksLikeAddressList(f.text))) return "unexpected fields before [time]";
  }
  if (kinds[b + 1] !== QUOTED || kinds[b + 2] !== BARE || kinds[b + 3] !== BARE) {
    return 'expected "request" status bytes after [time]';
  }
  const time = clfTimeToMs(tokens[b] ?? "");
  if (Number.isNaN(time)) return `bad time [${tokens[b] ?? ""}]`;
  const status = intToken(tokens[b + 2] ?? "");
  if (status === undefined || Number.isNaN(status) || status > 999) return `bad status "${tokens[b + 2] ?? ""}"`;
  const bytes = intToken(tokens[b + 3] ?? "");
  if (Number.isNaN(bytes)) return `bad byte count "${tokens[b + 3] ?? ""}"`;

  const req = parseRequestLine(tokens[b + 1] ?? "");
  if (req instanceof Skip) return req;

  const event: TrafficEvent = { time, method: req.method, path: req.target.path, status, responseBytes: bytes ?? 0 };
  const t = req.target;
  if (t.query !== undefined) event.query = t.query;
  const vhost = field(vhostField);
  const host = vhost?.toLowerCase() ?? t.host;
  if (host !== undefined) event.host = host;
  if (t.scheme !== undefined) event.scheme = t.scheme;
  const user = field(tokens[b - 1]);
  if (user !== undefined) event.principal = user;

  let xff: string | undefined;
  if (kinds[b + 4] === QUOTED && kinds[b + 5] === QUOTED) {
    const ua = field(tokens[b + 5]);
    if (ua !== undefined) event.userAgent = ua;
    if (kinds[b + 6] === QUOTED) {
      const x = field(tokens[b + 6]);
      if (x !== undefined && looksLikeAddressList(x)) xff = x;
    }
  }
  // The forwarded list's first hop is the client; past a list whose first hop is unknown, the next address field.
  const next = fields[extra];
  const ip =
    firstHop(xff) ??
    (address.list ? (firstHop(address.text) ?? (next === undefined ? undefined : next.list ? firstHop(next.text) : peer(next.text))) : peer(address.text));
  if (ip !== undefined) event.clientIp = ip;
  return event;
}

export const parser: Parser<"traffic"> = {
  id: "nginx",
  family: "traffic",
  label: LABEL,
  lines: { handle },
  detect(head) {
    const c = head.trimStart().charCodeAt(0);
    if (c === 123 || c === 91 || c === 60) return 0; // JSON, Envoy "[time]", XML
    return scoreFromProbe(probe(head, handle), 0.9);
  },
  parse(file, ctx) {
    return runLines(file, ctx, LABEL, handle, "nginx");
  },
};
