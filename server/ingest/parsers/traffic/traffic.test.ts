// Cross-parser tests: detection over every real sample, wrong-format rejection, bad-line accounting, streaming
// with bounded memory, cancellation, and the shared field helpers.
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ParseError, type ParseContext, type SourceFile } from "../../contract";
import { SAMPLES_DIR, parseAll, sample, textSource } from "../../test-utils";
import { trafficParsers } from "./index";
import { clfTimeToMs, firstHop, isRateLimitHeader, isoTimeToMs, splitTarget, stripPort } from "./common";

const EXPECTED: Record<string, string> = {
  "aws-apigateway-rest-access.log": "aws-apigateway",
  "envoy-default-text-access.log": "envoy-text",
  "envoy-istio-json-access.log": "envoy-json",
  "kong-file-log-3.8-docs-example.jsonl": "kong-log",
  "nginx-combined-beats-access.log": "nginx",
};
const EVENT_COUNTS: Record<string, number> = {
  "aws-apigateway-rest-access.log": 5,
  "envoy-default-text-access.log": 5,
  "envoy-istio-json-access.log": 2,
  "kong-file-log-3.8-docs-example.jsonl": 1,
  "nginx-combined-beats-access.log": 13,
};

const allSamples = readdirSync(SAMPLES_DIR)
  .filter((d) => statSync(path.join(SAMPLES_DIR, d)).isDirectory())
  .flatMap((d) => readdirSync(path.join(SAMPLES_DIR, d)).map((f) => `${d}/${f}`));
const gatewaySamples = allSamples.filter((f) => f.startsWith("gateway-logs/"));

function byId(id: string) {
  const p = trafficParsers.find((x) => x.id === id);
  if (p === undefined) throw new Error(`no parser ${id}`);
  return p;
}

describe("traffic parser registry", () => {
  it("has the five formats with unique ids", () => {
    expect(trafficParsers.map((p) => p.id).sort()).toEqual(["aws-apigateway", "envoy-json", "envoy-text", "kong-log", "nginx"]);
    expect(trafficParsers.every((p) => p.family === "traffic")).toBe(true);
  });

  it("covers every gateway-log sample", () => {
    expect(gatewaySamples.map((f) => path.basename(f)).sort()).toEqual(Object.keys(EXPECTED).sort());
  });
});

describe("detection", () => {
  it.each(gatewaySamples)("exactly the right parser wins for %s", async (file) => {
    const head = await (await sample(file)).head();
    const name = path.basename(file);
    const scores = trafficParsers.map((p) => ({ id: p.id, score: p.detect(head, name) }));
    const winner = scores.reduce((a, b) => (b.score > a.score ? b : a));
    expect(winner.id).toBe(EXPECTED[name]);
    expect(winner.score).toBeGreaterThanOrEqual(0.8);
    for (const s of scores) if (s.id !== winner.id) expect(s).toEqual({ id: s.id, score: 0 });
    // the file name plays no part: the same content under another name is detected the same way
    expect(trafficParsers.map((p) => p.detect(head, "upload.bin"))).toEqual(scores.map((s) => s.score));
  });

  it.each(allSamples.filter((f) => !f.startsWith("gateway-logs/")))("no traffic parser claims %s", async (file) => {
    const head = await (await sample(file)).head();
    expect(trafficParsers.map((p) => p.detect(head, path.basename(file)))).toEqual(trafficParsers.map(() => 0));
  });

  it("returns 0 for empty and blank heads", () => {
    for (const p of trafficParsers) {
      expect(p.detect("", "x.log")).toBe(0);
      expect(p.detect("\n\n  \n", "x.log")).toBe(0);
    }
  });
});

describe("every sample parses with its parser", () => {
  it.each(gatewaySamples)("%s: event count, no line errors", async (file) => {
    const name = path.basename(file);
    const out = await parseAll(byId(EXPECTED[name] ?? ""), await sample(file));
    expect(out.records).toHaveLength(EVENT_COUNTS[name] ?? -1);
    expect(out.lineErrors).toEqual([]);
    for (const r of out.records) {
      expect(r.path.startsWith("/")).toBe(true);
      expect(Number.isInteger(r.time) && r.time > Date.UTC(2000, 0, 1)).toBe(true);
      expect(r.path).not.toContain("?");
    }
  });
});

describe("wrong format", () => {
  const pairs = trafficParsers.flatMap((p) => gatewaySamples.filter((f) => EXPECTED[path.basename(f)] !== p.id).map((f) => [p.id, f] as const));
  it.each(pairs)("%s rejects %s before yielding anything", async (id, file) => {
    let yielded = 0;
    const ctx: ParseContext = { options: {}, warn: () => {}, lineError: () => {} };
    const run = async () => {
      for await (const _ of byId(id).parse(await sample(file), ctx)) yielded++;
    };
    await expect(run()).rejects.toBeInstanceOf(ParseError);
    expect(yielded).toBe(0);
  });

  it("rejects after the first 20 bad lines without reading the whole file", async () => {
    let read = 0;
    const file: SourceFile = {
      name: "",
      size: null,
      head: async () => "",
      text: async () => {
        throw new Error("text() must not be called");
      },
      async *lines() {
        for (let i = 0; i < 1_000_000; i++) {
          read++;
          yield `not a log line ${i}`;
        }
      },
    };
    for (const p of trafficParsers) {
      read = 0;
      const err = await parseAll(p, file).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ParseError);
      expect((err as ParseError).line).toBe(1);
      expect(read).toBeLessThanOrEqual(21);
    }
  });

  it("does not reject a file whose first lines are bad when a later one of the first 20 is good", async () => {
    const good = await (await sample("gateway-logs/kong-file-log-3.8-docs-example.jsonl")).text();
    const lines = [...Array.from({ length: 19 }, () => "junk"), good.trim()];
    const out = await parseAll(byId("kong-log"), textSource(lines.join("\n")));
    expect(out.records).toHaveLength(1);
    expect(out.lineErrors.map((e) => e.line)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
  });
});

describe("bad lines among good ones", () => {
  it.each(gatewaySamples)("%s with 3 bad lines: rest ingested, bad lines reported by number", async (file) => {
    const name = path.basename(file);
    const lines = readFileSync(path.join(SAMPLES_DIR, file), "utf8").split("\n").filter((l) => l.trim() !== "");
    // bad lines at positions 2, 4 and last (1-based), blank lines in between are counted in numbering
    const out: string[] = [lines[0] ?? "", "### bad 1 {", ...lines.slice(1, 2), "", "### bad 2 [", ...lines.slice(2), '"bad 3"'];
    const expected = out.flatMap((l, i) => (l.startsWith("###") || l === '"bad 3"' ? [i + 1] : []));
    expect(expected).toHaveLength(3);
    const res = await parseAll(byId(EXPECTED[name] ?? ""), textSource(out.join("\n")));
    expect(res.lineErrors.map((e) => e.line)).toEqual(expected);
    expect(res.records).toHaveLength(EVENT_COUNTS[name] ?? -1);
  });
});

describe("streaming", () => {
  // A generated source of 1,000,000 NGINX lines (~95 MB of text); text() throws. Heap is sampled while the events
  // are consumed and dropped: if the parser buffered lines or events, 1M of them would need far more than the bound.
  it("parses 1,000,000 lines with bounded heap and never calls text()", async () => {
    const N = 1_000_000;
    const file: SourceFile = {
      name: "big.log",
      size: null,
      head: async () => "",
      text: async () => {
        throw new Error("text() must not be called");
      },
      async *lines() {
        for (let i = 0; i < N; i++) {
          yield `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} - user${i % 97} [10/Oct/2000:13:${String(Math.floor(i / 60000) % 60).padStart(2, "0")}:${String(Math.floor(i / 1000) % 60).padStart(2, "0")} -0700] "GET /items/${i}?page=${i % 7} HTTP/1.1" 200 ${i % 5000} "-" "bench/${i}"`;
        }
      },
    };
    const ctx: ParseContext = { options: {}, warn: () => {}, lineError: () => {} };
    const before = process.memoryUsage().heapUsed;
    let peak = before;
    let count = 0;
    let bytes = 0;
    for await (const e of byId("nginx").parse(file, ctx)) {
      count++;
      bytes += e.responseBytes ?? 0;
      if ((count & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
    }
    expect(count).toBe(N);
    expect(bytes).toBeGreaterThan(0);
    // 1M retained events would be several hundred MB; transient garbage stays well under this bound
    expect(peak - before).toBeLessThan(150 * 1024 * 1024);
  }, 120_000);

  it("stops when ctx.signal is aborted", async () => {
    const controller = new AbortController();
    let produced = 0;
    const file: SourceFile = {
      name: "",
      size: null,
      head: async () => "",
      text: async () => "",
      async *lines() {
        for (;;) {
          produced++;
          if (produced === 10_000) controller.abort(new Error("cancelled by user"));
          yield '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 1';
        }
      },
    };
    const ctx: ParseContext = { options: {}, warn: () => {}, lineError: () => {}, signal: controller.signal };
    let events = 0;
    const run = async () => {
      for await (const _ of byId("nginx").parse(file, ctx)) if (++events > 100_000) throw new Error("signal ignored");
    };
    await expect(run()).rejects.toThrow("cancelled by user");
    expect(produced).toBeLessThan(20_000);
  });
});

describe("field helpers", () => {
  it("clfTimeToMs", () => {
    expect(clfTimeToMs("10/Oct/2000:13:55:36 -0700")).toBe(Date.UTC(2000, 9, 10, 20, 55, 36));
    expect(clfTimeToMs("10/Oct/2000:13:55:36 +0530")).toBe(Date.UTC(2000, 9, 10, 8, 25, 36));
    expect(clfTimeToMs("10/Oct/2000:13:55:36")).toBe(Date.UTC(2000, 9, 10, 13, 55, 36));
    expect(clfTimeToMs("10/Foo/2000:13:55:36 -0700")).toBeNaN();
    expect(clfTimeToMs("10/Oct/2000:25:55:36 -0700")).toBeNaN();
    expect(clfTimeToMs("10/Oct/2000:13:55:36 07:00")).toBeNaN();
    expect(clfTimeToMs("")).toBeNaN();
  });

  it("isoTimeToMs", () => {
    expect(isoTimeToMs("2022-09-08T12:51:05.656Z")).toBe(Date.UTC(2022, 8, 8, 12, 51, 5, 656));
    expect(isoTimeToMs("2022-09-08T12:51:05Z")).toBe(Date.UTC(2022, 8, 8, 12, 51, 5));
    expect(isoTimeToMs("2022-09-08T12:51:05.656123Z")).toBe(Date.UTC(2022, 8, 8, 12, 51, 5, 656));
    expect(isoTimeToMs("2022-09-08T12:51:05.6Z")).toBe(Date.UTC(2022, 8, 8, 12, 51, 5, 600));
    expect(isoTimeToMs("2022-09-08T14:51:05.656+02:00")).toBe(Date.UTC(2022, 8, 8, 12, 51, 5, 656));
    expect(isoTimeToMs("not a time")).toBeNaN();
  });

  it("stripPort / firstHop", () => {
    expect(stripPort("10.0.0.1:443")).toBe("10.0.0.1");
    expect(stripPort("[2a02:cf40::4e36]:5000")).toBe("2a02:cf40::4e36");
    expect(stripPort("2a02:cf40::4e36")).toBe("2a02:cf40::4e36");
    expect(stripPort("10.0.0.1")).toBe("10.0.0.1");
    expect(firstHop(" 203.0.113.1:999 , 10.0.0.1")).toBe("203.0.113.1");
    expect(firstHop("unknown, 10.0.0.1")).toBeUndefined();
    expect(firstHop("-")).toBeUndefined();
    expect(firstHop(undefined)).toBeUndefined();
  });

  it("splitTarget", () => {
    expect(splitTarget("/a/b?c=1#f")).toEqual({ path: "/a/b", query: "c=1" });
    expect(splitTarget("/a?")).toEqual({ path: "/a" });
    expect(splitTarget("https://user:pw@Example.com:8443?x")).toEqual({ path: "/", query: "x", host: "example.com:8443", scheme: "https" });
    expect(splitTarget("*")).toBeUndefined();
    expect(splitTarget("example.com:443")).toBeUndefined();
  });

  it("isRateLimitHeader", () => {
    for (const h of ["RateLimit-Limit", "ratelimit-remaining", "RateLimit", "X-RateLimit-Remaining-Minute", "x-ratelimit-limit"]) {
      expect(isRateLimitHeader(h)).toBe(true);
    }
    for (const h of ["ratelimiter", "x-ratelimit", "retry-after", "x-rate-limit", ""]) expect(isRateLimitHeader(h)).toBe(false);
  });
});
