/**
 * AWS API Gateway access logs in JSON (REST, HTTP and WebSocket APIs): one object per line built from $context
 * variables. The owner chooses the keys, so every field is optional and "-" means absent. Recognised keys (with the
 * usual aliases): requestId, ip|sourceIp, caller, user, principalId, authorizer claims sub, requestTime (CLF) or
 * requestTimeEpoch, httpMethod, path, resourcePath, routeKey, eventType, status, protocol, responseLength,
 * responseLatency, userAgent, stage, apiId, domainName.
 *
 * Path choice (documented decision):
 * - the concrete `path` ($context.path) when present;
 * - else the template (`resourcePath`, or the path of a `routeKey` like "GET /pets/{id}"), emitted as is so that
 *   the path matcher matches it literally. On a default execute-api domain the URL path starts with the stage
 *   ($context.path is "/prod/pets/1"), so the template is prefixed with "/<stage>" there to stay consistent;
 * - WebSocket routes ("$connect", "$default"…) become method "WEBSOCKET" and path "/$connect". A WebSocket line
 *   (one with an `eventType` or `connectionId` key) names its route in `routeKey`, custom keys included
 *   ("sendmessage" with eventType MESSAGE → "/sendmessage"). Without a route key ("-"), the event type implies it:
 *   MESSAGE → "/$default" (the route of unmatched messages), DISCONNECT → "/$disconnect", and CONNECT or "-" →
 *   "/$connect": a connection refused before it was established (often a 403 from an authorizer) is still an event.
 * A line without status gets status 0 (unknown) and one file-level warning; a line without time, method or path is
 * a bad line.
 */
import type { Parser, TrafficEvent } from "../../../contract";
import {
  asRec,
  clfTimeToMs,
  epochToMs,
  firstHop,
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

const LABEL = "AWS API Gateway access";
const EXECUTE_API = /\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/;

function first(o: Rec, a: string, b?: string, c?: string): string | undefined {
  return str(o[a]) ?? (b === undefined ? undefined : str(o[b])) ?? (c === undefined ? undefined : str(o[c]));
}

function principalOf(o: Rec): string | undefined {
  const direct =
    first(o, "caller", "user", "principalId") ??
    first(o, "authorizerPrincipalId", "authorizer.principalId", "sub") ??
    first(o, "claimsSub", "authorizer.claims.sub", "authorizer.jwt.claims.sub");
  if (direct !== undefined) return direct;
  const authorizer = asRec(o.authorizer);
  if (authorizer === undefined) return undefined;
  return (
    str(authorizer.principalId) ??
    str(asRec(authorizer.claims)?.sub) ??
    str(asRec(asRec(authorizer.jwt)?.claims)?.sub)
  );
}

export function handle(line: string): LineResult {
  const v = parseJson(line);
  if (v === undefined) return "invalid JSON";
  const o = asRec(v);
  if (o === undefined) return "not a JSON object";

  const epoch = num(o.requestTimeEpoch);
  let time: number;
  if (epoch !== undefined) time = epochToMs(epoch);
  else {
    const clf = str(o.requestTime);
    if (clf === undefined) return "no requestTime/requestTimeEpoch";
    time = clfTimeToMs(clf);
    if (Number.isNaN(time)) return `bad requestTime "${clf}"`;
  }

  let method = str(o.httpMethod);
  const routeKey = str(o.routeKey);
  let template = str(o.resourcePath);
  let wsRoute: string | undefined;
  // WebSocket APIs log $context.eventType and $context.connectionId ("-" when unknown); REST and HTTP APIs do not.
  const eventType = str(o.eventType)?.toUpperCase();
  const websocket = eventType !== undefined || "eventType" in o || "connectionId" in o;
  if (routeKey !== undefined) {
    const sp = routeKey.indexOf(" ");
    if (sp > 0) {
      const rkMethod = routeKey.slice(0, sp).toUpperCase();
      method ??= rkMethod; // "ANY" only when the log has no httpMethod
      template ??= routeKey.slice(sp + 1);
    } else if (routeKey.charCodeAt(0) === 36 /* $ */ && routeKey !== "$default") {
      wsRoute = routeKey;
    } else if (websocket) {
      wsRoute = routeKey; // $default, or a custom route key such as "sendmessage"
    }
  } else if (websocket && method === undefined && str(o.path) === undefined && template === undefined) {
    wsRoute = eventType === "MESSAGE" ? "$default" : eventType === "DISCONNECT" ? "$disconnect" : "$connect";
  }

  const host = str(o.domainName)?.toLowerCase();
  const stage = str(o.stage);
  const concrete = str(o.path);
  let path: string | undefined;
  let query: string | undefined;
  if (concrete !== undefined) {
    const t = splitTarget(concrete);
    if (t === undefined) return `bad path "${concrete}"`;
    path = t.path;
    query = t.query;
  } else if (template !== undefined) {
    path = template;
    if (host !== undefined && stage !== undefined && stage !== "$default" && EXECUTE_API.test(host)) {
      path = template === "/" ? `/${stage}` : `/${stage}${template}`;
    }
  } else if (wsRoute !== undefined) {
    path = `/${wsRoute}`;
  }
  if (wsRoute !== undefined && method === undefined) method = "WEBSOCKET";
  if (method === undefined) return "no httpMethod/routeKey";
  if (path === undefined) return "no path/resourcePath/routeKey";

  const status = num(o.status);
  const event: TrafficEvent = { time, method: method.toUpperCase(), path, status: status ?? 0 };
  if (query !== undefined) event.query = query;
  if (host !== undefined) event.host = host;
  const apiId = str(o.apiId);
  if (apiId !== undefined) event.apiId = apiId;
  if (routeKey !== undefined) event.route = routeKey;
  else if (template !== undefined) event.route = template;
  const bytes = num(o.responseLength);
  if (bytes !== undefined) event.responseBytes = bytes;
  const latency = num(o.responseLatency) ?? num(o.latency);
  if (latency !== undefined) event.latencyMs = latency;
  const ip = firstHop(str(o.xForwardedFor)) ?? peer(first(o, "ip", "sourceIp", "clientIp"));
  if (ip !== undefined) event.clientIp = ip;
  const principal = principalOf(o);
  if (principal !== undefined) event.principal = principal;
  const ua = first(o, "userAgent", "ua");
  if (ua !== undefined) event.userAgent = ua;
  return event;
}

/** Requests logged without a status: recorded as status 0 (unknown), and said once per file. */
export function missingStatusWarning(count: number, firstEvent: number): string {
  return `${count} request(s) have no status field (recorded as status 0, unknown); first is event ${firstEvent}`;
}

export const parser: Parser<"traffic"> = {
  id: "aws-apigateway",
  family: "traffic",
  label: LABEL,
  lines: { handle },
  detect(head) {
    if (head.trimStart().charCodeAt(0) !== 123) return 0;
    return scoreFromProbe(probe(head, handle));
  },
  async *parse(file, ctx) {
    let missingStatus = 0;
    let firstMissing = 0;
    let n = 0;
    for await (const event of runLines(file, ctx, LABEL, handle, "aws-apigateway")) {
      n++;
      if (event.status === 0) {
        if (missingStatus === 0) firstMissing = n;
        missingStatus++;
      }
      yield event;
    }
    if (missingStatus > 0) ctx.warn(missingStatusWarning(missingStatus, firstMissing));
  },
};
