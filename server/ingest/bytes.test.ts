/**
 * Issue 12, "Bytes": a value's bytes never fail a file. NUL, other control characters, invalid UTF-8 and unpaired
 * surrogates in any family's values are stored as U+FFFD with ONE warning per file naming the first lines, the other
 * records are all stored, oversized values are cut with a marker, and UTF-16 files are decoded.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import type { SampleEvent } from "@/server/traffic/aggregate";
import { canReadInShards, shardSettings } from "@/server/traffic/shards";
import { hostScope, KONG_ENTRY } from "@/server/traffic/test-helpers";
import { TEST_DATABASES } from "@/server/test/databases";
import { burpReport, jpegLike, zipLike } from "./parsers/scan/test-binary";
import { shouldParseInWorker } from "./parsers/traffic/parallel";
import { ingest, type IngestResult } from "./pipeline";
import { bufferSource, fileSource } from "./source";
import { SAMPLES_DIR } from "./test-utils";

const system = { type: "system" as const };
const FFFD = "\ufffd";
/** Bytes that are not UTF-8 (a lone continuation byte and a truncated sequence). */
const INVALID_UTF8 = Buffer.from([0x80, 0xc3]);

/** `text` as bytes, with INVALID_UTF8 wherever "@@BAD@@" stands. */
function withBadBytes(text: string): Buffer {
  const parts = text.split("@@BAD@@");
  return Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [Buffer.from(p)] : [INVALID_UTF8, Buffer.from(p)])));
}

/** 1-based numbers of the lines of `text` that contain `needle`. */
function linesOf(text: string, ...needles: string[]): number[] {
  return text
    .split("\n")
    .flatMap((l, i) => (needles.some((n) => l.includes(n)) ? [i + 1] : []))
    .sort((a, b) => a - b);
}

function bytesWarning(result: IngestResult) {
  const found = result.warnings.filter((w) => /cannot be stored as text/.test(w.message));
  expect(found, JSON.stringify(result.warnings)).toHaveLength(1);
  return found[0]!;
}

/** The line numbers a warning names, e.g. "(lines 2, 5, 9)". */
function warnedLines(message: string): number[] {
  const m = /\(lines? ([\d, ]+)(?:, …)?\)$/.exec(message);
  return m?.[1] ? m[1].split(", ").map(Number) : [];
}

describe.each(TEST_DATABASES)("values whose bytes cannot be stored as they are, on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  const run = (content: string | Uint8Array, name: string, format?: string) =>
    ingest(db.prisma, { file: bufferSource(content, name), channel: "cli", actor: system, correlate: false, ...(format ? { options: { format } } : {}) });

  it("inventory: an OpenAPI spec with NUL, invalid UTF-8, an unpaired surrogate and control characters is stored cleaned", async () => {
    const spec = {
      openapi: "3.0.3",
      info: { title: "Bytes\u0000API", version: "1.0.0", description: "made with @@BAD@@ bytes" },
      servers: [{ url: "https://bytes.example.com/v1" }],
      paths: {
        "/items": { get: { summary: "List items", responses: { "200": { description: "ok" } } } },
        "/items/{id}": {
          get: { summary: "lone \ud800 surrogate", parameters: [{ name: "id", in: "path", required: true, schema: { type: "string" } }], responses: { "200": { description: "ok" } } },
        },
        "/bell": { post: { summary: "ring \u0007 bell", operationId: "ring\u0001", responses: { "200": { description: "ok" } } } },
        "/nul\u0000path": { get: { summary: "A path with NUL", responses: { "200": { description: "ok" } } } },
        "/health": { get: { summary: "Health", responses: { "200": { description: "ok" } } } },
      },
    };
    const text = JSON.stringify(spec, null, 2);
    const result = await run(withBadBytes(text), "bytes.json");
    expect(result.message).toBeNull();
    expect(result.status).toBe("succeeded");
    const api = await db.prisma.api.findFirstOrThrow({ where: { identity: "bytes.example.com/v1" }, include: { endpoints: { orderBy: { path: "asc" } } } });
    expect(api.name).toBe(`Bytes${FFFD}API`);
    expect(api.description).toBe(`made with ${FFFD}${FFFD} bytes`);
    expect(api.endpoints.map((e) => e.path)).toEqual(["/bell", "/health", "/items", "/items/{id}", `/nul${FFFD}path`]);
    expect(api.endpoints.find((e) => e.path === "/items/{id}")?.summary).toBe(`lone ${FFFD} surrogate`);
    expect(api.endpoints.find((e) => e.path === "/bell")).toMatchObject({ summary: `ring ${FFFD} bell`, operationId: `ring${FFFD}` });
    const warning = bytesWarning(result);
    const expected = linesOf(text, "\\u0000", "@@BAD@@", "\\ud800", "\\u0007", "\\u0001").slice(0, 5);
    expect(warnedLines(warning.message)).toEqual(expected);
    expect(warning.line).toBe(expected[0]);
    // Values, not places: a spec's lint summary and the endpoint both carry the NUL path, for instance.
    expect(warning.message).toMatch(/^\d+ values held characters/);
  });

  it("scan: a Nuclei report with such values stores every finding, cleaned", async () => {
    const finding = (id: string, extra: Record<string, unknown> = {}, info: Record<string, unknown> = {}) =>
      JSON.stringify({
        "template-id": id,
        info: { name: `Finding ${id}`, severity: "medium", description: `About ${id}`, ...info },
        type: "http",
        host: "https://scan-bytes.example.com",
        "matched-at": `https://scan-bytes.example.com/${id}`,
        ...extra,
      });
    const lines = [
      finding("plain-one"),
      finding("nul-description", {}, { description: "before\u0000after", name: "lone \udc00 name" }),
      finding("control-url", { "matched-at": "https://scan-bytes.example.com/a\u0007b" }),
      finding("bad-bytes", {}, { description: "invalid @@BAD@@ here" }),
      finding("plain-two"),
    ];
    const text = `${lines.join("\n")}\n`;
    const result = await run(withBadBytes(text), "nuclei.jsonl");
    expect(result.message).toBeNull();
    expect(result.status).toBe("succeeded");
    const findings = await db.prisma.finding.findMany({ where: { tool: "nuclei", ruleId: { in: ["plain-one", "nul-description", "control-url", "bad-bytes", "plain-two"] } } });
    expect(findings).toHaveLength(5);
    const by = new Map(findings.map((f) => [f.ruleId, f]));
    expect(by.get("nul-description")).toMatchObject({ description: `before${FFFD}after`, title: `lone ${FFFD} name` });
    expect((by.get("control-url")?.location as { url?: string }).url).toBe(`https://scan-bytes.example.com/a${FFFD}b`);
    expect(by.get("bad-bytes")?.description).toBe(`invalid ${FFFD}${FFFD} here`);
    expect(warnedLines(bytesWarning(result).message)).toEqual([2, 3, 4]);
  });

  const kong = (i: number, change: (e: typeof KONG_ENTRY) => void = () => undefined) => {
    const e = structuredClone(KONG_ENTRY);
    e.started_at = Date.UTC(2025, 0, 2, 10) + i * 1000;
    e.request.headers.host = "kong-bytes.example.com";
    change(e);
    return JSON.stringify(e);
  };

  it("traffic: a Kong log with a NUL user agent, an unpaired-surrogate consumer, a control character in the method and invalid UTF-8 in a path keeps every request", async () => {
    const lines = [
      kong(0),
      kong(1, (e) => (e.request.headers["user-agent"] = "evil\u0000agent")),
      kong(2, (e) => (e.consumer.username = "acme\ud800")),
      kong(3, (e) => (e.request.method = "GE\u0001T")),
      kong(4, (e) => (e.request.uri = "/v1/caf@@BAD@@")),
      kong(5),
    ];
    const text = `${lines.join("\n")}\n`;
    const result = await run(withBadBytes(text), "kong-bytes.jsonl");
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", format: "kong-log", errorCount: 0 });
    expect(result.counts.events).toBe(6);
    const scope = await hostScope(db.prisma, "kong-bytes.example.com");
    const hours = await db.prisma.trafficEndpointHour.findMany({ where: { scopeKey: scope } });
    expect(hours.reduce((n, h) => n + h.requests, 0)).toBe(6);
    expect(hours.map((h) => h.method).sort()).toEqual(["GE\ufffdT", "POST", "POST"].sort());
    expect(hours.map((h) => h.pathTemplate)).toContain(`/v1/caf${FFFD}${FFFD}`);
    const clients = await db.prisma.trafficClientDay.findMany({ where: { scopeKey: scope } });
    expect(clients.map((c) => c.clientKey).sort()).toEqual(["acme-app", `acme${FFFD}`]);
    expect(clients.reduce((n, c) => n + c.requests, 0)).toBe(6);
    const samples = await db.prisma.trafficSample.findMany({ where: { scopeKey: scope } });
    const agents = samples.flatMap((s) => (s.events as unknown as SampleEvent[]).map((e) => e.userAgent));
    expect(agents).toContain(`evil${FFFD}agent`);
    expect(agents.join("")).not.toContain("\u0000");
    expect(warnedLines(bytesWarning(result).message)).toEqual([2, 3, 4, 5]);
  });

  it("traffic: a large log read by the parse worker names the exact lines of the values it cleaned", async () => {
    const count = 60_000;
    const line = (i: number) => {
      const principal = i === 2 ? "nul\u0000path" : i === 59_989 ? "late\u0000consumer" : undefined;
      return JSON.stringify({
        started_at: Date.UTC(2025, 0, 3) + i * 1000,
        request: { method: "GET", uri: i === 2 ? "/w/nul\u0000" : `/w/${i % 50}`, headers: { host: "worker-bytes.example.com", "user-agent": "ua" } },
        response: { status: 200, size: 10 },
        client_ip: "203.0.113.9",
        ...(principal ? { consumer: { username: principal } } : {}),
      });
    };
    const text = `${Array.from({ length: count }, (_, i) => line(i)).join("\n")}\n`;
    expect(shouldParseInWorker(bufferSource(text), "kong-log")).toBe(true);
    const result = await run(text, "worker-bytes.jsonl");
    expect(result).toMatchObject({ status: "succeeded", errorCount: 0 });
    expect(result.counts.events).toBe(count);
    expect(warnedLines(bytesWarning(result).message)).toEqual([3, 59_990]);
    const clients = await db.prisma.trafficClientDay.findMany({ where: { scopeKey: await hostScope(db.prisma, "worker-bytes.example.com") }, select: { clientKey: true } });
    expect(clients.map((c) => c.clientKey).sort()).toEqual(["203.0.113.9", `late${FFFD}consumer`, `nul${FFFD}path`]);
  });

  it("traffic: a log read in shards names the file's lines of the values it cleaned", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "postern-bytes-"));
    const saved = { ...shardSettings };
    try {
      const dirty = new Map([
        [10, "first\u0000client"],
        [1_500, "middle\ud800client"],
        [2_900, "last\u0001client"],
      ]);
      const lines = Array.from({ length: 3_000 }, (_, i) =>
        JSON.stringify({
          started_at: Date.UTC(2025, 0, 5) + i * 1000,
          request: { method: "GET", uri: `/s/${i % 7}`, headers: { host: "shard-bytes.example.com" } },
          response: { status: 200 },
          client_ip: "203.0.113.10",
          ...(dirty.has(i + 1) ? { consumer: { username: dirty.get(i + 1) } } : {}),
        }),
      );
      const file = path.join(dir, "shards.jsonl");
      await writeFile(file, `${lines.join("\n")}\n`);
      Object.assign(shardSettings, { minBytes: 1, minShardBytes: 1, maxShards: 3 });
      const source = await fileSource(file);
      expect(canReadInShards(source, "kong-log")).toBe(true);
      const result = await ingest(db.prisma, { file: source, channel: "cli", actor: system, correlate: false });
      expect(result).toMatchObject({ status: "succeeded", errorCount: 0 });
      expect(result.counts.events).toBe(3_000);
      expect(warnedLines(bytesWarning(result).message)).toEqual([10, 1_500, 2_900]);
      const clients = await db.prisma.trafficClientDay.findMany({ where: { scopeKey: await hostScope(db.prisma, "shard-bytes.example.com") }, select: { clientKey: true } });
      expect(clients.map((c) => c.clientKey).sort()).toEqual(["203.0.113.10", `first${FFFD}client`, `last${FFFD}client`, `middle${FFFD}client`]);
    } finally {
      Object.assign(shardSettings, saved);
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("traffic: NGINX lines with raw NUL and control bytes are stored cleaned", async () => {
    const line = (i: number, path: string, agent: string) =>
      `198.51.100.${i} - - [02/Jan/2025:10:00:0${i} +0000] "GET ${path} HTTP/1.1" 200 12 "-" "${agent}"`;
    const text = `${[line(1, "/n/ok", "curl/8"), line(2, "/n/a\u0000b", "curl/8"), line(3, "/n/ok", "ag\u0001ent"), line(4, "/n/ok", "curl/8")].join("\n")}\n`;
    const result = await run(text, "access.log", "nginx");
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", errorCount: 0 });
    expect(result.counts.events).toBe(4);
    const templates = await db.prisma.trafficEndpointHour.findMany({ where: { pathTemplate: { startsWith: "/n/" } }, select: { pathTemplate: true, requests: true } });
    expect(templates.map((t) => t.pathTemplate).sort()).toEqual(["/n/a\ufffdb", "/n/ok"]);
    expect(warnedLines(bytesWarning(result).message)).toEqual([2, 3]);
  });

  it("vault: a Vault audit log with such values stores every event, cleaned", async () => {
    const record = (i: number, type: "request" | "response", path: string, entity: string, remote: string) =>
      JSON.stringify({
        time: new Date(Date.UTC(2025, 0, 4, 10, 0, i)).toISOString(),
        type,
        auth: { entity_id: entity, display_name: "app" },
        request: { id: `req-${i}`, operation: "read", path, remote_address: remote },
        ...(type === "response" ? { response: { data: {} } } : {}),
      });
    const events: [string, string, string][] = [
      ["secret/data/bytes/plain", "ent-1", "10.0.0.1"],
      ["secret/data/bytes/nul\u0000name", "ent-1", "10.0.0.1"],
      ["secret/data/bytes/plain", "ent-\ud800", "10.0.0.1"],
      ["secret/data/bytes/plain", "ent-1", "10.0.0.\u0007"],
      ["secret/data/bytes/other", "ent-1", "10.0.0.2"],
    ];
    const lines = events.flatMap(([path, entity, remote], i) => [record(i, "request", path, entity, remote), record(i, "response", path, entity, remote)]);
    const text = `${lines.join("\n")}\n`;
    const result = await run(text, "vault-bytes.log");
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", format: "vault-audit" });
    expect(result.counts.records).toBe(5);
    const secrets = await db.prisma.secret.findMany({ where: { ref: { contains: "bytes/" } } });
    expect(secrets.map((s) => s.ref).sort()).toEqual(expect.arrayContaining([expect.stringContaining(`nul${FFFD}name`)]));
    expect(secrets).toHaveLength(3);
    const rollups = await db.prisma.secretAccessRollup.findMany({ where: { secretId: { in: secrets.map((s) => s.id) } } });
    expect(rollups.reduce((n, r) => n + r.count, 0)).toBe(5);
    expect(rollups.map((r) => r.identity)).toContain(`ent-${FFFD}`);
    expect(rollups.flatMap((r) => r.sourceAddresses)).toContain(`10.0.0.${FFFD}`);
    expect(warnedLines(bytesWarning(result).message)).toEqual(linesOf(text, "\\u0000", "\\ud800", "\\u0007").slice(0, 5));
  });

  it("the run record is storable too: a file name, a line error and an option with NUL", async () => {
    const lines = (await readFile(path.join(SAMPLES_DIR, "gateway-logs/envoy-istio-json-access.log"), "utf8")).trim().split("\n");
    const bad = JSON.parse(lines[0]!) as Record<string, unknown>;
    bad.start_time = "2022-09-08\u0000T12:51:05Z";
    const text = `${[...lines, JSON.stringify(bad)].join("\n")}\n`;
    const result = await run(text, "envoy\u0000.log");
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", format: "envoy-json", fileName: `envoy${FFFD}.log`, errorCount: 1 });
    expect(result.lineErrors).toEqual([{ line: lines.length + 1, message: expect.stringContaining(`2022-09-08${FFFD}T12`) }]);
    const stored = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: result.runId } });
    expect(stored).toMatchObject({ status: "succeeded", fileName: `envoy${FFFD}.log`, lineErrors: result.lineErrors });
    // An --api option with a NUL names no Api: said in a warning, and stored with the run.
    const line = `198.51.100.1 - - [02/Jan/2025:10:00:00 +0000] "GET /opt HTTP/1.1" 200 1 "-" "curl/8"\n`;
    const option = await ingest(db.prisma, { file: bufferSource(line, "opt.log"), channel: "cli", actor: system, correlate: false, options: { api: "no\u0000such", format: "nginx" } });
    expect(option).toMatchObject({ status: "succeeded" });
    expect(option.warnings.map((w) => w.message).join("\n")).toContain(`no${FFFD}such`);
    expect((await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: option.runId } })).options).toEqual({ api: `no${FFFD}such`, format: "nginx" });
  });

  it("truncates oversized values with a marker instead of storing them whole", async () => {
    const title = "T".repeat(1 << 20);
    const spec = { openapi: "3.0.3", info: { title, version: "1" }, servers: [{ url: "https://huge.example.com" }], paths: { "/x": { get: { responses: { "200": { description: "ok" } } } } } };
    const inventory = await run(JSON.stringify(spec), "huge.json");
    expect(inventory.status).toBe("succeeded");
    const api = await db.prisma.api.findFirstOrThrow({ where: { identity: "huge.example.com" } });
    expect(Buffer.byteLength(api.name)).toBeLessThanOrEqual(1024);
    expect(api.name).toMatch(/^T+… \[truncated, [\d,]+ bytes\]$/);
    expect(inventory.warnings.map((w) => w.message).join("\n")).toMatch(/1 value longer than Postern keeps were truncated/);

    const agent = "A".repeat(1 << 20);
    const logged = await run(
      `${kong(0, (e) => {
        e.request.headers.host = "huge-agent.example.com";
        e.request.headers["user-agent"] = agent;
      })}\n`,
      "huge-agent.jsonl",
      // Detection reads whole lines of the first 64 KB: this file has none.
      "kong-log",
    );
    expect(logged.status).toBe("succeeded");
    const samples = await db.prisma.trafficSample.findMany({ where: { scopeKey: await hostScope(db.prisma, "huge-agent.example.com") } });
    const stored = (samples[0]?.events as unknown as SampleEvent[])[0]?.userAgent ?? "";
    expect(stored).toMatch(/^A+… \[truncated, [\d,]+ bytes\]$/);
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(512);
    expect(logged.warnings.find((w) => /truncated/.test(w.message))?.message).toMatch(/\(line 1\)$/);

    const description = "D".repeat(10 << 20);
    const report = await run(
      `${JSON.stringify({ "template-id": "huge-description", info: { name: "Huge", severity: "low", description }, host: "https://huge.example.com", "matched-at": `https://huge.example.com/${"p".repeat(1 << 20)}` })}\n`,
      "huge.jsonl",
    );
    expect(report.status).toBe("succeeded");
    const found = await db.prisma.finding.findFirstOrThrow({ where: { ruleId: "huge-description" } });
    expect(JSON.stringify(found.location).length).toBeLessThan(20_000); // url and path, 8 KB each at most
    expect((found.location as { url: string }).url).toMatch(/… \[truncated, [\d,]+ bytes\]$/);
    expect((found.description ?? "").length).toBeLessThan(70_000);
  });

  it("scan: a Burp report with binary (base64 JPEG and ZIP) responses is stored, bodies as short excerpts", async () => {
    const jpeg = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n\r\n"), jpegLike(18_342)]);
    const zip = Buffer.concat([Buffer.from("HTTP/1.1 200 OK\r\n\r\n"), zipLike(40_000)]);
    const result = await run(burpReport([
      { name: "Image response", path: "/photo.jpg", response: jpeg },
      { name: "Archive response", path: "/backup.zip", response: zip },
    ]), "burp-binary.xml");
    expect(result.message).toBeNull();
    expect(result).toMatchObject({ status: "succeeded", format: "burp-xml" });
    const findings = await db.prisma.finding.findMany({ where: { tool: "burp suite", title: { in: ["Image response", "Archive response"] } }, orderBy: { title: "asc" } });
    expect(findings.map((f) => (f.evidence as { response?: string }).response)).toEqual([
      expect.stringMatching(/\r\n\r\n\[binary body, application\/zip, 40,000 bytes\] 504b0304[0-9a-f]{24}…$/),
      expect.stringMatching(/^HTTP\/1\.1 200 OK\r\nContent-Type: image\/jpeg\r\n\r\n\[binary body, image\/jpeg, 18,342 bytes\] ffd8ffe0[0-9a-f]{24}…$/),
    ]);
    expect(result.warnings.filter((w) => /cannot be stored/.test(w.message))).toEqual([]);
  });

  it("decodes UTF-16 files (little and big endian) with a byte order mark", async () => {
    const spec = JSON.stringify({ openapi: "3.0.3", info: { title: "Wide API é", version: "1" }, servers: [{ url: "https://utf16.example.com" }], paths: { "/wide": { get: { responses: { "200": { description: "ok" } } } } } });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(spec, "utf16le")]);
    const inventory = await run(le, "wide.json");
    expect(inventory).toMatchObject({ status: "succeeded", format: "openapi" });
    expect((await db.prisma.api.findFirstOrThrow({ where: { identity: "utf16.example.com" } })).name).toBe("Wide API é");

    const log = `${[0, 1, 2].map((i) => kong(i, (e) => (e.request.headers.host = "utf16-log.example.com"))).join("\r\n")}\r\n`;
    const le16 = Buffer.from(log, "utf16le");
    const be = Buffer.alloc(le16.length + 2);
    be[0] = 0xfe;
    be[1] = 0xff;
    for (let i = 0; i < le16.length; i += 2) {
      be[i + 2] = le16[i + 1]!;
      be[i + 3] = le16[i]!;
    }
    const logged = await run(be, "wide.jsonl");
    expect(logged).toMatchObject({ status: "succeeded", format: "kong-log", errorCount: 0 });
    expect(logged.counts.events).toBe(3);
    expect(logged.warnings).toEqual([]);
  });
});
