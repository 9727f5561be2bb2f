/**
 * The traffic rollup writer: one `INSERT … SELECT FROM json_to_recordset($1) ON CONFLICT DO UPDATE` per table and
 * chunk (one JSON text parameter: several times cheaper through Prisma and the drivers than one array parameter per
 * column), adding counts to what earlier flushes and files stored for the same bucket. Runs inside the ingest
 * transaction.
 */
import { normaliseHost } from "@/server/correlate/path-matcher";
import type { Tx } from "@/server/db/types";
import {
  type ClientDayRow,
  type ClientMinuteRow,
  type EndpointHourRow,
  type ParamRow,
  pickSamples,
  SAMPLE_LIMIT,
  SAMPLE_MIN_OK,
  type SampleRow,
  type TrafficAggregator,
} from "./aggregate";

const CHUNK = 5_000;
/** Sample rows per statement: each holds up to SAMPLE_LIMIT events, so fewer per statement keeps the JSON small. */
const SAMPLE_CHUNK = 1_000;

/** What one flush writes: plain data, so that a shard worker can hand it to the thread that holds the transaction. */
export interface RollupBatch {
  endpointHours: EndpointHourRow[];
  clientDays: ClientDayRow[];
  minutes: ClientMinuteRow[];
  params: ParamRow[];
  samples: SampleRow[];
}

/** Takes what the aggregator holds for a flush (samples: all, or those of days over) and empties it. */
export function takeRollups(agg: TrafficAggregator, allSamples: boolean): RollupBatch {
  const batch: RollupBatch = {
    endpointHours: [...agg.endpointHours.values()],
    clientDays: [...agg.clientDays.values()],
    minutes: agg.readyMinutes,
    params: agg.readyParams,
    samples: agg.takeSamples(allSamples),
  };
  agg.clear();
  return batch;
}

/** Writes a batch of aggregates; returns the number of rows inserted or updated across the count tiers. */
export async function writeRollups(tx: Tx, batch: RollupBatch, runId: string, paramCap: number): Promise<number> {
  let rows = 0;
  const hours = batch.endpointHours;
  for (const r of hours) if (r.host !== null) r.host = normaliseHost(r.host) ?? r.host;
  for (let i = 0; i < hours.length; i += CHUNK) {
    rows += await tx.$executeRaw`
      INSERT INTO traffic_endpoint_hour ("scopeKey", "apiId", "endpointId", host, method, "pathTemplate", matched, "hourStart", requests,
        "status2xx", "status3xx", "status4xx", "status5xx", "status401", "status403", "status404", "status410", "status429",
        "unauthenticated2xx", "plainHttp", "rateLimitHeaders", bytes, "latencySumMs", "latencyMaxMs", "ingestRunId")
      SELECT u."scopeKey", u."apiId", u."endpointId", u.host, u.method, u."pathTemplate", u.matched,
        to_timestamp(u."hourStart" / 1000.0) AT TIME ZONE 'UTC', u.requests, u.s2, u.s3, u.s4, u.s5, u.s401, u.s403, u.s404, u.s410,
        u.s429, u.unauth2xx, u."plainHttp", u."rateLimitHeaders", u.bytes, u."latencySum", u."latencyMax", ${runId}
      FROM json_to_recordset(${JSON.stringify(hours.slice(i, i + CHUNK))}::json) AS u("scopeKey" text, "apiId" text, "endpointId" text,
        host text, method text, "pathTemplate" text, matched boolean, "hourStart" float8, requests int, s2 int, s3 int, s4 int, s5 int,
        s401 int, s403 int, s404 int, s410 int, s429 int, unauth2xx int, "plainHttp" int, "rateLimitHeaders" int, bytes bigint,
        "latencySum" float8, "latencyMax" float8)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "hourStart") DO UPDATE SET
        requests = traffic_endpoint_hour.requests + excluded.requests,
        "status2xx" = traffic_endpoint_hour."status2xx" + excluded."status2xx",
        "status3xx" = traffic_endpoint_hour."status3xx" + excluded."status3xx",
        "status4xx" = traffic_endpoint_hour."status4xx" + excluded."status4xx",
        "status5xx" = traffic_endpoint_hour."status5xx" + excluded."status5xx",
        "status401" = traffic_endpoint_hour."status401" + excluded."status401",
        "status403" = traffic_endpoint_hour."status403" + excluded."status403",
        "status404" = traffic_endpoint_hour."status404" + excluded."status404",
        "status410" = traffic_endpoint_hour."status410" + excluded."status410",
        "status429" = traffic_endpoint_hour."status429" + excluded."status429",
        "unauthenticated2xx" = traffic_endpoint_hour."unauthenticated2xx" + excluded."unauthenticated2xx",
        "plainHttp" = traffic_endpoint_hour."plainHttp" + excluded."plainHttp",
        "rateLimitHeaders" = traffic_endpoint_hour."rateLimitHeaders" + excluded."rateLimitHeaders",
        bytes = traffic_endpoint_hour.bytes + excluded.bytes,
        "latencySumMs" = traffic_endpoint_hour."latencySumMs" + excluded."latencySumMs",
        "latencyMaxMs" = greatest(traffic_endpoint_hour."latencyMaxMs", excluded."latencyMaxMs"),
        "endpointId" = coalesce(excluded."endpointId", traffic_endpoint_hour."endpointId"),
        host = coalesce(traffic_endpoint_hour.host, excluded.host)`;
  }

  const days = batch.clientDays;
  for (const d of days) if (d.host !== null) d.host = normaliseHost(d.host) ?? d.host;
  for (let i = 0; i < days.length; i += CHUNK) {
    rows += await tx.$executeRaw`
      INSERT INTO traffic_client_day ("scopeKey", "apiId", host, "clientKey", authenticated, day, requests, "status2xx", "status4xx",
        "status5xx", "status401", "status403", "status429", bytes, "ingestRunId")
      SELECT u."scopeKey", u."apiId", u.host, u."clientKey", u.authenticated, to_timestamp(u.day / 1000.0) AT TIME ZONE 'UTC', u.requests,
        u.s2, u.s4, u.s5, u.s401, u.s403, u.s429, u.bytes, ${runId}
      FROM json_to_recordset(${JSON.stringify(days.slice(i, i + CHUNK))}::json) AS u("scopeKey" text, "apiId" text, host text,
        "clientKey" text, authenticated boolean, day float8, requests int, s2 int, s4 int, s5 int, s401 int, s403 int, s429 int, bytes bigint)
      ON CONFLICT ("scopeKey", "clientKey", day) DO UPDATE SET
        requests = traffic_client_day.requests + excluded.requests,
        "status2xx" = traffic_client_day."status2xx" + excluded."status2xx",
        "status4xx" = traffic_client_day."status4xx" + excluded."status4xx",
        "status5xx" = traffic_client_day."status5xx" + excluded."status5xx",
        "status401" = traffic_client_day."status401" + excluded."status401",
        "status403" = traffic_client_day."status403" + excluded."status403",
        "status429" = traffic_client_day."status429" + excluded."status429",
        bytes = traffic_client_day.bytes + excluded.bytes,
        authenticated = traffic_client_day.authenticated OR excluded.authenticated,
        host = coalesce(traffic_client_day.host, excluded.host)`;
  }

  const minutes = batch.minutes;
  for (let i = 0; i < minutes.length; i += CHUNK) {
    rows += await tx.$executeRaw`
      INSERT INTO traffic_client_minute ("scopeKey", "apiId", "endpointId", method, "pathTemplate", "clientKey", "minuteStart", requests,
        failures, "status429", "ingestRunId")
      SELECT u."scopeKey", u."apiId", u."endpointId", u.method, u."pathTemplate", u."clientKey",
        to_timestamp(u."minuteStart" / 1000.0) AT TIME ZONE 'UTC', u.requests, u.failures, u.s429, ${runId}
      FROM json_to_recordset(${JSON.stringify(minutes.slice(i, i + CHUNK))}::json) AS u("scopeKey" text, "apiId" text, "endpointId" text,
        method text, "pathTemplate" text, "clientKey" text, "minuteStart" float8, requests int, failures int, s429 int)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", "minuteStart") DO UPDATE SET
        requests = traffic_client_minute.requests + excluded.requests,
        failures = traffic_client_minute.failures + excluded.failures,
        "status429" = traffic_client_minute."status429" + excluded."status429",
        "endpointId" = coalesce(excluded."endpointId", traffic_client_minute."endpointId")`;
  }

  const params = batch.params;
  for (let i = 0; i < params.length; i += CHUNK) {
    const b = params.slice(i, i + CHUNK).map((p) => ({ ...p, hashes: [...p.hashes].slice(0, paramCap).join(",") }));
    await tx.$executeRaw`
      INSERT INTO traffic_param_values ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", "paramName", "valueHashes", "ingestRunId")
      SELECT u."scopeKey", u.method, u."pathTemplate", u."clientKey", to_timestamp(u."hourStart" / 1000.0) AT TIME ZONE 'UTC', u."paramName",
        string_to_array(u.hashes, ','), ${runId}
      FROM json_to_recordset(${JSON.stringify(b)}::json) AS u("scopeKey" text, method text, "pathTemplate" text, "clientKey" text,
        "hourStart" float8, "paramName" text, hashes text)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", "paramName") DO UPDATE SET
        "valueHashes" = CASE WHEN cardinality(traffic_param_values."valueHashes") >= ${paramCap} THEN traffic_param_values."valueHashes"
          ELSE (SELECT coalesce(array_agg(v), '{}') FROM (
            SELECT DISTINCT v FROM unnest(traffic_param_values."valueHashes" || excluded."valueHashes") AS v LIMIT ${paramCap}) d) END`;
  }

  // Samples: a stored row merges with the new candidates by the rule of pickSamples() (up to SAMPLE_MIN_OK 2xx events
  // first, then non-2xx ones, then more 2xx), ranked by event time (ISO strings), ties stored-before-new then position:
  // so the result does not depend on which flush or shard arrives first. Sorted by time.
  // The column is json, not jsonb: a new row's events are stored as sent, after a validating scan (parsing ~17 MB of
  // events into jsonb took ~0.7 s of the server's time at the end of a 1M-line ingest); only a merge parses them.
  const samples = batch.samples;
  for (let i = 0; i < samples.length; i += SAMPLE_CHUNK) {
    const b = samples.slice(i, i + SAMPLE_CHUNK).map((s) => ({
      scopeKey: s.scopeKey,
      method: s.method,
      pathTemplate: s.pathTemplate,
      clientKey: s.clientKey,
      hourStart: s.hourStart,
      events: pickSamples(s.ok, s.other),
    }));
    await tx.$executeRaw`
      INSERT INTO traffic_sample ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", events, "ingestRunId")
      SELECT u."scopeKey", u.method, u."pathTemplate", u."clientKey", to_timestamp(u."hourStart" / 1000.0) AT TIME ZONE 'UTC', u.events, ${runId}
      FROM json_to_recordset(${JSON.stringify(b)}::json) AS u("scopeKey" text, method text, "pathTemplate" text, "clientKey" text,
        "hourStart" float8, events json)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", "hourStart") DO UPDATE SET
        events = (SELECT coalesce(json_agg(c.e ORDER BY c.t, c.n), '[]'::json) FROM (
          SELECT b.e, b.t, b.n FROM (
            SELECT a.e, a.t, a.n, a.ok, row_number() OVER (PARTITION BY a.ok ORDER BY a.t, a.n) AS rk
            FROM (SELECT x.e, x.e->>'time' AS t, x.n, coalesce((x.e->>'status')::int BETWEEN 200 AND 299, false) AS ok
              FROM (SELECT o.e, o.n FROM json_array_elements(traffic_sample.events) WITH ORDINALITY AS o(e, n)
                UNION ALL SELECT w.e, 1000 + w.n FROM json_array_elements(excluded.events) WITH ORDINALITY AS w(e, n)) x) a
          ) b
          ORDER BY CASE WHEN b.ok AND b.rk <= ${SAMPLE_MIN_OK} THEN 0 WHEN NOT b.ok THEN 1 ELSE 2 END, b.t, b.n
          LIMIT ${SAMPLE_LIMIT}) c)`;
  }
  return rows;
}
