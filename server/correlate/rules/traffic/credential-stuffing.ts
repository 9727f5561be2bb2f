/**
 * credential-stuffing (DESIGN.md §3): ≥ credentialStuffingFailures responses 401/403 to one client on one
 * authentication endpoint (login/token/signin/auth… in the path, or an auth tag on the endpoint) within any
 * credentialStuffingWindowMinutes sliding window of the lookback (a RANGE window function over traffic_client_minute,
 * which keeps every client × endpoint minute with a 401/403 on an authentication endpoint, so the sums are exact).
 */
import type { DerivedFinding, Rule } from "../../rule";
import { AUTH_PATH_REGEX, AUTH_TAG_REGEX, evidence, iso, loadSamples, lookback, n } from "./shared";

interface Row {
  scopeKey: string;
  apiId: string | null;
  endpointId: string | null;
  method: string;
  pathTemplate: string;
  clientKey: string;
  peak: number;
  peakEnd: Date;
  failures: number;
  failureMinuteRequests: number;
  first: Date;
  last: Date;
}

const MINUTE = 60_000;

export const credentialStuffing: Rule = {
  id: "credential-stuffing",
  kind: "traffic",
  description: "Many 401/403 responses to one client on an authentication endpoint within minutes.",
  async evaluate(ctx) {
    const w = lookback(ctx);
    const minutes = Math.max(1, Math.round(ctx.settings.credentialStuffingWindowMinutes));
    const threshold = ctx.settings.credentialStuffingFailures;
    const rows = await ctx.tx.$queryRaw<Row[]>`
      WITH auth AS (
        SELECT r."scopeKey", r."apiId", r."endpointId", r.method, r."pathTemplate", r."clientKey", r."minuteStart", r.failures, r.requests
        FROM traffic_client_minute r
        LEFT JOIN endpoint e ON e.id = r."endpointId"
        WHERE r."minuteStart" >= ${iso(w.from)}::timestamp AND r."minuteStart" < ${iso(w.to)}::timestamp AND r.failures > 0
          AND (${ctx.apiIds}::text[] IS NULL OR r."apiId" = ANY(${ctx.apiIds}::text[]))
          AND (r."pathTemplate" ~* ${AUTH_PATH_REGEX} OR EXISTS (SELECT 1 FROM unnest(e.tags) t WHERE t ~* ${AUTH_TAG_REGEX}))
      ), slid AS (
        SELECT *, sum(failures) OVER (
          PARTITION BY "scopeKey", method, "pathTemplate", "clientKey" ORDER BY "minuteStart"
          RANGE BETWEEN ${`${minutes - 1} minutes`}::interval PRECEDING AND CURRENT ROW) AS in_window
        FROM auth
      )
      SELECT "scopeKey", max("apiId") AS "apiId", max("endpointId") AS "endpointId", method, "pathTemplate", "clientKey",
        max(in_window)::int AS peak, (array_agg("minuteStart" ORDER BY in_window DESC, "minuteStart"))[1] AS "peakEnd",
        sum(failures)::int AS failures, sum(requests)::int AS "failureMinuteRequests",
        min("minuteStart") AS first, max("minuteStart") AS last
      FROM slid
      GROUP BY "scopeKey", method, "pathTemplate", "clientKey"
      HAVING max(in_window) >= ${threshold}::float8
      ORDER BY "scopeKey", "pathTemplate", "clientKey"`;
    const windows = rows.map((r) => ({ from: new Date(r.peakEnd.getTime() - (minutes - 1) * MINUTE), to: new Date(r.peakEnd.getTime() + MINUTE) }));
    const samples = await loadSamples(
      ctx.tx,
      rows.map((r, i) => ({
        scopeKey: r.scopeKey,
        method: r.method,
        pathTemplate: r.pathTemplate,
        clientKey: r.clientKey,
        window: windows[i] ?? w,
        keep: (s) => s.status === 401 || s.status === 403,
      })),
    );
    return rows.map((r, i): DerivedFinding => ({
      ruleId: "credential-stuffing",
      kind: "traffic",
      apiId: r.apiId,
      endpointId: r.endpointId,
      subject: `${r.clientKey} ${r.method} ${r.pathTemplate}`,
      title: `Credential stuffing / brute force on ${r.method} ${r.pathTemplate} from ${r.clientKey}`,
      description: `Client ${r.clientKey} received ${n(r.peak)} responses 401/403 within ${minutes} minutes (threshold ${threshold}) on an authentication endpoint.`,
      severity: "high",
      owaspCategory: "API2",
      cwe: 307,
      evidence: evidence(
        windows[i] ?? w,
        // Requests are known only for the minutes with failures (quiet minutes are not stored).
        { failuresInWindow: n(r.peak), threshold, windowMinutes: minutes, failuresInLookback: n(r.failures), requestsInFailureMinutes: n(r.failureMinuteRequests) },
        samples[i] ?? [],
        { client: r.clientKey, endpoint: { method: r.method, path: r.pathTemplate }, ...(r.apiId ? {} : { scope: r.scopeKey }) },
      ),
      observedFrom: r.first,
      observedTo: r.last,
    }));
  },
};
