/**
 * Envoy default text access log:
 *   [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
 *   %BYTES_RECEIVED% %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%"
 *   "%REQ(USER-AGENT)%" "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%"
 * and Istio's default text format, which inserts %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS%
 * "%UPSTREAM_TRANSPORT_FAILURE_REASON%" after the flags and appends %UPSTREAM_CLUSTER% %UPSTREAM_LOCAL_ADDRESS%
 * %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%.
 * Accepts an "ACCESS " prefix (Ambassador) and Kubernetes/docker JSON wrapping ({"log"|"message": "…"}).
 * TCP proxy lines ("- - -") are well-formed but carry no HTTP request: counted in one warning, not errors.
 */
import type { Parser, TrafficEvent } from "../../../contract";
import {
  BARE,
  BRACKETED,
  QUOTED,
  Skip,
  asRec,
  field,
  firstHop,
  intToken,
  isoTimeToMs,
  parseJson,
  parseRequestLine,
  peer,
  probe,
  runLines,
  scoreFromProbe,
  tokenize,
  type LineResult,
} from "../common";

const LABEL = "Envoy text access";

const tokens: string[] = [];
const kinds: number[] = [];

function unwrap(line: string): string | undefined {
  let s = line;
  let i = 0;
  while (i < s.length && (s.charCodeAt(i) === 32 || s.charCodeAt(i) === 9)) i++;
  if (s.charCodeAt(i) === 123) {
    const o = asRec(parseJson(s));
    if (o === undefined) return undefined;
    const inner = typeof o.log === "string" ? o.log : typeof o.message === "string" ? o.message : undefined;
    if (inner === undefined) return undefined;
    s = inner.trimEnd();
    i = 0;
    while (i < s.length && s.charCodeAt(i) === 32) i++;
  }
  if (s.startsWith("ACCESS ", i)) i += 7;
  return i === 0 ? s : s.slice(i);
}

export function handle(line: string): LineResult {
  const text = unwrap(line);
  if (text === undefined) return "JSON line without a log/message string";
  if (text.charCodeAt(0) !== 91) return "does not start with [START_TIME]";
  if (!tokenize(text, 0, tokens, kinds)) return "unterminated quoted or bracketed field";
  if (kinds[0] !== BRACKETED || kinds[1] !== QUOTED || kinds[2] !== BARE || kinds[3] !== BARE) {
    return 'expected [time] "request" code flags';
  }
  const time = isoTimeToMs(tokens[0] ?? "");
  if (Number.isNaN(time)) return `bad start time [${tokens[0] ?? ""}]`;
  // Istio's format has a quoted transport-failure reason as the 7th field; Envoy's has a bare byte count there.
  const istio = kinds[6] === QUOTED;
  const o = istio ? 3 : 0;
  const n = istio ? 22 : 13;
  if (tokens.length < n) return `expected ${n} fields, found ${tokens.length}`;
  if (kinds[4 + o] !== BARE || kinds[5 + o] !== BARE || kinds[8 + o] !== QUOTED || kinds[12 + o] !== QUOTED) {
    return "fields do not follow the Envoy default format";
  }
  const status = intToken(tokens[2] ?? "");
  if (status === undefined || Number.isNaN(status) || status > 999) return `bad response code "${tokens[2] ?? ""}"`;
  const req = parseRequestLine(tokens[1] ?? "");
  if (req instanceof Skip) return req;

  const event: TrafficEvent = { time, method: req.method, path: req.target.path, status };
  const t = req.target;
  if (t.query !== undefined) event.query = t.query;
  const sent = intToken(tokens[5 + o] ?? "");
  if (sent !== undefined && !Number.isNaN(sent)) event.responseBytes = sent;
  const duration = intToken(tokens[6 + o] ?? "");
  if (duration !== undefined && !Number.isNaN(duration)) event.latencyMs = duration;
  const ua = field(tokens[9 + o]);
  if (ua !== undefined) event.userAgent = ua;
  const host = field(tokens[11 + o])?.toLowerCase() ?? t.host;
  if (host !== undefined) event.host = host;
  if (t.scheme !== undefined) event.scheme = t.scheme;
  let remote: string | undefined;
  if (istio) {
    const cluster = field(tokens[16]);
    if (cluster !== undefined) event.service = cluster;
    remote = peer(tokens[19]);
    const route = field(tokens[21]);
    if (route !== undefined) event.route = route;
  }
  const ip = firstHop(field(tokens[8 + o])) ?? remote;
  if (ip !== undefined) event.clientIp = ip;
  return event;
}

export const parser: Parser<"traffic"> = {
  id: "envoy-text",
  family: "traffic",
  label: LABEL,
  lines: { handle },
  detect(head) {
    const s = head.trimStart();
    const c = s.charCodeAt(0);
    if (c !== 91 && c !== 123 && !s.startsWith("ACCESS [")) return 0;
    return scoreFromProbe(probe(head, handle));
  },
  parse(file, ctx) {
    return runLines(file, ctx, LABEL, handle, "envoy-text");
  },
};
