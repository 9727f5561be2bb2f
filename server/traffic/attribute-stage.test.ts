// A log parsed on the worker thread has its events attributed there (attribute-stage.ts): the attributions rebuilt on
// the ingest thread must be those the Attributor gives in-thread, and the stored rows those of the in-thread reader.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import type { TrafficEvent } from "@/server/domain/records";
import { PARALLEL_MIN_BYTES, shouldParseInWorker } from "@/server/ingest/parsers/traffic/parallel";
import { ingest } from "@/server/ingest/pipeline";
import { fileSource } from "@/server/ingest/source";
import { TEST_DATABASES } from "@/server/test/databases";
import { Attributor } from "./attribute";
import { type AttributedEvent, AttributionShapes, createEventStage, ShapeNumbers } from "./attribute-stage";
import type { TrafficSetup } from "./fold";
import { ingestInventory, kongLine } from "./test-helpers";
import { logLines, outcome, sameSalt, stored, T0 } from "./test-rollups";

const system = { type: "system" as const };

describe("attribution shapes", () => {
  const setup: TrafficSetup = {
    apis: [
      { id: "a1", slug: "shop", name: "Shop", catalogName: null, aliases: [], host: "shop.example.com", basePath: "/v1" },
      { id: "a2", slug: "legacy", name: "Legacy", catalogName: null, aliases: [], host: null, basePath: "/legacy" },
    ],
    endpoints: [
      { id: "e1", apiId: "a1", method: "GET", path: "/users/{userId}", tags: [] },
      { id: "e2", apiId: "a1", method: "POST", path: "/users/{userId}", tags: [] },
      { id: "e3", apiId: "a1", method: "GET", path: "/orders", tags: [] },
    ],
    apiOption: undefined,
    slowEnumerationDayDistinct: 1000,
    valueSalt: "test-salt",
    enumerationDistinctValues: 50,
    rateLimitRequestsPerMinute: 100,
  };
  const event = (method: string, host: string | undefined, p: string): TrafficEvent => ({ time: T0, method, path: p, status: 200, ...(host ? { host } : {}) });
  const events = [
    event("GET", "shop.example.com", "/v1/users/7"),
    event("POST", "shop.example.com", "/v1/users/7"),
    event("GET", "shop.example.com", "/v1/users/8"),
    event("GET", "shop.example.com", "/v1/orders"),
    event("GET", "shop.example.com", "/v1/unknown/123"),
    event("GET", "other.example.net", "/x/5"),
    event("GET", "OTHER.example.net:443", "/x/6"),
    event("GET", undefined, "/legacy/items/42"),
    event("GET", undefined, "/nowhere"),
    event("GET", "shop.example.com", "/v1/orders"),
  ];

  it("rebuild on the ingest thread what the Attributor answers in-thread, each shape sent once", () => {
    const stage = createEventStage(setup);
    const shapes = new AttributionShapes();
    const attributor = new Attributor(setup.apis, setup.endpoints, setup.apiOption);
    // Through a structured clone, as between the threads.
    const sent = events.map((e) => {
      const copy: AttributedEvent = { ...e };
      stage(copy);
      return structuredClone(copy);
    });
    expect(sent.map((e) => shapes.of(e))).toEqual(events.map((e) => attributor.attribute(e)));
    expect(sent.filter((e) => e.atNew !== undefined).length).toBeLessThan(sent.length);
    expect(new Set(sent.map((e) => e.atShape)).size).toBe(sent.filter((e) => e.atNew !== undefined).length);
    // GET and POST of one template are two endpoints: two shapes.
    expect(sent[0]?.atShape).not.toBe(sent[1]?.atShape);
    expect(sent[0]?.atShape).toBe(sent[2]?.atShape);
    expect(shapes.of(sent[2] as AttributedEvent)?.params).toEqual({ userId: "8" });
  });

  it("start over on both sides past their limit, and still rebuild every attribution", () => {
    const attributor = new Attributor(setup.apis, setup.endpoints, setup.apiOption);
    const numbers = new ShapeNumbers(2);
    const shapes = new AttributionShapes();
    const many = [...events, ...events].map((e, i) => ({ ...e, path: `${e.path}/x${i % 7}` }));
    const sent = many.map((e) => {
      const copy: AttributedEvent = { ...e };
      numbers.mark(copy, attributor.attribute(e));
      return structuredClone(copy);
    });
    expect(sent.filter((e) => e.atReset).length).toBeGreaterThan(1);
    expect(Math.max(...sent.map((e) => e.atShape ?? -1))).toBe(1);
    expect(sent.map((e) => shapes.of(e))).toEqual(many.map((e) => attributor.attribute(e)));
  });

  it("are absent from an event parsed in-thread (the fold then attributes it itself)", () => {
    expect(new AttributionShapes().of(events[0] as TrafficEvent)).toBeUndefined();
  });

  it("refuse a shape number that arrives before its shape", () => {
    expect(() => new AttributionShapes().of({ ...(events[0] as TrafficEvent), atShape: 3 })).toThrow(/before its definition/);
  });
});

describe.each(TEST_DATABASES)("a log attributed on the parse worker on $name", (kind) => {
  let inThread: Database;
  let onWorker: Database;
  let dir: string;
  beforeAll(async () => {
    [inThread, onWorker] = await Promise.all([kind.open(), kind.open()]);
    await ingestInventory(inThread.prisma);
    await ingestInventory(onWorker.prisma);
    await sameSalt(inThread, onWorker);
    dir = await mkdtemp(path.join(tmpdir(), "postern-stage-"));
  });
  afterAll(async () => {
    await inThread?.close();
    await onWorker?.close();
    await rm(dir, { recursive: true, force: true });
    delete process.env.POSTERN_PARSE_WORKER;
  });

  it("stores what the in-thread reader stores", async () => {
    const lines = logLines();
    // Past the parse worker's threshold: more traffic three hours later, over matched, inferred and unknown-host paths.
    let bytes = lines.reduce((n, l) => n + l.length + 1, 0);
    for (let i = 0; bytes < PARALLEL_MIN_BYTES + 1_000_000; i++) {
      const k = i % 4;
      const host = k === 3 ? `h${i % 9}.example.net` : "shop.example.com";
      const p = k === 0 ? `/v1/users/u${i % 40}` : k === 1 ? "/v1/orders" : `/v1/things/${i % 300}`;
      const line = kongLine({ time: T0 + 3 * 3_600_000 + i * 10, host, path: p, status: i % 7 ? 200 : 403, ip: `198.51.100.${i % 30}` });
      lines.push(line);
      bytes += line.length + 1;
    }
    const file = path.join(dir, "kong.log");
    await writeFile(file, `${lines.join("\n")}\n`);

    process.env.POSTERN_PARSE_WORKER = "off";
    expect(shouldParseInWorker(await fileSource(file), "kong-log")).toBe(false);
    const one = await ingest(inThread.prisma, { file: await fileSource(file), channel: "cli", actor: system, correlate: false });
    delete process.env.POSTERN_PARSE_WORKER;
    expect(shouldParseInWorker(await fileSource(file), "kong-log")).toBe(true);
    const two = await ingest(onWorker.prisma, { file: await fileSource(file), channel: "cli", actor: system, correlate: false });

    expect(one.status).toBe("succeeded");
    expect(outcome(two)).toEqual(outcome(one));
    expect(await stored(onWorker, two.runId)).toEqual(await stored(inThread, one.runId));
  });
});
