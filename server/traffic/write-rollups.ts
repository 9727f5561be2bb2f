/**
 * The traffic rollup writer: one `INSERT … SELECT FROM ROWS FROM (…) ON CONFLICT DO UPDATE` per table and chunk,
 * each column one text parameter (see texts/numbers below: cheaper through Prisma and the drivers than array
 * parameters, and for the server than a JSON array of row objects), adding counts to what earlier flushes and files
 * stored for the same bucket. Runs inside the ingest transaction.
 */
import { Prisma } from "@/generated/prisma/client";
import { normaliseHost } from "@/server/domain/path-matcher";
import type { Tx } from "@/server/db/types";
import {
  type ClientDayRow,
  type ClientMinuteRow,
  type EndpointHourRow,
  hashText,
  type ParamDayRow,
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
  paramDays: ParamDayRow[];
  samples: SampleRow[];
}

/** Caps of the parameter tiers (from the rule thresholds at ingest time: TrafficFold). */
export interface ParamCaps {
  /** Distinct value hashes an hour key keeps. */
  hour: number;
  /** Distinct value hashes a day key keeps exactly before it becomes a sketch. */
  day: number;
}

/** Takes what the aggregator holds for a flush (samples: all, or those of days over) and empties it. */
export function takeRollups(agg: TrafficAggregator, allSamples: boolean): RollupBatch {
  const batch: RollupBatch = {
    endpointHours: [...agg.endpointHours.values()],
    clientDays: [...agg.clientDays.values()],
    minutes: agg.readyMinutes,
    params: agg.readyParams,
    paramDays: agg.readyParamDays,
    samples: agg.takeSamples(allSamples),
  };
  agg.clear();
  return batch;
}

/**
 * Rows travel one parameter per column — text columns as JSON arrays of strings (escaped, nulls kept), numbers joined
 * by commas — and come back as rows through ROWS FROM of these column expressions (each zips with the others).
 * A JSON array of row objects was ~3× the bytes (every key on every row) and the server's JSON parser, at ~50 MB/s,
 * spent ~0.5 s on the 80,000 client-day rows of a 1M-line log before inserting anything.
 */
const texts = (values: (string | null)[]): Prisma.Sql => Prisma.sql`json_array_elements_text(${JSON.stringify(values)}::json)`;
const NUMBER_ARRAYS = { int: Prisma.raw("int[]"), int8: Prisma.raw("int8[]"), float8: Prisma.raw("float8[]") } as const;
const numbers = (values: number[], type: keyof typeof NUMBER_ARRAYS): Prisma.Sql =>
  Prisma.sql`unnest(string_to_array(${values.join(",")}, ',')::${NUMBER_ARRAYS[type]})`;
/** Booleans as 1/0 ints (compared with <> 0 in the SELECT). */
const flags = (values: boolean[]): Prisma.Sql => numbers(values.map((v) => (v ? 1 : 0)), "int");
/**
 * Sample events of each row as one JSON text, rows separated by U+001E: JSON.stringify escapes every control
 * character, so the separator cannot occur inside one; the server splits without parsing and validates each once.
 */
const RECORD_SEPARATOR = "\u001e";

/** Takes the aggregator's final sample keys alone (the count tiers keep accumulating). */
export function takeReadySamples(agg: TrafficAggregator): RollupBatch {
  return { endpointHours: [], clientDays: [], minutes: [], params: [], paramDays: [], samples: agg.takeReadySamples() };
}

/** Writes a batch of aggregates; returns the number of rows inserted or updated across the count tiers. */
export async function writeRollups(tx: Tx, batch: RollupBatch, runId: string, caps: ParamCaps): Promise<number> {
  const paramCap = caps.hour;
  let rows = 0;
  const hours = batch.endpointHours;
  for (const r of hours) if (r.host !== null) r.host = normaliseHost(r.host) ?? r.host;
  for (let i = 0; i < hours.length; i += CHUNK) {
    const c = hours.slice(i, i + CHUNK);
    rows += await tx.$executeRaw`
      INSERT INTO traffic_endpoint_hour ("scopeKey", "apiId", "endpointId", host, method, "pathTemplate", matched, "hourStart", requests,
        "status2xx", "status3xx", "status4xx", "status5xx", "status401", "status403", "status404", "status410", "status429",
        "unauthenticated2xx", "plainHttp", "rateLimitHeaders", bytes, "latencySumMs", "latencyMaxMs", "ingestRunId")
      SELECT u.scope, u.api, u.endpoint, u.host, u.method, u.template, u.matched <> 0, to_timestamp(u.hour / 1000.0) AT TIME ZONE 'UTC',
        u.requests, u.s2, u.s3, u.s4, u.s5, u.s401, u.s403, u.s404, u.s410, u.s429, u.unauth2xx, u.plain, u.limits, u.bytes,
        u.latency_sum, u.latency_max, ${runId}
      FROM ROWS FROM (
        ${texts(c.map((r) => r.scopeKey))}, ${texts(c.map((r) => r.apiId))},
        ${texts(c.map((r) => r.endpointId))}, ${texts(c.map((r) => r.host))},
        ${texts(c.map((r) => r.method))}, ${texts(c.map((r) => r.pathTemplate))},
        ${flags(c.map((r) => r.matched))}, ${numbers(c.map((r) => r.hourStart), "float8")},
        ${numbers(c.map((r) => r.requests), "int")}, ${numbers(c.map((r) => r.s2), "int")},
        ${numbers(c.map((r) => r.s3), "int")}, ${numbers(c.map((r) => r.s4), "int")},
        ${numbers(c.map((r) => r.s5), "int")}, ${numbers(c.map((r) => r.s401), "int")},
        ${numbers(c.map((r) => r.s403), "int")}, ${numbers(c.map((r) => r.s404), "int")},
        ${numbers(c.map((r) => r.s410), "int")}, ${numbers(c.map((r) => r.s429), "int")},
        ${numbers(c.map((r) => r.unauth2xx), "int")}, ${numbers(c.map((r) => r.plainHttp), "int")},
        ${numbers(c.map((r) => r.rateLimitHeaders), "int")}, ${numbers(c.map((r) => r.bytes), "int8")},
        ${numbers(c.map((r) => r.latencySum), "float8")}, ${numbers(c.map((r) => r.latencyMax), "float8")}
      ) AS u(scope, api, endpoint, host, method, template, matched, hour, requests, s2, s3, s4, s5, s401, s403, s404, s410, s429, unauth2xx,
        plain, limits, bytes, latency_sum, latency_max)
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
    const c = days.slice(i, i + CHUNK);
    rows += await tx.$executeRaw`
      INSERT INTO traffic_client_day ("scopeKey", "apiId", host, "clientKey", authenticated, day, requests, "status2xx", "status4xx",
        "status5xx", "status401", "status403", "status429", bytes, "ingestRunId")
      SELECT u.scope, u.api, u.host, u.client, u.authenticated <> 0, to_timestamp(u.day / 1000.0) AT TIME ZONE 'UTC', u.requests,
        u.s2, u.s4, u.s5, u.s401, u.s403, u.s429, u.bytes, ${runId}
      FROM ROWS FROM (
        ${texts(c.map((d) => d.scopeKey))}, ${texts(c.map((d) => d.apiId))},
        ${texts(c.map((d) => d.host))}, ${texts(c.map((d) => d.clientKey))},
        ${flags(c.map((d) => d.authenticated))}, ${numbers(c.map((d) => d.day), "float8")},
        ${numbers(c.map((d) => d.requests), "int")}, ${numbers(c.map((d) => d.s2), "int")},
        ${numbers(c.map((d) => d.s4), "int")}, ${numbers(c.map((d) => d.s5), "int")},
        ${numbers(c.map((d) => d.s401), "int")}, ${numbers(c.map((d) => d.s403), "int")},
        ${numbers(c.map((d) => d.s429), "int")}, ${numbers(c.map((d) => d.bytes), "int8")}
      ) AS u(scope, api, host, client, authenticated, day, requests, s2, s4, s5, s401, s403, s429, bytes)
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
    const c = minutes.slice(i, i + CHUNK);
    rows += await tx.$executeRaw`
      INSERT INTO traffic_client_minute ("scopeKey", "apiId", "endpointId", method, "pathTemplate", "clientKey", "minuteStart", requests,
        failures, "status429", "ingestRunId")
      SELECT u.scope, u.api, u.endpoint, u.method, u.template, u.client, to_timestamp(u.minute / 1000.0) AT TIME ZONE 'UTC', u.requests,
        u.failures, u.s429, ${runId}
      FROM ROWS FROM (
        ${texts(c.map((m) => m.scopeKey))}, ${texts(c.map((m) => m.apiId))},
        ${texts(c.map((m) => m.endpointId))}, ${texts(c.map((m) => m.method))},
        ${texts(c.map((m) => m.pathTemplate))}, ${texts(c.map((m) => m.clientKey))},
        ${numbers(c.map((m) => m.minuteStart), "float8")}, ${numbers(c.map((m) => m.requests), "int")},
        ${numbers(c.map((m) => m.failures), "int")}, ${numbers(c.map((m) => m.s429), "int")}
      ) AS u(scope, api, endpoint, method, template, client, minute, requests, failures, s429)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", "minuteStart") DO UPDATE SET
        requests = traffic_client_minute.requests + excluded.requests,
        failures = traffic_client_minute.failures + excluded.failures,
        "status429" = traffic_client_minute."status429" + excluded."status429",
        "endpointId" = coalesce(excluded."endpointId", traffic_client_minute."endpointId")`;
  }

  const params = batch.params;
  for (let i = 0; i < params.length; i += CHUNK) {
    const c = params.slice(i, i + CHUNK);
    // Value hashes are base-36 text (no commas): one comma-joined string per row.
    await tx.$executeRaw`
      INSERT INTO traffic_param_values ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", "paramName", "valueHashes", "ingestRunId")
      SELECT u.scope, u.method, u.template, u.client, to_timestamp(u.hour / 1000.0) AT TIME ZONE 'UTC', u.name, string_to_array(u.hashes, ','), ${runId}
      FROM ROWS FROM (
        ${texts(c.map((p) => p.scopeKey))}, ${texts(c.map((p) => p.method))},
        ${texts(c.map((p) => p.pathTemplate))}, ${texts(c.map((p) => p.clientKey))},
        ${numbers(c.map((p) => p.hourStart), "float8")}, ${texts(c.map((p) => p.paramName))},
        ${texts(c.map((p) => [...p.hashes].slice(0, paramCap).map(hashText).join(",")))}
      ) AS u(scope, method, template, client, hour, name, hashes)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", "paramName") DO UPDATE SET
        "valueHashes" = CASE WHEN cardinality(traffic_param_values."valueHashes") >= ${paramCap} THEN traffic_param_values."valueHashes"
          ELSE (SELECT coalesce(array_agg(v), '{}') FROM (
            SELECT DISTINCT v FROM unnest(traffic_param_values."valueHashes" || excluded."valueHashes") AS v LIMIT ${paramCap}) d) END`;
  }

  await writeParamDays(tx, batch.paramDays, runId, caps.day);

  // Samples: a stored row merges with the new candidates by the rule of pickSamples() (up to SAMPLE_MIN_OK 2xx events
  // first, then non-2xx ones, then more 2xx), ranked by event time (ISO strings), ties stored-before-new then position:
  // so the result does not depend on which flush or shard arrives first. Sorted by time.
  // The column is json, not jsonb: a new row's events are stored as sent, after one validating scan; only a merge
  // parses them.
  const samples = batch.samples;
  for (let i = 0; i < samples.length; i += SAMPLE_CHUNK) {
    const c = samples.slice(i, i + SAMPLE_CHUNK);
    await tx.$executeRaw`
      INSERT INTO traffic_sample ("scopeKey", method, "pathTemplate", "clientKey", "hourStart", events, "ingestRunId")
      SELECT u.scope, u.method, u.template, u.client, to_timestamp(u.hour / 1000.0) AT TIME ZONE 'UTC', u.events::json, ${runId}
      FROM ROWS FROM (
        ${texts(c.map((s) => s.scopeKey))}, ${texts(c.map((s) => s.method))},
        ${texts(c.map((s) => s.pathTemplate))}, ${texts(c.map((s) => s.clientKey))},
        ${numbers(c.map((s) => s.hourStart), "float8")},
        unnest(string_to_array(${c.map((s) => JSON.stringify(pickSamples(s.ok, s.other))).join(RECORD_SEPARATOR)}, ${RECORD_SEPARATOR}))
      ) AS u(scope, method, template, client, hour, events)
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

/** Day rows per statement: each carries up to the day cap of hashes or a 4 KB sketch. */
const PARAM_DAY_CHUNK = 500;

/**
 * The register of a value hash (int8) in SQL, as hll.ts computes it: its low 12 bits, and the rank = trailing zeros
 * of the other 41 bits + 1 (42 when they are all zero).
 */
const RANK_OF_V = Prisma.sql`CASE WHEN (v >> 12) = 0 THEN 42 ELSE length(substring(((v >> 12)::bit(64))::text from '0*$')) + 1 END`;

/**
 * Day rows of parameter values (traffic_param_day), merged with a stored row as the aggregator merges them in memory
 * (addToDay): exact sets unite while the union stays within the cap; otherwise the row becomes a HyperLogLog sketch,
 * the maximum per register of both sketches and of the registers of both exact sets. Same result in any order.
 */
async function writeParamDays(tx: Tx, rows: ParamDayRow[], runId: string, cap: number): Promise<void> {
  for (let i = 0; i < rows.length; i += PARAM_DAY_CHUNK) {
    const c = rows.slice(i, i + PARAM_DAY_CHUNK);
    const exact = Prisma.sql`(traffic_param_day.sketch IS NULL AND excluded.sketch IS NULL
      AND (SELECT count(DISTINCT v) FROM unnest(traffic_param_day."valueHashes" || excluded."valueHashes") AS v) <= ${cap})`;
    await tx.$executeRaw`
      INSERT INTO traffic_param_day ("scopeKey", method, "pathTemplate", "clientKey", day, "paramName", "valueHashes", sketch, "ingestRunId")
      SELECT u.scope, u.method, u.template, u.client, to_timestamp(u.day / 1000.0) AT TIME ZONE 'UTC', u.name,
        CASE WHEN u.hashes = '' THEN '{}'::int8[] ELSE string_to_array(u.hashes, ',')::int8[] END,
        CASE WHEN u.sketch = '' THEN NULL ELSE decode(u.sketch, 'base64') END, ${runId}
      FROM ROWS FROM (
        ${texts(c.map((p) => p.scopeKey))}, ${texts(c.map((p) => p.method))},
        ${texts(c.map((p) => p.pathTemplate))}, ${texts(c.map((p) => p.clientKey))},
        ${numbers(c.map((p) => p.day), "float8")}, ${texts(c.map((p) => p.paramName))},
        ${texts(c.map((p) => (p.hashes === null ? "" : [...p.hashes].join(","))))},
        ${texts(c.map((p) => (p.sketch === null ? "" : Buffer.from(p.sketch.buffer, p.sketch.byteOffset, p.sketch.byteLength).toString("base64"))))}
      ) AS u(scope, method, template, client, day, name, hashes, sketch)
      ON CONFLICT ("scopeKey", method, "pathTemplate", "clientKey", day, "paramName") DO UPDATE SET
        "valueHashes" = CASE WHEN ${exact}
          THEN (SELECT coalesce(array_agg(DISTINCT v), '{}') FROM unnest(traffic_param_day."valueHashes" || excluded."valueHashes") AS v)
          ELSE '{}'::int8[] END,
        sketch = CASE WHEN ${exact} THEN NULL ELSE (
          SELECT decode(string_agg(lpad(to_hex(greatest(
              CASE WHEN traffic_param_day.sketch IS NULL THEN 0 ELSE get_byte(traffic_param_day.sketch, g.i) END,
              CASE WHEN excluded.sketch IS NULL THEN 0 ELSE get_byte(excluded.sketch, g.i) END,
              coalesce(r.rank, 0))), 2, '0'), '' ORDER BY g.i), 'hex')
          FROM generate_series(0, 4095) AS g(i)
          LEFT JOIN (
            SELECT (v & 4095)::int AS idx, max(${RANK_OF_V}) AS rank
            FROM unnest(traffic_param_day."valueHashes" || excluded."valueHashes") AS v GROUP BY 1
          ) r ON r.idx = g.i) END`;
  }
}
