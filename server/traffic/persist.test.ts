import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { bufferSource } from "@/server/ingest/source";
import { sample } from "@/server/ingest/test-utils";
import { TEST_DATABASES } from "@/server/test/databases";
import { addToDay, type ParamDayRow, type SampleEvent, type SampleRow, ValueHasher } from "./aggregate";
import { HyperLogLog } from "./hll";
import { ingestInventory, ingestText, kongLine, kongLog, nginxLog, times } from "./test-helpers";
import { type RollupBatch, writeRollups } from "./write-rollups";

const system = { type: "system" as const };
const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);

describe.each(TEST_DATABASES)("traffic persister on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
    await ingestInventory(db.prisma);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("ingests the real Kong sample into one endpoint hour and one client day with status, bytes and latency", async () => {
    const r = await ingest(db.prisma, { file: await sample("gateway-logs/kong-file-log-3.8-docs-example.jsonl"), channel: "cli", actor: system });
    expect(r.message).toBeNull();
    expect(r).toMatchObject({ status: "succeeded", format: "kong-log", errorCount: 0 });
    expect(r.counts).toMatchObject({ records: 1, events: 1, unknownHostEvents: 1 });
    const rows = await db.prisma.trafficEndpointHour.findMany({ where: { ingestRunId: r.runId } });
    expect(rows).toHaveLength(1);
    // The host no inventory knows became a shadow Api (its only client is private: exposure unknown; plain HTTP only:
    // an http base URL), and its
    // rollups moved from "host:localhost:8000" to it.
    const shadow = await db.prisma.api.findFirstOrThrow({ where: { host: "localhost:8000" } });
    expect(shadow).toMatchObject({ discoveredFromTraffic: true, exposure: null, baseUrl: "http://localhost:8000" });
    expect(rows[0]).toMatchObject({
      scopeKey: shadow.id,
      apiId: shadow.id,
      host: "localhost:8000",
      method: "GET",
      pathTemplate: "/example-route",
      matched: false,
      requests: 1,
      status2xx: 1,
      unauthenticated2xx: 1,
      plainHttp: 1,
      bytes: 9982n,
      latencySumMs: 173,
      latencyMaxMs: 173,
    });
    expect(rows[0]?.hourStart.toISOString()).toBe("2024-09-19T22:00:00.000Z");
    const days = await db.prisma.trafficClientDay.findMany({ where: { ingestRunId: r.runId } });
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ scopeKey: shadow.id, apiId: shadow.id, clientKey: "192.168.65.1", authenticated: false, requests: 1, status2xx: 1, bytes: 9982n });
    expect(days[0]?.day.toISOString()).toBe("2024-09-19T00:00:00.000Z");
    // Samples: one per client × day (across Apis and endpoints) and one per endpoint × hour (across clients).
    const samples = await db.prisma.trafficSample.findMany({ where: { ingestRunId: r.runId }, orderBy: { clientKey: "asc" } });
    expect(samples.map((s) => [s.scopeKey, s.method, s.pathTemplate, s.clientKey])).toEqual([
      [shadow.id, "GET", "/example-route", "*"],
      ["*", "*", "*", "192.168.65.1"],
    ]);
    const event = { method: "GET", path: "/example-route", status: 200, clientIp: "192.168.65.1", client: "192.168.65.1" };
    expect(samples[0]?.events).toEqual([expect.objectContaining(event)]);
    expect(samples[1]?.events).toEqual([expect.objectContaining({ ...event, scope: "host:localhost:8000", template: "/example-route" })]);
  });

  it("ingests the real NGINX sample (no host) attributed with the api option", async () => {
    const r = await ingest(db.prisma, {
      file: await sample("gateway-logs/nginx-combined-beats-access.log"),
      channel: "cli",
      actor: system,
      options: { api: "shop-api" },
    });
    expect(r.message).toBeNull();
    expect(r.status).toBe("succeeded");
    expect(r.counts.records).toBe(13);
    const shop = await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } });
    const rows = await db.prisma.trafficEndpointHour.findMany({ where: { ingestRunId: r.runId }, orderBy: [{ hourStart: "asc" }, { pathTemplate: "asc" }] });
    const attributed = rows.filter((x) => x.apiId === shop.id);
    expect(attributed.reduce((n, x) => n + x.requests, 0)).toBe(12);
    expect(attributed.reduce((n, x) => n + x.status404, 0)).toBe(8);
    expect(attributed.reduce((n, x) => n + x.status3xx, 0)).toBe(2);
    expect(attributed.every((x) => !x.matched)).toBe(true);
    const days = await db.prisma.trafficClientDay.findMany({ where: { ingestRunId: r.runId } });
    expect(new Set(days.filter((x) => x.apiId === shop.id).map((x) => x.clientKey))).toEqual(new Set(["77.179.66.156", "127.0.0.1"]));
    expect(days.filter((x) => x.apiId === shop.id).reduce((n, x) => n + x.requests, 0)).toBe(12);
    // The one virtual-host line names a host no inventory knows: a shadow-API candidate, not the --api Api.
    // (recorded as a shadow Api, its rollups under it).
    const lessons = await db.prisma.api.findFirstOrThrow({ where: { host: "lessons.example.com" } });
    const vhost = rows.find((x) => x.scopeKey === lessons.id);
    expect(vhost).toMatchObject({ requests: 1, status2xx: 1, bytes: 7648063n });
    expect(days.find((x) => x.scopeKey === lessons.id)).toMatchObject({ clientKey: "192.168.0.1", requests: 1, bytes: 7648063n });
  });

  it("says so in the run's warnings when the api option names no known Api", async () => {
    const r = await ingest(db.prisma, {
      file: bufferSource(nginxLog([{ time: T0 + 40 * 86_400_000, path: "/nowhere/1" }]), "unknown-api.log"),
      channel: "cli",
      actor: system,
      options: { api: "no-such-api" },
    });
    expect(r.status).toBe("succeeded");
    expect(r.warnings).toContainEqual({ message: '--api "no-such-api" names no known Api; traffic without a known host was kept as unknown' });
  });

  it("ingests the real AWS API Gateway and Envoy samples with their statuses and clients", async () => {
    const aws = await ingest(db.prisma, { file: await sample("gateway-logs/aws-apigateway-rest-access.log"), channel: "cli", actor: system });
    expect(aws).toMatchObject({ status: "succeeded", format: "aws-apigateway" });
    const awsRows = await db.prisma.trafficEndpointHour.findMany({ where: { ingestRunId: aws.runId } });
    expect(awsRows.reduce((n, x) => n + x.requests, 0)).toBe(5);
    expect(awsRows.every((x) => x.status2xx === x.requests)).toBe(true);
    const awsClients = await db.prisma.trafficClientDay.findMany({ where: { ingestRunId: aws.runId } });
    expect(awsClients.every((x) => x.clientKey === "1.128.0.0")).toBe(true);
    expect(awsClients.reduce((n, x) => n + x.requests, 0)).toBe(5);
    expect(awsRows.some((x) => x.pathTemplate === "/pets/{id}")).toBe(true);

    const text = await ingest(db.prisma, { file: await sample("gateway-logs/envoy-default-text-access.log"), channel: "cli", actor: system });
    expect(text.status).toBe("succeeded");
    const textRows = await db.prisma.trafficEndpointHour.findMany({ where: { ingestRunId: text.runId } });
    const statuses = textRows.reduce((a, x) => ({ s2: a.s2 + x.status2xx, s3: a.s3 + x.status3xx, s404: a.s404 + x.status404, s5: a.s5 + x.status5xx }), { s2: 0, s3: 0, s404: 0, s5: 0 });
    expect(statuses).toEqual({ s2: 2, s3: 1, s404: 1, s5: 1 });

    const json = await ingest(db.prisma, { file: await sample("gateway-logs/envoy-istio-json-access.log"), channel: "cli", actor: system });
    expect(json.status).toBe("succeeded");
    const jsonRows = await db.prisma.trafficEndpointHour.findMany({ where: { ingestRunId: json.runId } });
    expect(jsonRows.reduce((n, x) => n + x.requests, 0)).toBe(json.counts.records);
    // Both logged /reviews/0 calls land in one endpoint hour.
    const reviews = await db.prisma.api.findFirstOrThrow({ where: { host: "reviews:9080" } });
    expect(jsonRows.find((x) => x.pathTemplate === "/reviews/{id}")).toMatchObject({ scopeKey: reviews.id, requests: 2, status2xx: 2 });
  });

  it("matches templates, infers unmatched ones, marks observed endpoints and adds to existing buckets", async () => {
    const shop = await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } });
    const events = times(30, T0, 1000, (i) => ({
      time: T0 + i * 1000,
      host: "shop.example.com",
      path: i < 20 ? `/v1/users/${1000 + i}?expand=orders` : `/v1/internal/debug/${i}`,
      consumer: "alice",
      status: i % 10 === 0 ? 404 : 200,
      bytes: 100,
      latencyMs: 10 + i,
    }));
    const r = await ingestText(db.prisma, kongLog(events), "shop.jsonl");
    expect(r.status).toBe("succeeded");
    expect(r.counts).toMatchObject({ events: 30, unmatchedEvents: 10 });
    const matched = await db.prisma.trafficEndpointHour.findFirstOrThrow({ where: { apiId: shop.id, pathTemplate: "/users/{userId}" } });
    expect(matched).toMatchObject({ matched: true, requests: 20, status404: 2, status2xx: 18, unauthenticated2xx: 0, bytes: 2000n, latencyMaxMs: 29 });
    expect(matched.endpointId).not.toBeNull();
    const inferred = await db.prisma.trafficEndpointHour.findFirstOrThrow({ where: { apiId: shop.id, pathTemplate: "/internal/debug/{id}" } });
    expect(inferred).toMatchObject({ matched: false, requests: 10, endpointId: null });
    const alice = await db.prisma.trafficClientDay.findFirstOrThrow({ where: { ingestRunId: r.runId, clientKey: "alice" } });
    expect(alice).toMatchObject({ apiId: shop.id, authenticated: true, requests: 30, bytes: 3000n });
    const params = await db.prisma.trafficParamValues.findFirstOrThrow({ where: { scopeKey: shop.id, pathTemplate: "/users/{userId}" } });
    expect(params).toMatchObject({ paramName: "userId", clientKey: "alice" });
    expect(params.valueHashes).toHaveLength(20);
    const sampleRow = await db.prisma.trafficSample.findFirstOrThrow({ where: { scopeKey: shop.id, pathTemplate: "/users/{userId}" } });
    const stored = sampleRow.events as { path: string; queryParams?: string[] }[];
    expect(stored).toHaveLength(20);
    expect(stored[0]).toMatchObject({ path: "/v1/users/1000", queryParams: ["expand"] });
    const endpoint = await db.prisma.endpoint.findFirstOrThrow({ where: { apiId: shop.id, path: "/users/{userId}" } });
    expect(endpoint.observed).toBe(true);
    expect((await db.prisma.api.findUniqueOrThrow({ where: { id: shop.id } })).observedEndpoints).toBeGreaterThanOrEqual(1);

    // A second file for the same hour adds to the same rows; samples stay capped at 20; param hashes deduplicate.
    const more = times(5, T0, 1000, (i, time) => ({ time, host: "shop.example.com", path: `/v1/users/${1000 + i}`, consumer: "alice", bytes: 1 }));
    const r2 = await ingestText(db.prisma, kongLog(more), "shop-2.jsonl");
    expect(r2.status).toBe("succeeded");
    const again = await db.prisma.trafficEndpointHour.findFirstOrThrow({ where: { id: matched.id } });
    expect(again).toMatchObject({ requests: 25, bytes: 2005n });
    expect(await db.prisma.trafficClientDay.findFirstOrThrow({ where: { id: alice.id } })).toMatchObject({ requests: 35, bytes: 3005n });
    const paramsAgain = await db.prisma.trafficParamValues.findFirstOrThrow({ where: { id: params.id } });
    expect(paramsAgain.valueHashes).toHaveLength(20);
    const samplesAgain = await db.prisma.trafficSample.findFirstOrThrow({ where: { id: sampleRow.id } });
    expect(samplesAgain.events as unknown[]).toHaveLength(20);
  });

  it("keeps samples per client × day and per endpoint × day (not per endpoint × client), preferring non-2xx events", async () => {
    const t = T0 + 5 * 86_400_000;
    const paths = ["/v1/orders", "/v1/catalog", "/v1/health", "/v1/users/7"];
    const clients = ["s-a", "s-b", "s-c"];
    const events = paths.flatMap((p, i) => clients.map((c, j) => ({ time: t + (i * 3 + j) * 1000, host: "shop.example.com", path: p, consumer: c })));
    const r = await ingestText(db.prisma, kongLog(events), "samples.jsonl");
    expect(r.status).toBe("succeeded");
    const rows = await db.prisma.trafficSample.findMany({ where: { ingestRunId: r.runId } });
    expect(rows).toHaveLength(paths.length + clients.length); // not paths × clients
    expect(rows.filter((x) => x.clientKey === "*").map((x) => (x.events as unknown[]).length)).toEqual([3, 3, 3, 3]);
    expect(rows.filter((x) => x.scopeKey === "*").map((x) => (x.events as unknown[]).length)).toEqual([4, 4, 4]);

    // 30 × 200 then 30 × 401 from one client in one hour, over two files (the second merges in SQL): 5 × 200 and
    // 15 × 401 are kept, in time order; the same in one file (merged in memory).
    const ok = times(30, t + 3_600_000, 1000, (_i, time) => ({ time, host: "shop.example.com", path: "/v1/orders", ip: "198.51.100.77" }));
    const denied = times(30, t + 3_600_000 + 60_000, 1000, (_i, time) => ({ time, host: "shop.example.com", path: "/v1/orders", ip: "198.51.100.77", status: 401 }));
    expect((await ingestText(db.prisma, kongLog(ok), "ok.jsonl")).status).toBe("succeeded");
    expect((await ingestText(db.prisma, kongLog(denied), "denied.jsonl")).status).toBe("succeeded");
    const stored = await db.prisma.trafficSample.findFirstOrThrow({ where: { scopeKey: "*", clientKey: "198.51.100.77" } });
    const statuses = (stored.events as { status: number; time: string }[]).map((e) => e.status);
    expect(statuses).toEqual([...Array(5).fill(200), ...Array(15).fill(401)]);
    const inMemory = await ingestText(
      db.prisma,
      kongLog([...ok, ...denied].map((e) => ({ ...e, time: e.time + 86_400_000, ip: "198.51.100.78" }))),
      "both.jsonl",
    );
    expect(inMemory.status).toBe("succeeded");
    const one = await db.prisma.trafficSample.findFirstOrThrow({ where: { scopeKey: "*", clientKey: "198.51.100.78" } });
    expect((one.events as { status: number }[]).map((e) => e.status)).toEqual(statuses);
  });

  it("merges stored and new samples by event time, so the order in which batches arrive does not matter", async () => {
    const at = (minute: number, status: number): SampleEvent => ({
      time: new Date(T0 + 9 * 86_400_000 + minute * 60_000).toISOString(),
      method: "GET",
      path: `/v1/orders/${minute}-${status}`,
      status,
      client: "c1",
    });
    const range = (n: number, from: number, status: number) => Array.from({ length: n }, (_, i) => at(from + i, status));
    // A: 12 late 2xx; B: 12 earlier 2xx and 10 errors. Ranked by arrival, A-then-B would keep A's first five 2xx.
    const a = { ok: range(12, 12, 200), other: [] };
    const b = { ok: range(12, 0, 200), other: range(10, 0, 500) };
    const write = (scopeKey: string, s: { ok: SampleEvent[]; other: SampleEvent[] }) => {
      const row: SampleRow = { scopeKey, method: "GET", pathTemplate: "/orders/{id}", clientKey: "*", hourStart: T0, ...s };
      const batch: RollupBatch = { endpointHours: [], clientDays: [], minutes: [], params: [], paramDays: [], samples: [row] };
      return db.prisma.$transaction((tx) => writeRollups(tx, batch, "merge-order", { hour: 64, day: 64 }));
    };
    await write("order:ab", a);
    await write("order:ab", b);
    await write("order:ba", b);
    await write("order:ba", a);
    const stored = async (scopeKey: string) =>
      (await db.prisma.trafficSample.findFirstOrThrow({ where: { scopeKey } })).events as unknown as SampleEvent[];
    const ab = await stored("order:ab");
    expect(await stored("order:ba")).toEqual(ab);
    // The five earliest 2xx, all ten errors, then the next five 2xx by time (not A's); sorted by time.
    expect(ab.map((e) => e.path)).toEqual(range(10, 0, 200).flatMap((e, i) => [e.path, at(i, 500).path]));
  });

  it("stores keys and samples with any characters: commas, quotes, backslashes, separators, control characters, non-ASCII", async () => {
    const odd = ['a,b "c" \\d', "tab\tnl\ncr\r", "rs\u001eus\u001f", "ünï 😀 {id}", "null", "", "NULL"];
    const hour = T0 + 11 * 86_400_000;
    const base = { apiId: null, endpointId: null, host: null, matched: false };
    const zero = { s2: 0, s3: 0, s4: 0, s5: 0, s401: 0, s403: 0, s404: 0, s410: 0, s429: 0, unauth2xx: 0, plainHttp: 0, rateLimitHeaders: 0 };
    const batch: RollupBatch = {
      endpointHours: odd.map((k, i) => ({ ...base, ...zero, scopeKey: `host:${k}`, method: "GET", pathTemplate: `/${k}`, hourStart: hour, requests: i + 1, bytes: 2 ** 40 + i, latencySum: 1.5, latencyMax: 1.5 })),
      clientDays: odd.map((k, i) => ({ scopeKey: `host:${k}`, apiId: null, host: k, clientKey: k, authenticated: i % 2 === 0, day: hour, requests: i + 1, s2: 1, s4: 0, s5: 0, s401: 0, s403: 0, s429: 0, bytes: i })),
      minutes: odd.map((k, i) => ({ scopeKey: `host:${k}`, apiId: null, endpointId: null, method: "GET", pathTemplate: `/${k}`, clientKey: k, minuteStart: hour, requests: 60 + i, failures: i, s429: 0, auth: false })),
      params: odd.map((k) => ({ scopeKey: `host:${k}`, method: "GET", pathTemplate: `/${k}`, clientKey: k, hourStart: hour, paramName: k, hashes: new Set([1, 2]) })),
      paramDays: odd.map((k) => ({ scopeKey: `host:${k}`, method: "GET", pathTemplate: `/${k}`, clientKey: k, day: hour, paramName: k, hashes: new Set([1, 2]), sketch: null })),
      samples: odd.map((k) => ({ scopeKey: `host:${k}`, method: "GET", pathTemplate: `/${k}`, clientKey: k, hourStart: hour, ok: [{ time: new Date(hour).toISOString(), method: "GET", path: `/${k}`, status: 200, client: k, userAgent: k }], other: [] })),
    };
    await db.prisma.$transaction((tx) => writeRollups(tx, batch, "odd-keys", { hour: 64, day: 64 }));
    const where = { ingestRunId: "odd-keys" };
    const hours = await db.prisma.trafficEndpointHour.findMany({ where, orderBy: { requests: "asc" } });
    expect(hours.map((h) => [h.scopeKey, h.pathTemplate, h.bytes, h.apiId, h.matched])).toEqual(odd.map((k, i) => [`host:${k}`, `/${k}`, BigInt(2 ** 40 + i), null, false]));
    const days = await db.prisma.trafficClientDay.findMany({ where, orderBy: { requests: "asc" } });
    // (Hosts are stored normalised: lower case, without a trailing dot or default port.)
    expect(days.map((d) => [d.clientKey, d.scopeKey, d.authenticated])).toEqual(odd.map((k, i) => [k, `host:${k}`, i % 2 === 0]));
    const minutes = await db.prisma.trafficClientMinute.findMany({ where, orderBy: { requests: "asc" } });
    expect(minutes.map((m) => [m.clientKey, m.pathTemplate, m.failures])).toEqual(odd.map((k, i) => [k, `/${k}`, i]));
    const params = await db.prisma.trafficParamValues.findMany({ where });
    expect(params.map((p) => [p.paramName, p.valueHashes]).sort()).toEqual(odd.map((k) => [k, ["00000001", "00000002"]]).sort());
    const paramDays = await db.prisma.trafficParamDay.findMany({ where });
    expect(paramDays.map((p) => [p.paramName, p.valueHashes, p.sketch]).sort()).toEqual(odd.map((k) => [k, [1n, 2n], null]).sort());
    const samples = await db.prisma.trafficSample.findMany({ where });
    expect(samples.map((x) => (x.events as unknown as SampleEvent[])[0]?.userAgent).sort()).toEqual([...odd].sort());
  });

  it("merges day rows of parameter values in SQL as hll.ts does: exact sets while within the cap, then one sketch, in any order", async () => {
    const hasher = new ValueHasher("sql-salt");
    const hashes = Array.from({ length: 3_000 }, (_, i) => hasher.hash(`+4479${i}`));
    const day = T0 + 13 * 86_400_000;
    const row = (clientKey: string, part: number[], sketch = false): ParamDayRow => {
      const d: ParamDayRow = { scopeKey: "host:hll", method: "GET", pathTemplate: "/p", clientKey, day, paramName: "?phone", hashes: new Set(), sketch: null };
      addToDay(d, part, sketch ? 0 : 10_000);
      return d;
    };
    const write = (rows: ParamDayRow[]) =>
      db.prisma.$transaction((tx) => writeRollups(tx, { endpointHours: [], clientDays: [], minutes: [], params: [], paramDays: rows, samples: [] }, "hll-sql", { hour: 64, day: 1_000 }));
    // Exact + exact within the cap: the exact union.
    await write([row("small", hashes.slice(0, 600))]);
    await write([row("small", hashes.slice(300, 900))]);
    // Exact + exact past the cap, exact + sketch, sketch + exact: one sketch, the same whatever the order.
    await write([row("ab", hashes.slice(0, 800))]);
    await write([row("ab", hashes.slice(500, 1_700))]);
    await write([row("ba", hashes.slice(500, 1_700), true)]);
    await write([row("ba", hashes.slice(0, 800))]);
    await write([row("cc", hashes.slice(0, 900))]);
    await write([row("cc", hashes.slice(900, 1_700), true)]);
    const stored = new Map((await db.prisma.trafficParamDay.findMany({ where: { ingestRunId: "hll-sql" } })).map((r) => [r.clientKey, r]));
    expect(stored.get("small")?.sketch).toBeNull();
    expect(stored.get("small")?.valueHashes).toHaveLength(900);
    const all = new HyperLogLog();
    for (const h of hashes.slice(0, 1_700)) all.add(h);
    for (const k of ["ab", "ba", "cc"]) {
      const r = stored.get(k);
      expect(r?.valueHashes, k).toEqual([]);
      expect(new Uint8Array(r?.sketch ?? []), k).toEqual(all.registers);
    }
    expect(Math.abs(all.estimate() - 1_700)).toBeLessThan(60);
  });

  it("counts bad lines with their numbers, ingests the rest, and reports progress", async () => {
    const good = times(120_001, T0 + 86_400_000, 10, (i, time) => ({ time, host: "shop.example.com", path: "/v1/orders", consumer: `u${i % 50}` }));
    const lines = good.map(kongLine);
    lines.splice(5, 0, "{not json");
    lines.splice(70, 0, '{"request": 1}');
    const progress: number[] = [];
    const r = await ingest(db.prisma, {
      file: bufferSource(`${lines.join("\n")}\n`, "big.jsonl"),
      channel: "cli",
      actor: system,
      onProgress: (p) => progress.push(p.records),
    });
    expect(r.status).toBe("succeeded");
    expect(r.errorCount).toBe(2);
    expect(r.lineErrors.map((e) => e.line)).toEqual([6, 71]);
    expect(r.counts.records).toBe(120_001);
    expect(progress).toEqual([50_000, 100_000, 120_001]);
    const sum = await db.prisma.trafficEndpointHour.aggregate({ where: { ingestRunId: r.runId }, _sum: { requests: true } });
    expect(sum._sum.requests).toBe(120_001);
    const byClient = await db.prisma.trafficClientDay.aggregate({ where: { ingestRunId: r.runId }, _sum: { requests: true } });
    expect(byClient._sum.requests).toBe(120_001);
  });

  it("writes nothing when the ingest is cancelled", async () => {
    const tiers = () =>
      Promise.all([db.prisma.trafficEndpointHour.count(), db.prisma.trafficClientDay.count(), db.prisma.trafficClientMinute.count(), db.prisma.trafficParamValues.count()]);
    const before = await tiers();
    const controller = new AbortController();
    const events = times(100_000, T0 + 2 * 86_400_000, 10, (i, time) => ({ time, host: "shop.example.com", path: `/v1/users/${i}`, consumer: `c${i % 7}` }));
    const r = await ingest(db.prisma, {
      file: bufferSource(kongLog(events), "cancel.jsonl"),
      channel: "cli",
      actor: system,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.records >= 50_000) controller.abort();
      },
    });
    expect(r).toMatchObject({ status: "cancelled", message: "cancelled; nothing was written" });
    expect(await tiers()).toEqual(before);
  });

  it("attributes NGINX lines by base-path prefix when no host is logged", async () => {
    const shop = await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } });
    const r = await ingestText(db.prisma, nginxLog([{ time: T0 + 3 * 86_400_000, path: "/v1/orders", consumer: "bob" }]), "prefix.log");
    expect(r.status).toBe("succeeded");
    const row = await db.prisma.trafficEndpointHour.findFirstOrThrow({ where: { ingestRunId: r.runId } });
    expect(row).toMatchObject({ apiId: shop.id, pathTemplate: "/orders", matched: true });
    expect(await db.prisma.trafficClientDay.findFirstOrThrow({ where: { ingestRunId: r.runId } })).toMatchObject({ apiId: shop.id, clientKey: "bob", authenticated: true });
  });
});
