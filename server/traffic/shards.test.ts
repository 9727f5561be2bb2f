// A large log read by shard workers (shards.ts) must store exactly what the single-threaded reader stores: the same
// rollup rows, hot minutes and enumeration keys (also those cut by a shard border), samples, counts, line errors with
// their file line numbers, and warnings.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { ingest } from "@/server/ingest/pipeline";
import { fileSource } from "@/server/ingest/source";
import { TEST_DATABASES } from "@/server/test/databases";
import { canReadInShards, shardRanges, shardSettings } from "./shards";
import { ingestInventory, kongLine } from "./test-helpers";
import { logLines, outcome, sameSalt, stored, T0 } from "./test-rollups";

const system = { type: "system" as const };
const defaults = { ...shardSettings };

describe.each(TEST_DATABASES)("a large log read in shards on $name", (kind) => {
  let single: Database;
  let sharded: Database;
  let dir: string;
  beforeAll(async () => {
    [single, sharded] = await Promise.all([kind.open(), kind.open()]);
    await ingestInventory(single.prisma);
    await ingestInventory(sharded.prisma);
    await sameSalt(single, sharded);
    dir = await mkdtemp(path.join(tmpdir(), "postern-shards-"));
  });
  afterEach(() => {
    Object.assign(shardSettings, defaults);
    delete process.env.POSTERN_PARSE_WORKER;
  });
  afterAll(async () => {
    await single?.close();
    await sharded?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores what the single-threaded reader stores, also for minutes and parameter hours cut by a shard border", async () => {
    const file = path.join(dir, "kong.log");
    const text = `\ufeff${logLines().join("\r\n")}\r\n`;
    await writeFile(file, text);
    const size = Buffer.byteLength(text);

    process.env.POSTERN_PARSE_WORKER = "off";
    expect(canReadInShards(await fileSource(file), "kong-log")).toBe(false);
    const one = await ingest(single.prisma, { file: await fileSource(file), channel: "cli", actor: system, correlate: false });
    delete process.env.POSTERN_PARSE_WORKER;

    Object.assign(shardSettings, { minBytes: 1, minShardBytes: 1, maxShards: 3 });
    expect(canReadInShards(await fileSource(file), "kong-log")).toBe(true);
    const ranges = await shardRanges(file, size, 3);
    expect(ranges).toHaveLength(3);
    const three = await ingest(sharded.prisma, { file: await fileSource(file), channel: "cli", actor: system, correlate: false });

    expect(one.status).toBe("succeeded");
    expect(outcome(three)).toEqual(outcome(one));
    expect(one.lineErrors.map((e) => e.line)).toEqual([3, 701, 1_504, 2_303]);
    const a = (await stored(single, one.runId)) as { minutes: { clientKey: string }[]; params: { clientKey: string }[] };
    // The hot client's minutes and the enumeration key exist only when counted whole.
    expect(a.minutes.filter((m) => m.clientKey === "hammer").length).toBeGreaterThanOrEqual(6);
    expect(a.params.filter((p) => p.clientKey === "198.51.100.7")).toHaveLength(1);
    expect(await stored(sharded, three.runId)).toEqual(a);
  });

  it("cuts a file only at line starts, and never into more shards than lines allow", async () => {
    const file = path.join(dir, "cuts.log");
    const text = `${"a".repeat(10)}\n${"b".repeat(100)}\nc\n`;
    await writeFile(file, text);
    const ranges = await shardRanges(file, text.length, 4);
    for (const [start] of ranges) expect(start === 0 || text[start - 1] === "\n").toBe(true);
    expect(ranges.at(-1)?.[1]).toBe(text.length);
    expect(ranges.map(([s, e]) => text.slice(s, e)).join("")).toBe(text);
  });

  it("rejects a file of another format from the first shard, with nothing written", async () => {
    const file = path.join(dir, "other.log");
    await writeFile(file, `${Array.from({ length: 3_000 }, (_, i) => `not a log line ${i} ${"x".repeat(80)}`).join("\n")}\n`);
    Object.assign(shardSettings, { minBytes: 1, minShardBytes: 1, maxShards: 3 });
    const r = await ingest(sharded.prisma, { file: await fileSource(file), channel: "cli", actor: system, options: { format: "kong-log" }, correlate: false });
    expect(r.status).toBe("failed");
    expect(r.message).toMatch(/^not a Kong file-log\/http-log log: none of the first 20 lines parse \(line 1:.*nothing was written$/);
    expect(await sharded.prisma.trafficEndpointHour.count({ where: { ingestRunId: r.runId } })).toBe(0);
  });

  it("stops every shard when the ingest is cancelled, and writes nothing", async () => {
    const file = path.join(dir, "cancel.log");
    const lines = Array.from({ length: 20_000 }, (_, i) => kongLine({ time: T0 + i, host: "shop.example.com", path: `/v1/orders`, ip: "198.51.100.9" }));
    await writeFile(file, `${lines.join("\n")}\n`);
    Object.assign(shardSettings, { minBytes: 1, minShardBytes: 1, maxShards: 2 });
    const controller = new AbortController();
    const r = await ingest(sharded.prisma, {
      file: await fileSource(file),
      channel: "cli",
      actor: system,
      correlate: false,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(r.status).toBe("cancelled");
    expect(await sharded.prisma.trafficClientDay.count({ where: { ingestRunId: r.runId } })).toBe(0);
  });
});
