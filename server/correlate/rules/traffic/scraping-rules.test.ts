/**
 * Scraping that stays under the radar (issue 17): object-enumeration through query parameters, slow-enumeration over a
 * UTC day and several days, new-client-harvesting. Rollups are built by ingesting generated Kong / NGINX lines through
 * the pipeline into a "People API" whose search endpoint declares `?phone`. Each scenario has its own 40-day slot and
 * is evaluated as of its end; thresholds are tested at and just under, for each window and parameter kind (path,
 * declared query, inferred query), with the negative controls the issue names.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { type GenEvent, ingestText, kongLog, nginxLog } from "@/server/traffic/test-helpers";
import type { DerivedFinding } from "../../rule";
import { DEFAULT_RULE_SETTINGS } from "../../settings";
import { trafficRules } from "./index";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const EPOCH = Date.UTC(2025, 6, 1);
let slotNo = 0;
function slot() {
  const start = EPOCH + slotNo++ * 40 * DAY;
  return { start, asOf: new Date(start + 10 * DAY) };
}

const PEOPLE_SPEC = JSON.stringify({
  openapi: "3.0.3",
  info: { title: "People API", version: "1.0.0", "x-lifecycle": "production" },
  servers: [{ url: "https://people.example.com" }],
  paths: {
    "/people/search": {
      get: {
        summary: "Look a person up",
        parameters: [
          { name: "phone", in: "query", schema: { type: "string" } },
          { name: "q", in: "query", schema: { type: "string" } },
          { name: "page", in: "query", schema: { type: "integer" } },
        ],
        responses: { "200": { description: "ok" } },
      },
    },
    "/people/{personId}": {
      get: { summary: "A person", parameters: [{ name: "personId", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } },
    },
    "/listings": { get: { summary: "Listings", responses: { "200": { description: "ok" } } } },
  },
});

const phone = (i: number) => `+4479${String(i).padStart(8, "0")}`;
/** `k` requests from `client`, one per `step` ms from `start`, the i-th asking for `path(i)`. */
const walk = (k: number, start: number, step: number, client: string, path: (i: number) => string, bytes = 800): GenEvent[] =>
  Array.from({ length: k }, (_, i) => ({ time: start + i * step, host: "people.example.com", path: path(i), consumer: client, bytes }));
const byTime = (events: GenEvent[]) => [...events].sort((a, b) => a.time - b.time);

describe.each(TEST_DATABASES)("scraping rules on $name", (kind) => {
  let db: Database;
  let peopleId = "";
  let n = 0;
  beforeAll(async () => {
    db = await kind.open();
    const r = await ingestText(db.prisma, PEOPLE_SPEC, "people.json");
    expect(r.status).toBe("succeeded");
    peopleId = (await db.prisma.api.findUniqueOrThrow({ where: { slug: "people-api" } })).id;
  });
  afterAll(async () => {
    await db?.close();
  });

  async function kong(events: GenEvent[]) {
    const r = await ingestText(db.prisma, kongLog(byTime(events)), `s${n++}.jsonl`);
    expect(r.message).toBeNull();
    expect(r.status).toBe("succeeded");
  }
  async function nginx(events: GenEvent[]) {
    const r = await ingestText(db.prisma, nginxLog(byTime(events)), `s${n++}.log`, { api: "people-api" });
    expect(r.message).toBeNull();
    expect(r.status).toBe("succeeded");
  }
  async function run(id: string, asOf: Date): Promise<DerivedFinding[]> {
    const rule = trafficRules.find((x) => x.id === id);
    if (!rule) throw new Error(`no rule ${id}`);
    return rule.evaluate({ tx: db.prisma, asOf, apiIds: null, settings: { ...DEFAULT_RULE_SETTINGS } });
  }
  const clients = (found: DerivedFinding[]) => found.map((f) => (f.evidence as { client: string }).client).sort();

  it("registers slow-enumeration (API6) and new-client-harvesting (API3) as traffic rules", () => {
    expect(trafficRules.map((r) => r.id)).toEqual(expect.arrayContaining(["slow-enumeration", "new-client-harvesting"]));
  });

  it("object-enumeration: 100 distinct values of a declared or an inferred query parameter within an hour, not 99", async () => {
    const s = slot();
    const step = 30_000;
    await kong([
      ...walk(100, s.start, step, "q-declared-100", (i) => `/people/search?phone=${encodeURIComponent(phone(i))}&page=1`),
      ...walk(99, s.start, step, "q-declared-99", (i) => `/people/search?phone=${phone(i)}`),
      ...walk(100, s.start, step, "q-inferred-100", (i) => `/listings?customer=${7000 + i}&sort=name`),
      ...walk(99, s.start, step, "q-inferred-99", (i) => `/listings?customer=${7000 + i}`),
    ]);
    const found = await run("object-enumeration", s.asOf);
    expect(clients(found)).toEqual(["q-declared-100", "q-inferred-100"]);
    const declared = found.find((f) => f.subject.startsWith("q-declared-100"));
    expect(declared).toMatchObject({ apiId: peopleId, severity: "high", owaspCategory: "API1", subject: "q-declared-100 GET /people/search ?phone" });
    expect(declared?.endpointId).toBeTruthy();
    expect(declared?.evidence).toMatchObject({ parameter: "phone", parameterIn: "query", parameterKind: "declared", windowKind: "hour", counts: { distinctValues: 100 } });
    const inferred = found.find((f) => f.subject.startsWith("q-inferred-100"));
    expect(inferred?.evidence).toMatchObject({ parameter: "customer", parameterIn: "query", parameterKind: "inferred", counts: { distinctValues: 100 } });
    // Evidence shows phone numbers redacted, never whole.
    const json = JSON.stringify(declared?.evidence);
    expect(json).toContain("+44••••••••");
    expect(json).not.toContain(phone(5));
    expect((declared?.evidence as { samples: unknown[] }).samples.length).toBeGreaterThan(0);
    // The hour is over the hourly threshold: not a slow enumeration.
    expect(await run("slow-enumeration", s.asOf)).toEqual([]);
  });

  it("slow-enumeration in a UTC day: 1,000 distinct values under 100 an hour, not 999 — path, declared and inferred query parameters", async () => {
    const s = slot();
    // 40 s apart: 90 an hour, 1,000 over about 11 hours of one UTC day.
    const step = 40_000;
    const t = s.start + HOUR;
    await kong([
      ...walk(1000, t, step, "d-path-1000", (i) => `/people/p${100000 + i}x`),
      ...walk(999, t, step, "d-path-999", (i) => `/people/p${100000 + i}x`),
      ...walk(1000, t, step, "d-declared-1000", (i) => `/people/search?phone=${encodeURIComponent(phone(i))}`),
      ...walk(999, t, step, "d-declared-999", (i) => `/people/search?phone=${encodeURIComponent(phone(i))}`),
      ...walk(1000, t, step, "d-inferred-1000", (i) => `/listings?email=user${i}%40example.com`),
      ...walk(999, t, step, "d-inferred-999", (i) => `/listings?email=user${i}%40example.com`),
    ]);
    expect(await run("object-enumeration", s.asOf)).toEqual([]);
    const found = await run("slow-enumeration", s.asOf);
    expect(clients(found)).toEqual(["d-declared-1000", "d-inferred-1000", "d-path-1000"]);
    for (const f of found) {
      expect(f).toMatchObject({ apiId: peopleId, severity: "high", owaspCategory: "API6", kind: "traffic" });
      expect(f.evidence).toMatchObject({ windowKind: "UTC day", counts: { distinctValues: 1000, distinctExact: "exact", threshold: 1000, bytesServed: 800_000, requests: 1000 } });
      expect((f.evidence as { samples: unknown[] }).samples.length).toBeLessThanOrEqual(20);
    }
    expect(found.find((f) => f.subject.startsWith("d-path"))?.evidence).toMatchObject({ parameter: "personId", parameterIn: "path", parameterKind: "path" });
    expect(found.find((f) => f.subject.startsWith("d-declared"))?.evidence).toMatchObject({ parameter: "phone", parameterIn: "query", parameterKind: "declared" });
    const inferred = found.find((f) => f.subject.startsWith("d-inferred"));
    expect(inferred?.evidence).toMatchObject({ parameter: "email", parameterIn: "query", parameterKind: "inferred" });
    expect(JSON.stringify(inferred?.evidence)).not.toContain("user12@example.com");
    // Stored as hashes: no raw value in the day rows.
    const rows = await db.prisma.trafficParamDay.findMany({ where: { clientKey: "d-declared-1000" } });
    expect(rows).toHaveLength(1);
    expect(rows[0]?.valueHashes).toHaveLength(1000);
    expect(rows[0]?.sketch).toBeNull();
  });

  it("slow-enumeration over 7 days: 5,000 distinct values with every day under 1,000, not 4,999", async () => {
    const s = slot();
    const events: GenEvent[] = [];
    // 6 days of 834 (the last 829 or 830) distinct phone numbers each, 40 s apart.
    for (const [client, total] of [["w-5000", 5000], ["w-4999", 4999]] as const) {
      for (let d = 0; d < 6; d++) {
        const from = d * 834;
        const to = Math.min(total, from + 834);
        events.push(...walk(to - from, s.start + d * DAY + HOUR, 40_000, client, (i) => `/people/search?phone=${encodeURIComponent(phone(from + i))}`));
      }
      // Repeated values do not count twice.
      events.push(...walk(50, s.start + 6 * DAY + HOUR, 40_000, client, (i) => `/people/search?phone=${encodeURIComponent(phone(i))}`));
    }
    await kong(events);
    const found = await run("slow-enumeration", s.asOf);
    expect(clients(found)).toEqual(["w-5000"]);
    expect(found[0]?.evidence).toMatchObject({ windowKind: "7 days", parameter: "phone", counts: { distinctValues: 5000, distinctExact: "exact", threshold: 5000 } });
  });

  it("slow-enumeration: a day with an hour over the hourly threshold is object-enumeration's, not a slow walk", async () => {
    const s = slot();
    await kong([...walk(150, s.start, 10_000, "fast", (i) => `/people/p${i}x`), ...walk(900, s.start + 2 * HOUR, 40_000, "fast", (i) => `/people/p${1000 + i}x`)]);
    expect(clients(await run("object-enumeration", s.asOf))).toEqual(["fast"]);
    expect(await run("slow-enumeration", s.asOf)).toEqual([]);
  });

  it("negative controls: paging through a list with ?page=1..500, and a search box used by many clients with a few values each", async () => {
    const s = slot();
    const events: GenEvent[] = [...walk(500, s.start, 5_000, "pager", (i) => `/listings?page=${i + 1}&limit=50`)];
    events.push(...walk(500, s.start, 5_000, "pager-declared", (i) => `/people/search?page=${i + 1}&q=smith`));
    const words = ["shoes", "red shoes", "boots", "hats", "scarf", "gloves"];
    for (let c = 0; c < 400; c++) {
      events.push(...walk(3, s.start + c * 60_000, 7_000, `shopper-${c}`, (i) => `/people/search?q=${encodeURIComponent(words[(c + i) % words.length] ?? "x")}&phone=${encodeURIComponent(phone(c * 3 + i))}`));
    }
    await kong(events);
    expect(await run("object-enumeration", s.asOf)).toEqual([]);
    expect(await run("slow-enumeration", s.asOf)).toEqual([]);
  });

  describe("new-client-harvesting", () => {
    const day = (start: number, d: number, bytes: number, client: string): GenEvent => ({ time: start + d * DAY + HOUR, path: "/people/search", consumer: client, bytes });
    const peers = (start: number, d: number, k: number, bytes: number) => Array.from({ length: k }, (_, i) => day(start, d, bytes, `peer-${i}`));

    it("a client with no history over 20× the day's median of ≥ 5 other clients and over 50 MB, not at 20× or 50 MB or with 4 peers", async () => {
      const s = slot();
      await nginx([
        ...peers(s.start, 3, 5, 1_000_000),
        day(s.start, 3, 50_000_001, "harvester"),
        day(s.start, 3, 50_000_000, "at-50mb"),
        ...peers(s.start, 5, 5, 3_000_000),
        day(s.start, 5, 60_000_000, "at-20x"),
        ...peers(s.start, 7, 4, 1_000_000),
        day(s.start, 7, 90_000_000, "four-peers"),
      ]);
      const found = await run("new-client-harvesting", s.asOf);
      expect(clients(found)).toEqual(["harvester"]);
      expect(found[0]).toMatchObject({ apiId: peopleId, subject: "harvester", severity: "high", owaspCategory: "API3" });
      // The median is of the day's other clients (the harvester's 50 MB and the 50 MB one not among them both).
      expect(found[0]?.evidence).toMatchObject({ client: "harvester", counts: { bytesServed: 50_000_001, earlierDays: 0, otherClients: 6 } });
      // exfiltration-anomaly cannot see it: the client has no past of its own.
      expect(await run("exfiltration-anomaly", s.asOf)).toEqual([]);
    });

    it("a client with 2 earlier days still counts as new; a batch job with a baseline (3 earlier days) raises neither rule", async () => {
      const s = slot();
      await nginx([
        day(s.start, 0, 1_000, "young"),
        day(s.start, 1, 1_000, "young"),
        day(s.start, 0, 60_000_000, "batch"),
        day(s.start, 1, 60_000_000, "batch"),
        day(s.start, 2, 60_000_000, "batch"),
        ...peers(s.start, 4, 6, 1_000_000),
        day(s.start, 4, 60_000_000, "batch"),
        day(s.start, 4, 60_000_000, "young"),
      ]);
      expect(clients(await run("new-client-harvesting", s.asOf))).toEqual(["young"]);
      expect(await run("exfiltration-anomaly", s.asOf)).toEqual([]);
    });
  });
});
