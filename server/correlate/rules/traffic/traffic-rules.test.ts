/**
 * Traffic rules on rollups built by ingesting generated Kong / NGINX lines through the pipeline. Each scenario lives
 * in its own 40-day slot of time and is evaluated as of the end of that slot, so scenarios do not see each other
 * (the lookback is 30 days). Every rule: just below its threshold → no finding; at it → a finding.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { ingestInventory, ingestText, kongLog, nginxLog, times, type GenEvent } from "@/server/traffic/test-helpers";
import type { DerivedFinding, Rule } from "../../rule";
import { DEFAULT_RULE_SETTINGS } from "../../settings";
import { cleartextTransport as postureCleartext } from "../posture/cleartext-transport";
import { trafficRules } from "./index";
import { loadSamples } from "./shared";

const DAY = 86_400_000;
const MIN = 60_000;
const EPOCH = Date.UTC(2025, 0, 1);
let slotNo = 0;
/** A fresh 40-day slot: traffic goes in [start, start + 10 days), evaluation as of start + 10 days. */
function slot() {
  const start = EPOCH + slotNo++ * 40 * DAY;
  return { start, asOf: new Date(start + 10 * DAY) };
}

const rule = (id: string): Rule => {
  const r = trafficRules.find((x) => x.id === id);
  if (!r) throw new Error(`no rule ${id}`);
  return r;
};

describe.each(TEST_DATABASES)("traffic rules on $name", (kind) => {
  let db: Database;
  let shopId = "";
  let legacyId = "";
  let n = 0;
  beforeAll(async () => {
    db = await kind.open();
    await ingestInventory(db.prisma);
    shopId = (await db.prisma.api.findUniqueOrThrow({ where: { slug: "shop-api" } })).id;
    legacyId = (await db.prisma.api.findUniqueOrThrow({ where: { slug: "legacy-api" } })).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  async function kong(events: GenEvent[]) {
    const r = await ingestText(db.prisma, kongLog(events), `t${n++}.jsonl`);
    expect(r.message).toBeNull();
    expect(r.status).toBe("succeeded");
  }
  async function nginx(events: GenEvent[], api?: string) {
    const r = await ingestText(db.prisma, nginxLog(events), `t${n++}.log`, api ? { api } : {});
    expect(r.message).toBeNull();
    expect(r.status).toBe("succeeded");
  }
  async function run(id: string, asOf: Date, settings: Partial<typeof DEFAULT_RULE_SETTINGS> = {}): Promise<DerivedFinding[]> {
    return rule(id).evaluate({ tx: db.prisma, asOf, apiIds: null, settings: { ...DEFAULT_RULE_SETTINGS, ...settings } });
  }

  it("registers the twelve traffic rules (cleartext-transport's traffic part lives in its posture rule) with their DESIGN ids", () => {
    expect(trafficRules.map((r) => r.id).sort()).toEqual(
      [
        "credential-stuffing",
        "error-leakage",
        "exfiltration-anomaly",
        "missing-rate-limit",
        "new-client-harvesting",
        "object-enumeration",
        "shadow-api",
        "shadow-endpoint",
        "slow-enumeration",
        "unauthenticated-access",
        "unused-endpoint",
        "zombie",
      ].sort(),
    );
    expect(trafficRules.every((r) => r.kind === "traffic")).toBe(true);
  });

  describe("zombie", () => {
    it("404/410-only traffic to a deprecated endpoint or Api is not a zombie", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/reports/legacy", status: 404, consumer: "z1" },
        { time: s.start + MIN, host: "shop.example.com", path: "/v1/reports/legacy", status: 410, consumer: "z1" },
        { time: s.start, host: "legacy.example.com", path: "/items/1", status: 404, ip: "198.51.100.1" },
      ]);
      expect(await run("zombie", s.asOf)).toEqual([]);
    });

    it("a 401 from a deprecated endpoint is a zombie; any served status on a deprecated Api too", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/reports/legacy", status: 401, ip: "198.51.100.2" },
        { time: s.start + MIN, host: "legacy.example.com", path: "/items/7", status: 200, ip: "198.51.100.3" },
      ]);
      const found = await run("zombie", s.asOf);
      expect(found).toHaveLength(2);
      const endpoint = found.find((f) => f.subject === "GET /reports/legacy");
      expect(endpoint).toMatchObject({ apiId: shopId, severity: "high", owaspCategory: "API9", kind: "traffic" });
      expect(endpoint?.endpointId).toBeTruthy();
      expect(endpoint?.evidence).toMatchObject({ counts: { status401: 1, served: 1, status404: 0 }, samples: [expect.objectContaining({ status: 401 })] });
      expect(found.find((f) => f.apiId === legacyId)).toMatchObject({ subject: "", endpointId: null, evidence: { lifecycle: "deprecated" } });
      // Outside the 30-day zombie window it is no longer reported.
      expect(await run("zombie", new Date(s.start + 31 * DAY))).toEqual([]);
    });
  });

  describe("shadow endpoint and shadow API", () => {
    it("404-only traffic is neither", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/internal/debug/5", status: 404, ip: "198.51.100.4" },
        { time: s.start, host: "ghost.example.net", path: "/api/things/1", status: 404, ip: "198.51.100.4" },
      ]);
      expect(await run("shadow-endpoint", s.asOf)).toEqual([]);
      expect((await run("shadow-api", s.asOf)).filter((f) => f.subject === "host:ghost.example.net")).toEqual([]);
    });

    it("served undocumented paths are shadow endpoints; a served unknown host is a shadow API", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/internal/debug/5", status: 200, ip: "198.51.100.5" },
        { time: s.start + MIN, host: "shop.example.com", path: "/v1/internal/debug/6", status: 500, ip: "198.51.100.5" },
        { time: s.start, host: "shop.example.com", path: "/v1/orders", status: 200, ip: "198.51.100.5" },
        { time: s.start, host: "ghost.example.net", path: "/api/things/1", status: 200, ip: "198.51.100.6" },
      ]);
      const endpoints = await run("shadow-endpoint", s.asOf);
      expect(endpoints).toHaveLength(1);
      expect(endpoints[0]).toMatchObject({ apiId: shopId, subject: "GET /internal/debug/{id}", severity: "medium", owaspCategory: "API9" });
      // It points at the observed-only endpoint record of its template.
      const observed = await db.prisma.endpoint.findUniqueOrThrow({ where: { id: endpoints[0]!.endpointId! } });
      expect(observed).toMatchObject({ apiId: shopId, method: "GET", path: "/internal/debug/{id}", documented: false, observed: true });
      // Clients per endpoint are not stored: those seen in the endpoint's samples.
      expect(endpoints[0]?.evidence).toMatchObject({ counts: { requests: 2, served: 2, sampledClients: 1 }, topClient: "198.51.100.5" });
      const apis = (await run("shadow-api", s.asOf)).filter((f) => f.subject === "host:ghost.example.net");
      expect(apis).toHaveLength(1);
      // The host became an Api known only from traffic, and the finding points at it.
      const ghost = await db.prisma.api.findFirstOrThrow({ where: { host: "ghost.example.net" } });
      expect(ghost).toMatchObject({ discoveredFromTraffic: true, ownerTeamId: null, lifecycle: null, sourceFormats: [] });
      expect(apis[0]).toMatchObject({ apiId: ghost.id, severity: "high", evidence: { host: "ghost.example.net", counts: { served: 1, clients: 1 } } });
      // Evaluated for a list of Apis, only those Apis' shadow findings.
      const scoped = (apiIds: string[]) => rule("shadow-api").evaluate({ tx: db.prisma, asOf: s.asOf, apiIds, settings: { ...DEFAULT_RULE_SETTINGS } });
      expect(await scoped([shopId])).toEqual([]);
      expect((await scoped([ghost.id])).map((f) => f.apiId)).toEqual([ghost.id]);
      // Its paths are observed-only endpoints, but not shadow endpoints (the shadow API covers them).
      expect(await db.prisma.endpoint.findMany({ where: { apiId: ghost.id }, select: { method: true, path: true, documented: true } })).toEqual([
        { method: "GET", path: "/api/things/{id}", documented: false },
      ]);
      expect(endpoints.some((f) => f.apiId === ghost.id)).toBe(false);
    });
  });

  it("unused-endpoint: documented production endpoints without traffic in 30 days, when the Api has traffic", async () => {
    const s = slot();
    const asOf = new Date(s.start + 31 * DAY);
    await kong([
      { time: asOf.getTime() - 29 * DAY, host: "shop.example.com", path: "/v1/catalog", ip: "198.51.100.7" }, // just inside: used
      { time: asOf.getTime() - 31 * DAY, host: "shop.example.com", path: "/v1/health", ip: "198.51.100.7" }, // just outside: unused
    ]);
    const found = await run("unused-endpoint", asOf);
    const subjects = found.filter((f) => f.apiId === shopId).map((f) => f.subject);
    expect(subjects).toContain("GET /health");
    expect(subjects).toContain("GET /never-called");
    expect(subjects).not.toContain("GET /catalog");
    expect(subjects).not.toContain("GET /reports/legacy"); // deprecated endpoints are not "unused"
    expect(found.some((f) => f.apiId === legacyId)).toBe(false); // deprecated Api
    expect(found[0]).toMatchObject({ severity: "info", owaspCategory: "API9" });
  });

  describe("unauthenticated-access", () => {
    it("no finding when 2xx responses all went to authenticated clients (or to public endpoints)", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/users/1", status: 200, consumer: "carol" },
        { time: s.start, host: "shop.example.com", path: "/v1/users/2", status: 401, ip: "198.51.100.8" },
        { time: s.start, host: "shop.example.com", path: "/v1/health", status: 200, ip: "198.51.100.8" },
      ]);
      expect(await run("unauthenticated-access", s.asOf)).toEqual([]);
    });

    it("one 2xx without a principal on an auth-required endpoint is a finding (critical with sensitive data)", async () => {
      const s = slot();
      await kong([
        { time: s.start, host: "shop.example.com", path: "/v1/users/3", status: 200, ip: "198.51.100.9" },
        { time: s.start, host: "shop.example.com", path: "/v1/orders", status: 200, ip: "198.51.100.9" },
      ]);
      const found = await run("unauthenticated-access", s.asOf);
      expect(found.map((f) => [f.subject, f.severity]).sort()).toEqual([
        ["GET /orders", "high"],
        ["GET /users/{userId}", "critical"],
      ]);
      expect(found.find((f) => f.subject === "GET /users/{userId}")?.evidence).toMatchObject({
        client: "198.51.100.9",
        counts: { unauthenticated2xx: 1 },
        dataClasses: ["pii"],
        samples: [expect.objectContaining({ path: "/v1/users/3", status: 200 })],
      });
    });
  });

  it("cleartext-transport (posture rule, traffic part) fires on plain-HTTP rollups to a non-local host only", async () => {
    const run2 = (asOf: Date) => postureCleartext.evaluate({ tx: db.prisma, asOf, apiIds: [shopId], settings: { ...DEFAULT_RULE_SETTINGS } });
    const s = slot();
    await kong([
      { time: s.start, host: "localhost:8000", path: "/x", scheme: "http", ip: "10.0.0.1" },
      { time: s.start, host: "shop.example.com", path: "/v1/orders", scheme: "https", consumer: "dave" },
    ]);
    expect(await run2(s.asOf)).toEqual([]);
    const t = slot();
    await kong([{ time: t.start, host: "shop.example.com", path: "/v1/orders", scheme: "http", consumer: "dave" }]);
    const found = await run2(t.asOf);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ apiId: shopId, severity: "high", owaspCategory: "API8" });
  });

  describe("object-enumeration", () => {
    const ids = (k: number, start: number, client: string) =>
      times(k, start, 1000, (i, time) => ({ time, host: "shop.example.com", path: `/v1/users/${5000 + i}`, consumer: client, status: i % 2 ? 404 : 200 }));

    it("99 distinct values in an hour is below the threshold (even with 30 more in the next hour)", async () => {
      const s = slot();
      await kong([...ids(99, s.start, "enum-a"), ...ids(30, s.start + 3_600_000, "enum-a")]);
      expect(await run("object-enumeration", s.asOf)).toEqual([]);
    });

    it("100 distinct values of one path parameter within an hour is a BOLA signal", async () => {
      const s = slot();
      await kong(ids(100, s.start, "enum-b"));
      const found = await run("object-enumeration", s.asOf);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ apiId: shopId, severity: "high", owaspCategory: "API1", subject: "enum-b GET /users/{userId} {userId}" });
      expect(found[0]?.endpointId).toBeTruthy();
      // Requests are counted per endpoint × hour (all clients), not per client.
      expect(found[0]?.evidence).toMatchObject({ client: "enum-b", parameter: "userId", counts: { distinctValues: 100, endpointRequests: 100, endpointStatus2xx: 50, endpointStatus4xx: 50 } });
      expect((found[0]?.evidence as { samples: unknown[] }).samples).toHaveLength(20);
    });
  });

  describe("credential-stuffing", () => {
    const fails = (k: number, time: number, ip: string): GenEvent[] =>
      times(k, time, 100, (_, t) => ({ time: t, method: "POST", host: "shop.example.com", path: "/v1/auth/login", status: 401, ip }));

    it("19 failures in 10 minutes (and one more just outside) is below the threshold", async () => {
      const s = slot();
      await kong([...fails(19, s.start, "203.0.113.50"), ...fails(1, s.start + 10 * MIN, "203.0.113.50")]);
      expect(await run("credential-stuffing", s.asOf)).toEqual([]);
    });

    it("20 failures within 10 minutes to one client on a login endpoint", async () => {
      const s = slot();
      await kong([...fails(19, s.start, "203.0.113.51"), ...fails(1, s.start + 9 * MIN, "203.0.113.51")]);
      const found = await run("credential-stuffing", s.asOf);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ apiId: shopId, severity: "high", owaspCategory: "API2", subject: "203.0.113.51 POST /auth/login" });
      expect(found[0]?.evidence).toMatchObject({ client: "203.0.113.51", counts: { failuresInWindow: 20 } });
      const shown = (found[0]?.evidence as { samples: Record<string, unknown>[] }).samples;
      expect(shown).toHaveLength(20);
      expect(shown.every((e) => e.status === 401 && e.client === "203.0.113.51" && e.path === "/v1/auth/login")).toBe(true);
      expect(shown.some((e) => "scope" in e || "template" in e)).toBe(false);
    });
  });

  describe("missing-rate-limit", () => {
    const burst = (start: number, minutes: number, perMinute: number, client: string, extra: Partial<GenEvent> = {}): GenEvent[] =>
      Array.from({ length: minutes }, (_, m) =>
        times(perMinute, start + m * MIN, Math.floor(MIN / perMinute), (_i, time) => ({ time, path: "/v1/orders", consumer: client, ...extra })),
      ).flat();

    it("601/min for only 2 minutes, or 600/min for 3, is not sustained", async () => {
      const s = slot();
      await nginx([...burst(s.start, 2, 601, "rl-a"), ...burst(s.start + DAY, 3, 600, "rl-b")]);
      expect(await run("missing-rate-limit", s.asOf)).toEqual([]);
    });

    it("601/min for 3 consecutive minutes without any rate limit is a finding", async () => {
      const s = slot();
      await nginx(burst(s.start, 3, 601, "rl-c"));
      const found = await run("missing-rate-limit", s.asOf);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ apiId: shopId, severity: "medium", owaspCategory: "API4", subject: "rl-c GET /orders" });
      expect(found[0]?.evidence).toMatchObject({ client: "rl-c", counts: { consecutiveMinutes: 3, requests: 1803, peakPerMinute: 601 } });
    });

    it("a 429 returned to anyone on the endpoint in the window means a rate limit is configured", async () => {
      const s = slot();
      await nginx([...burst(s.start, 3, 601, "rl-d"), { time: s.start + 2 * DAY, path: "/v1/orders", consumer: "someone-else", status: 429 }]);
      expect(await run("missing-rate-limit", s.asOf)).toEqual([]);
    });

    it("a client that received 429s during its burst has a rate limit", async () => {
      const s = slot();
      await nginx([...burst(s.start, 3, 601, "rl-f"), { time: s.start + MIN + 30_000, path: "/v1/orders", consumer: "rl-f", status: 429 }]);
      expect(await run("missing-rate-limit", s.asOf)).toEqual([]);
    });

    it("RateLimit-* response headers mean a rate limit is configured", async () => {
      const s = slot();
      await kong([
        ...burst(s.start, 3, 601, "rl-e", { host: "shop.example.com" }),
        { time: s.start + DAY, host: "shop.example.com", path: "/v1/orders", consumer: "rl-x", rateLimitHeaders: true },
      ]);
      expect(await run("missing-rate-limit", s.asOf)).toEqual([]);
    });
  });

  describe("exfiltration-anomaly", () => {
    const day = (start: number, d: number, bytes: number, client: string): GenEvent => ({ time: start + d * DAY + 3_600_000, path: "/v1/orders", consumer: client, bytes });

    it("needs at least 3 baseline days", async () => {
      const s = slot();
      await nginx([day(s.start, 0, 1_000_000, "ex-a"), day(s.start, 1, 1_000_000, "ex-a"), day(s.start, 5, 50_000_000, "ex-a")]);
      expect(await run("exfiltration-anomaly", s.asOf)).toEqual([]);
    });

    it("bytes must exceed 10× the median and 10 MB", async () => {
      const s = slot();
      // 3 baseline days, median 1.05 MB: 10.5 MB is not above 10×; 0.9 MB baseline with 9.5 MB is not above 10 MB.
      await nginx([
        day(s.start, 0, 1_000_000, "ex-b"),
        day(s.start, 1, 1_050_000, "ex-b"),
        day(s.start, 2, 1_100_000, "ex-b"),
        day(s.start, 3, 10_500_000, "ex-b"),
        day(s.start, 0, 900_000, "ex-c"),
        day(s.start, 1, 900_000, "ex-c"),
        day(s.start, 2, 900_000, "ex-c"),
        day(s.start, 3, 9_500_000, "ex-c"),
      ]);
      expect(await run("exfiltration-anomaly", s.asOf)).toEqual([]);
    });

    it("a day above 10× the median of ≥3 previous traffic days and above 10 MB is an anomaly", async () => {
      const s = slot();
      await nginx([
        day(s.start, 0, 1_000_000, "ex-d"),
        day(s.start, 2, 1_050_000, "ex-d"),
        day(s.start, 4, 1_100_000, "ex-d"),
        day(s.start, 6, 10_500_001, "ex-d"),
      ]);
      const found = await run("exfiltration-anomaly", s.asOf);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ apiId: shopId, subject: "ex-d", severity: "high", owaspCategory: "API3" });
      expect(found[0]?.evidence).toMatchObject({ client: "ex-d", counts: { bytes: 10_500_001, baselineMedianBytes: 1_050_000, baselineDays: 3 } });
    });
  });

  it("loadSamples: a key's events only — its client, Api and endpoint — from client × day and endpoint × hour samples", async () => {
    const s = slot();
    await kong([
      { time: s.start, host: "shop.example.com", path: "/v1/orders", status: 401, ip: "198.51.100.90" },
      { time: s.start + 1000, host: "shop.example.com", path: "/v1/catalog", status: 200, ip: "198.51.100.90" },
      { time: s.start + 2000, host: "legacy.example.com", path: "/items/1", status: 200, ip: "198.51.100.90" },
      { time: s.start + 3000, host: "shop.example.com", path: "/v1/orders", status: 500, ip: "198.51.100.91" },
    ]);
    const window = { from: new Date(s.start), to: s.asOf };
    const [client, clientOnEndpoint, legacy, endpoint, other] = await loadSamples(db.prisma, [
      { scopeKey: shopId, clientKey: "198.51.100.90", window },
      { scopeKey: shopId, method: "GET", pathTemplate: "/orders", clientKey: "198.51.100.90", window },
      { scopeKey: legacyId, window },
      { scopeKey: shopId, method: "GET", pathTemplate: "/orders", window },
      { scopeKey: shopId, method: "POST", pathTemplate: "/orders", clientKey: "198.51.100.90", window },
    ]);
    const brief = (list: Record<string, unknown>[] | undefined) => (list ?? []).map((e) => `${e.client} ${e.path} ${e.status}`);
    expect(brief(client)).toEqual(["198.51.100.90 /v1/orders 401", "198.51.100.90 /v1/catalog 200"]);
    expect(brief(clientOnEndpoint)).toEqual(["198.51.100.90 /v1/orders 401"]);
    expect(brief(legacy)).toEqual(["198.51.100.90 /items/1 200"]);
    expect(brief(endpoint)).toEqual(["198.51.100.90 /v1/orders 401", "198.51.100.91 /v1/orders 500"]);
    expect(other).toEqual([]);
  });

  it("loadSamples: client × day rows (stored at the day's start) are found by a window that starts in the middle of their day", async () => {
    const s = slot();
    const at = s.start + 13.5 * 3_600_000;
    const event = (status: number, dt: number) => ({ time: new Date(at + dt).toISOString(), client: "198.51.100.92", method: "GET", path: "/items/9", status, scope: legacyId, template: "/items/{id}" });
    await db.prisma.trafficSample.create({
      data: { scopeKey: "*", method: "*", pathTemplate: "*", clientKey: "198.51.100.92", hourStart: new Date(s.start), events: [event(200, 0), event(403, 1000)], ingestRunId: "t" },
    });
    const window = { from: new Date(at - 60_000), to: new Date(at + 60_000) };
    const [all, denied] = await loadSamples(db.prisma, [
      { scopeKey: legacyId, clientKey: "198.51.100.92", window },
      { scopeKey: legacyId, clientKey: "198.51.100.92", window, keep: (e) => e.status === 403 },
    ]);
    expect((all ?? []).map((e) => e.status)).toEqual([200, 403]);
    expect(denied).toEqual([expect.objectContaining({ status: 403, client: "198.51.100.92", path: "/items/9" })]);
    expect(denied?.[0]).not.toHaveProperty("scope");
  });

  describe("error-leakage", () => {
    const reqs = (start: number, total: number, errors: number, path: string): GenEvent[] =>
      times(total, start, 1000, (i, time) => ({ time, path, consumer: "el", status: i < errors ? 500 : 200 }));

    it("needs ≥100 requests and strictly more than 5 % 5xx", async () => {
      const s = slot();
      await nginx([...reqs(s.start, 99, 10, "/v1/orders"), ...reqs(s.start + DAY, 100, 5, "/v1/catalog")]);
      expect(await run("error-leakage", s.asOf)).toEqual([]);
    });

    it("6 5xx of 100 requests on an endpoint in a day", async () => {
      const s = slot();
      await nginx(reqs(s.start, 100, 6, "/v1/orders"));
      const found = await run("error-leakage", s.asOf);
      expect(found).toHaveLength(1);
      expect(found[0]).toMatchObject({ apiId: shopId, subject: "GET /orders", severity: "low", owaspCategory: "API8" });
      expect(found[0]?.evidence).toMatchObject({ counts: { requests: 100, status5xx: 6 } });
    });
  });
});
