// The worker-thread path (parallel.ts) must give exactly what the single-threaded path gives: the same events in
// the same order, the same bad lines with the same numbers, the same skip warnings and the same format rejection.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { kongLine, nginxLine } from "@/server/traffic/test-helpers";
import { ParseError, type TrafficEvent } from "../../contract";
import { bufferSource } from "../../source";
import { parseAll } from "../../test-utils";
import { trafficParsers } from "./index";
import { PARALLEL_MIN_BYTES, shouldParseInWorker } from "./parallel";

const parserOf = (id: string) => trafficParsers.find((p) => p.id === id)!;

async function bothWays(id: string, text: string) {
  const parser = parserOf(id);
  const file = bufferSource(text, "big.log");
  expect(shouldParseInWorker(file, id)).toBe(true);
  const parallel = await parseAll(parser, file);
  process.env.POSTERN_PARSE_WORKER = "off";
  expect(shouldParseInWorker(file, id)).toBe(false);
  const single = await parseAll(parser, bufferSource(text, "big.log"));
  delete process.env.POSTERN_PARSE_WORKER;
  return { parallel, single };
}

/** Enough lines of `make(i)` to pass the worker threshold. */
function bigLog(make: (i: number) => string): string[] {
  const lines: string[] = [];
  let bytes = 0;
  for (let i = 0; bytes < PARALLEL_MIN_BYTES + 1e6; i++) {
    const line = make(i);
    lines.push(line);
    bytes += line.length + 1;
  }
  return lines;
}

describe("gateway logs parsed on a worker thread", () => {
  afterEach(() => {
    delete process.env.POSTERN_PARSE_WORKER;
  });

  it("Kong JSON with a BOM, CRLF, bad lines and a last line without newline: identical to the single-threaded parse", async () => {
    const lines = bigLog((i) => kongLine({ time: 1_740_000_000_000 + i, host: "shop.example.com", path: `/v1/users/${i}`, status: i % 7 === 0 ? 404 : 200, consumer: `c${i % 13}` }));
    lines.splice(3, 0, "{not json");
    lines.splice(3000, 0, '{"request": 1}', "");
    lines.splice(lines.length - 2, 0, "garbage at the end");
    const text = `\ufeff${lines.join("\r\n")}`;
    const { parallel, single } = await bothWays("kong-log", text);
    expect(parallel.records.length).toBeGreaterThan(4000);
    expect(parallel.records).toEqual(single.records);
    expect(parallel.lineErrors).toEqual(single.lineErrors);
    expect(parallel.lineErrors.map((e) => e.line)).toEqual([4, 3001, lines.indexOf("garbage at the end") + 1]);
    expect(parallel.warnings).toEqual(single.warnings);
  });

  it("NGINX text with skipped lines: same events and skip warnings", async () => {
    const lines = bigLog((i) => nginxLine({ time: 1_740_000_000_000 + i * 1000, path: `/v1/orders/${i}`, ip: `198.51.100.${i % 200}` }));
    lines.splice(10, 0, '203.0.113.9 - - [03/Mar/2025:10:00:00 +0000] "-" 400 0 "-" "-"');
    const { parallel, single } = await bothWays("nginx", `${lines.join("\n")}\n`);
    expect(parallel.records).toEqual(single.records);
    expect(parallel.warnings).toEqual(single.warnings);
    expect(parallel.lineErrors).toEqual(single.lineErrors);
  });

  it("rejects a large file of another format before yielding anything, as the single-threaded path does", async () => {
    const text = `${bigLog((i) => `not a log line ${i} ${"x".repeat(200)}`).join("\n")}\n`;
    const parser = parserOf("kong-log");
    const error = await parseAll(parser, bufferSource(text, "other.log")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^not a Kong file-log\/http-log log: none of the first 20 lines parse \(line 1:/);
  });

  it("runs the persister's event stage on each event, and fails the read with the worker's message when it throws", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "postern-stage-"));
    try {
      // A stage that numbers events, and throws at the event its data names.
      const stageFile = path.join(dir, "stage.mjs");
      await writeFile(stageFile, "export function createEventStage(failAt) { let n = 0; return (e) => { if (++n === failAt) throw new Error(`stage gave up at ${n}`); e.n = n; }; }\n");
      const lines = bigLog((i) => kongLine({ time: 1_740_000_000_000 + i, host: "a.example.com", path: `/x/${i}` }));
      const text = `${lines.join("\n")}\n`;
      const parser = parserOf("kong-log");
      const read = async (failAt: number) => {
        const ctx = { options: {}, warn: () => undefined, lineError: () => undefined, eventStage: { module: pathToFileURL(stageFile).href, data: failAt } };
        const out: (TrafficEvent & { n?: number })[] = [];
        for await (const e of parser.parse(bufferSource(text, "s.log"), ctx)) out.push(e);
        return out;
      };
      const events = await read(0);
      expect(events).toHaveLength(lines.length);
      expect(events.every((e, i) => e.n === i + 1)).toBe(true);
      await expect(read(2_000)).rejects.toThrow(/^log parser worker: stage gave up at 2000$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("stops when the ingest is cancelled", async () => {
    const text = `${bigLog((i) => kongLine({ time: 1_740_000_000_000 + i, host: "a.example.com", path: `/x/${i}` })).join("\n")}\n`;
    const controller = new AbortController();
    const parser = parserOf("kong-log");
    let seen = 0;
    const ctx = { options: {}, warn: () => undefined, lineError: () => undefined, signal: controller.signal };
    const run = async () => {
      for await (const _event of parser.parse(bufferSource(text, "c.log"), ctx)) {
        if (++seen === 1000) controller.abort();
      }
    };
    await expect(run()).rejects.toThrow();
    expect(seen).toBeLessThan(20_000);
  });
});
