/**
 * NGINX (and Apache) access logs in the combined and common formats:
 *   [$host] $remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 *     ["$http_referer" "$http_user_agent" ["$http_x_forwarded_for"]] [anything else…]
 * - an optional leading virtual host (as `%v` / `$host` first in the format) becomes `host`;
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
} from "../shared";

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

export function handle(line: string): LineResult {
  if (!tokenize(line, 0, tokens, kinds)) return "unterminated quoted or bracketed field";
  // The time is the first bracketed field: 3rd (addr ident user) or 4th (vhost addr ident user) token.
  let b: number;
  if (kinds[3] === BRACKETED) b = 3;
  else if (kinds[4] === BRACKETED) b = 4;
  else return "no [time] field where the combined/common format has it";
  if (kinds[0] !== BARE || kinds[1] !== BARE || kinds[2] !== BARE || (b === 4 && kinds[3] !== BARE)) {
    return "unexpected fields before [time]";
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
  const vhost = b === 4 ? field(tokens[0]) : undefined;
  const host = vhost?.toLowerCase() ?? t.host;
  if (host !== undefined) event.host = host;
  if (t.scheme !== undefined) event.scheme = t.scheme;
  const a = b - 3;
  const user = field(tokens[a + 2]);
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
  const ip = firstHop(xff) ?? peer(tokens[a]);
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
