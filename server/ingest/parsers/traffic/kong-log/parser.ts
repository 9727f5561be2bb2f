/**
 * Kong file-log / http-log: one JSON object per line (http-log batches, a JSON array per line, are accepted too).
 *
 * Fields: request.uri (path + query, else request.url), request.method, response.status, response.size,
 * latencies.request, started_at (epoch ms), client_ip, request.headers (host, user-agent, x-forwarded-for),
 * response.headers (RateLimit-* / X-RateLimit-*), route.name|paths[0]|id, service.name|host|id,
 * consumer.username|custom_id|id, authenticated_entity.id.
 */
import type { Parser, TrafficEvent } from "../../../contract";
import { scanKongLine } from "./scan";
import {
  asRec,
  epochToMs,
  firstHop,
  isRateLimitHeader,
  num,
  parseJson,
  peer,
  probe,
  runLines,
  scoreFromProbe,
  splitTarget,
  str,
  type LineResult,
  type Rec,
} from "../common";

const LABEL = "Kong file-log/http-log";

/** Header values are strings, or arrays of strings when the header was repeated. */
function header(headers: Rec | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const v = headers[name];
  if (Array.isArray(v)) return str(v[0]);
  return str(v);
}

function entry(v: unknown): TrafficEvent | string {
  const o = asRec(v);
  if (o === undefined) return "not a JSON object";
  const request = asRec(o.request);
  if (request === undefined) return "no request object (not a Kong log entry)";
  const startedAt = num(o.started_at);
  if (startedAt === undefined) return "no started_at";
  const method = str(request.method);
  if (method === undefined) return "no request.method";
  const rawUri = str(request.uri);
  const rawUrl = str(request.url);
  const target = splitTarget(rawUri ?? rawUrl ?? "");
  if (target === undefined) return "no usable request.uri/request.url";
  const response = asRec(o.response);
  const status = num(response?.status) ?? 0;

  const event: TrafficEvent = { time: epochToMs(startedAt), method: method.toUpperCase(), path: target.path, status };
  if (target.query !== undefined) event.query = target.query;
  else if (rawUri !== undefined && rawUrl !== undefined && rawUrl.includes("?")) {
    // The URL has a query only past a "?": most lines need no second split.
    const q = splitTarget(rawUrl)?.query;
    if (q !== undefined) event.query = q;
  }

  const reqHeaders = asRec(request.headers);
  const host = header(reqHeaders, "host") ?? (rawUrl === undefined ? undefined : splitTarget(rawUrl)?.host);
  if (host !== undefined) event.host = host.toLowerCase();
  if (rawUrl !== undefined) {
    if (rawUrl.startsWith("https:")) event.scheme = "https";
    else if (rawUrl.startsWith("http:")) event.scheme = "http";
  }

  const service = asRec(o.service);
  if (service !== undefined) {
    const s = str(service.name) ?? str(service.host) ?? str(service.id);
    if (s !== undefined) event.service = s;
  }
  const route = asRec(o.route);
  if (route !== undefined) {
    const paths = route.paths;
    const r = str(route.name) ?? (Array.isArray(paths) ? str(paths[0]) : undefined) ?? str(route.id);
    if (r !== undefined) event.route = r;
  }

  const size = num(response?.size);
  if (size !== undefined) event.responseBytes = size;
  const latency = num(asRec(o.latencies)?.request);
  if (latency !== undefined) event.latencyMs = latency;

  const clientIp = firstHop(header(reqHeaders, "x-forwarded-for")) ?? peer(str(o.client_ip));
  if (clientIp !== undefined) event.clientIp = clientIp;

  const consumer = asRec(o.consumer);
  const principal =
    (consumer === undefined ? undefined : (str(consumer.username) ?? str(consumer.custom_id) ?? str(consumer.id))) ??
    str(asRec(o.authenticated_entity)?.id);
  if (principal !== undefined) event.principal = principal;

  const ua = header(reqHeaders, "user-agent");
  if (ua !== undefined) event.userAgent = ua;

  const respHeaders = asRec(response?.headers);
  if (respHeaders !== undefined) {
    for (const name in respHeaders) {
      if (isRateLimitHeader(name)) {
        event.rateLimitHeaders = true;
        break;
      }
    }
  }
  return event;
}

export function handle(line: string): LineResult {
  const v = parseJson(line);
  if (v === undefined) return "invalid JSON";
  if (Array.isArray(v)) {
    // http-log batch: every element must be an entry
    const events: TrafficEvent[] = [];
    for (const item of v) {
      const e = entry(item);
      if (typeof e === "string") return `batch element ${events.length}: ${e}`;
      events.push(e);
    }
    return events.length > 0 ? events : "empty batch";
  }
  return entry(v);
}

export const parser: Parser<"traffic"> = {
  id: "kong-log",
  family: "traffic",
  label: LABEL,
  lines: { handle, scanRange: scanKongLine },
  detect(head) {
    const c = head.trimStart().charCodeAt(0);
    if (c !== 123 && c !== 91) return 0;
    return scoreFromProbe(probe(head, handle));
  },
  parse(file, ctx) {
    return runLines(file, ctx, LABEL, handle, "kong-log");
  },
};
