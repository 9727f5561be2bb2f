/**
 * Envoy / Istio JSON access logs: one object per line with start_time (ISO), method, path (with query), protocol,
 * response_code, bytes_sent, duration, downstream_remote_address ("ip:port" or "[v6]:port"), x_forwarded_for,
 * authority (→ host), upstream_cluster (→ service), route_name (→ route), user_agent. null and "-" are absent.
 * Lines wrapped by Kubernetes/docker as {"log": "<json>"} or {"message": "<json>"} are unwrapped (a second parse).
 * Requests with no method/path (e.g. "-" for an HTTP codec error, or TCP connections) produce no event and are
 * counted in one warning.
 */
import type { Parser, TrafficEvent } from "../../../contract";
import {
  SKIP_NON_HTTP,
  asRec,
  firstHop,
  isoTimeToMs,
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

const LABEL = "Envoy/Istio JSON access";

function unwrap(o: Rec): Rec | undefined {
  if (o.start_time !== undefined) return o;
  const inner = typeof o.log === "string" ? o.log : typeof o.message === "string" ? o.message : undefined;
  if (inner === undefined || inner.trimStart().charCodeAt(0) !== 123) return undefined;
  const r = asRec(parseJson(inner));
  return r !== undefined && r.start_time !== undefined ? r : undefined;
}

export function handle(line: string): LineResult {
  const v = parseJson(line);
  if (v === undefined) return "invalid JSON";
  const outer = asRec(v);
  if (outer === undefined) return "not a JSON object";
  const o = unwrap(outer);
  if (o === undefined) return "no start_time (not an Envoy JSON access log entry)";
  const start = str(o.start_time);
  if (start === undefined) return "empty start_time";
  const time = isoTimeToMs(start);
  if (Number.isNaN(time)) return `bad start_time "${start}"`;
  if (o.response_code === undefined && o.method === undefined) return "neither response_code nor method";

  const method = str(o.method);
  const rawPath = str(o.path);
  if (method === undefined || rawPath === undefined) return SKIP_NON_HTTP;
  const target = splitTarget(rawPath);
  if (target === undefined) return SKIP_NON_HTTP;

  const event: TrafficEvent = {
    time,
    method: method.toUpperCase(),
    path: target.path,
    status: num(o.response_code) ?? 0,
  };
  if (target.query !== undefined) event.query = target.query;
  const host = str(o.authority)?.toLowerCase() ?? target.host;
  if (host !== undefined) event.host = host;
  const service = str(o.upstream_cluster);
  if (service !== undefined) event.service = service;
  const route = str(o.route_name);
  if (route !== undefined) event.route = route;
  const bytes = num(o.bytes_sent);
  if (bytes !== undefined) event.responseBytes = bytes;
  const duration = num(o.duration);
  if (duration !== undefined) event.latencyMs = duration;
  const ip = firstHop(str(o.x_forwarded_for)) ?? peer(str(o.downstream_remote_address));
  if (ip !== undefined) event.clientIp = ip;
  const ua = str(o.user_agent);
  if (ua !== undefined) event.userAgent = ua;
  const proto = str(o.x_forwarded_proto) ?? str(o.scheme) ?? target.scheme;
  if (proto === "http" || proto === "https") event.scheme = proto;
  return event;
}

export const parser: Parser<"traffic"> = {
  id: "envoy-json",
  family: "traffic",
  label: LABEL,
  lines: { handle },
  detect(head) {
    if (head.trimStart().charCodeAt(0) !== 123) return 0;
    return scoreFromProbe(probe(head, handle));
  },
  parse(file, ctx) {
    return runLines(file, ctx, LABEL, handle, "envoy-json");
  },
};
