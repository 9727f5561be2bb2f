/**
 * Read side of traffic: what the Api page, the inventory's shadow/zombie/unused filters and the Attack signals page
 * show. Everything is aggregated in SQL from rollups and findings: series, totals and endpoints from
 * traffic_endpoint_hour, clients from traffic_client_day (whole UTC days overlapping the window, so client counts can
 * reach a little beyond an hourly window's edges). Object-level access: the Api must be in the
 * actor's apiScope (developers: their teams' Apis); executives get aggregates without per-client detail (no client
 * lists, no evidence); Apis-less findings (shadow APIs) only for those who see every Api.
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { type Actor, seesAllApis, seesDetail } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { DomainError } from "@/server/domain/errors";
import { storedShape } from "@/server/domain/stored-json";
import { apiScope } from "@/server/auth/scope";
import { ATTACK_SIGNAL_RULE_IDS } from "@/server/correlate/rules/traffic";
import { type ApiTraffic, type attackSignalsOutput, signalCounts, signalWindow, type trafficFlagsOutput } from "./schemas";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ACTIVE = ["open", "triaged", "in_progress"];

export const apiTrafficInput = z.object({ slug: z.string().min(1).max(120), days: z.number().int().min(1).max(90).default(7) });

async function scopedApi(prisma: Db, actor: Actor, slug: string) {
  const api = await prisma.api.findFirst({ where: { AND: [{ slug }, apiScope(actor)] }, select: { id: true } });
  if (!api) throw new DomainError("NOT_FOUND", "No such API");
  return api;
}

const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "bigint" ? Number(v) : typeof v === "string" ? Number(v) : 0);

/** Traffic of one Api over the `days` that end at its latest traffic (so that old logs still show). */
export async function getApiTraffic(prisma: Db, actor: Actor, input: z.infer<typeof apiTrafficInput>): Promise<ApiTraffic> {
  const api = await scopedApi(prisma, actor, input.slug);
  const latest = await prisma.trafficEndpointHour.aggregate({ where: { apiId: api.id }, _max: { hourStart: true } });
  const empty: ApiTraffic = { window: null, bucket: "hour", series: [], totals: { requests: 0, clients: 0, bytes: 0, unauthenticated2xx: 0, plainHttp: 0, s429: 0 }, topClients: seesDetail(actor) ? [] : null, endpoints: [] };
  const last = latest._max.hourStart;
  if (!last) {
    const endpoints = await prisma.endpoint.findMany({ where: { apiId: api.id }, select: { method: true, path: true, documented: true, observed: true, deprecated: true }, orderBy: [{ path: "asc" }, { method: "asc" }] });
    return { ...empty, endpoints: endpoints.map((e) => ({ ...e, requests: 0, s4xx: 0, s5xx: 0, unauthenticated2xx: 0, avgLatencyMs: null })) };
  }
  const to = new Date(Math.ceil((last.getTime() + 1) / HOUR) * HOUR);
  const from = new Date(to.getTime() - input.days * DAY);
  const bucket = input.days > 3 ? "day" : "hour";
  const [fromIso, toIso] = [from.toISOString(), to.toISOString()];

  const series = await prisma.$queryRaw<{ t: Date; s2: number; s3: number; s4: number; s5: number; lsum: number; lmax: number; req: number }[]>`
    SELECT date_trunc(${bucket}, "hourStart") AS t, sum("status2xx")::int AS s2, sum("status3xx")::int AS s3, sum("status4xx")::int AS s4,
      sum("status5xx")::int AS s5, sum("latencySumMs")::float8 AS lsum, max("latencyMaxMs")::float8 AS lmax, sum(requests)::int AS req
    FROM traffic_endpoint_hour WHERE "apiId" = ${api.id} AND "hourStart" >= ${fromIso}::timestamp AND "hourStart" < ${toIso}::timestamp
    GROUP BY 1 ORDER BY 1`;
  const [totals] = await prisma.$queryRaw<{ req: number; clients: number; bytes: number; u2: number; plain: number; s429: number }[]>`
    SELECT coalesce(sum(requests), 0)::int AS req, coalesce(sum(bytes), 0)::float8 AS bytes,
      coalesce(sum("unauthenticated2xx"), 0)::int AS u2, coalesce(sum("plainHttp"), 0)::int AS plain, coalesce(sum("status429"), 0)::int AS s429,
      (SELECT count(DISTINCT "clientKey")::int FROM traffic_client_day
        WHERE "apiId" = ${api.id} AND day >= date_trunc('day', ${fromIso}::timestamp) AND day < ${toIso}::timestamp) AS clients
    FROM traffic_endpoint_hour WHERE "apiId" = ${api.id} AND "hourStart" >= ${fromIso}::timestamp AND "hourStart" < ${toIso}::timestamp`;
  const clients = seesDetail(actor)
    ? await prisma.$queryRaw<{ client: string; authn: boolean; req: number; err: number; bytes: number }[]>`
        SELECT "clientKey" AS client, bool_or(authenticated) AS authn, sum(requests)::int AS req, sum("status4xx" + "status5xx")::int AS err,
          sum(bytes)::float8 AS bytes
        FROM traffic_client_day WHERE "apiId" = ${api.id} AND day >= date_trunc('day', ${fromIso}::timestamp) AND day < ${toIso}::timestamp
        GROUP BY 1 ORDER BY 3 DESC, 1 LIMIT 10`
    : null;
  const endpoints = await prisma.$queryRaw<
    { method: string; path: string; documented: boolean; observed: boolean; deprecated: boolean; req: number; s4: number; s5: number; u2: number; lsum: number }[]
  >`
    WITH t AS (
      SELECT method, "pathTemplate" AS path, bool_or(matched) AS matched, sum(requests)::int AS req, sum("status4xx")::int AS s4,
        sum("status5xx")::int AS s5, sum("unauthenticated2xx")::int AS u2, sum("latencySumMs")::float8 AS lsum
      FROM traffic_endpoint_hour WHERE "apiId" = ${api.id} AND "hourStart" >= ${fromIso}::timestamp AND "hourStart" < ${toIso}::timestamp
      GROUP BY 1, 2
    )
    SELECT coalesce(e.method, t.method) AS method, coalesce(e.path, t.path) AS path, coalesce(e.documented, false) AS documented,
      coalesce(e.observed, false) OR coalesce(t.req, 0) > 0 AS observed, coalesce(e.deprecated, false) AS deprecated,
      coalesce(t.req, 0)::int AS req, coalesce(t.s4, 0)::int AS s4, coalesce(t.s5, 0)::int AS s5, coalesce(t.u2, 0)::int AS u2,
      coalesce(t.lsum, 0)::float8 AS lsum
    FROM (SELECT * FROM endpoint WHERE "apiId" = ${api.id}) e
    FULL OUTER JOIN t ON t.method = e.method AND t.path = e.path
    ORDER BY 6 DESC, 2, 1
    LIMIT 500`;
  return {
    window: { from: fromIso, to: toIso },
    bucket,
    series: series.map((r) => ({
      t: r.t.toISOString(),
      s2xx: num(r.s2),
      s3xx: num(r.s3),
      s4xx: num(r.s4),
      s5xx: num(r.s5),
      avgLatencyMs: num(r.req) ? Math.round((num(r.lsum) / num(r.req)) * 10) / 10 : null,
      maxLatencyMs: num(r.lmax),
    })),
    totals: {
      requests: num(totals?.req),
      clients: num(totals?.clients),
      bytes: num(totals?.bytes),
      unauthenticated2xx: num(totals?.u2),
      plainHttp: num(totals?.plain),
      s429: num(totals?.s429),
    },
    topClients: clients ? clients.map((c) => ({ client: c.client, authenticated: c.authn, requests: num(c.req), errors: num(c.err), bytes: num(c.bytes) })) : null,
    endpoints: endpoints.map((e) => ({
      method: e.method,
      path: e.path,
      documented: e.documented,
      observed: e.observed,
      deprecated: e.deprecated,
      requests: num(e.req),
      s4xx: num(e.s4),
      s5xx: num(e.s5),
      unauthenticated2xx: num(e.u2),
      avgLatencyMs: num(e.req) ? Math.round((num(e.lsum) / num(e.req)) * 10) / 10 : null,
    })),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Inventory flags: shadow / zombie / unused

export const TRAFFIC_FLAGS = { shadow: ["shadow-endpoint"], zombie: ["zombie"], unused: ["unused-endpoint"] } as const;
export type TrafficFlag = keyof typeof TRAFFIC_FLAGS;
export const trafficFlagInput = z.object({ flag: z.enum(["shadow", "zombie", "unused"]).optional() });

function findingScope(actor: Actor): Prisma.FindingWhereInput {
  return seesAllApis(actor) ? {} : { api: apiScope(actor) };
}

/** Counts of Apis with active shadow/zombie/unused findings, and the Apis (with their counts) for one flag. */
export async function trafficFlags(prisma: Db, actor: Actor, input: z.infer<typeof trafficFlagInput>): Promise<z.infer<typeof trafficFlagsOutput>> {
  const base: Prisma.FindingWhereInput = { AND: [{ kind: "traffic", status: { in: ACTIVE }, apiId: { not: null } }, findingScope(actor)] };
  const grouped = await prisma.finding.groupBy({ by: ["ruleId", "apiId"], where: { AND: [base, { ruleId: { in: ["shadow-endpoint", "zombie", "unused-endpoint"] } }] }, _count: { _all: true } });
  const counts = { shadow: 0, zombie: 0, unused: 0, shadowApis: 0 };
  for (const flag of Object.keys(TRAFFIC_FLAGS) as TrafficFlag[]) {
    const rules: readonly string[] = TRAFFIC_FLAGS[flag];
    counts[flag] = new Set(grouped.filter((g) => rules.includes(g.ruleId)).map((g) => g.apiId)).size;
  }
  counts.shadowApis = seesAllApis(actor) ? await prisma.finding.count({ where: { kind: "traffic", ruleId: "shadow-api", status: { in: ACTIVE } } }) : 0;
  let apis: { slug: string; name: string; findings: number; lifecycle: string | null; owner: string | null }[] = [];
  if (input.flag) {
    const rules: readonly string[] = TRAFFIC_FLAGS[input.flag];
    const perApi = new Map<string, number>();
    for (const g of grouped) if (g.apiId && rules.includes(g.ruleId)) perApi.set(g.apiId, (perApi.get(g.apiId) ?? 0) + g._count._all);
    const rows = await prisma.api.findMany({
      where: { AND: [{ id: { in: [...perApi.keys()] } }, apiScope(actor)] },
      select: { id: true, slug: true, name: true, lifecycle: true, ownerTeam: { select: { name: true } } },
      orderBy: { name: "asc" },
    });
    apis = rows.map((a) => ({ slug: a.slug, name: a.name, lifecycle: a.lifecycle, owner: a.ownerTeam?.name ?? null, findings: perApi.get(a.id) ?? 0 }));
  }
  return { counts, apis };
}

// ---------------------------------------------------------------------------------------------------------------
// Attack signals

export const attackSignalsInput = z.object({ limit: z.number().int().min(1).max(500).default(200) });

export async function attackSignals(prisma: Db, actor: Actor, input: z.infer<typeof attackSignalsInput>): Promise<z.infer<typeof attackSignalsOutput>> {
  const rows = await prisma.finding.findMany({
    where: {
      AND: [{ kind: "traffic", ruleId: { in: [...ATTACK_SIGNAL_RULE_IDS] }, status: { in: ACTIVE } }, seesAllApis(actor) ? {} : { api: apiScope(actor) }],
    },
    orderBy: [{ lastSeenAt: "desc" }, { id: "asc" }],
    take: input.limit,
    select: {
      id: true,
      ruleId: true,
      title: true,
      severity: true,
      owaspCategory: true,
      status: true,
      firstSeenAt: true,
      lastSeenAt: true,
      evidence: true,
      api: { select: { slug: true, name: true } },
    },
  });
  const detail = seesDetail(actor);
  return rows.map((f) => {
    const ev = (f.evidence ?? {}) as { window?: unknown; client?: unknown; counts?: unknown };
    const counts = signalCounts.safeParse(ev.counts);
    return {
      id: f.id,
      ruleId: f.ruleId,
      title: detail ? f.title : f.ruleId,
      severity: f.severity,
      owaspCategory: f.owaspCategory,
      status: f.status,
      firstSeenAt: f.firstSeenAt.toISOString(),
      lastSeenAt: f.lastSeenAt.toISOString(),
      api: f.api,
      window: ev.window && typeof ev.window === "object" ? storedShape(signalWindow, ev.window) : null,
      client: detail && typeof ev.client === "string" ? ev.client : null,
      counts: detail && counts.success ? counts.data : null,
    };
  });
}
