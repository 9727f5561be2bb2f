/**
 * `npm run bench` (traffic part): gateway-log ingest speed end to end — hash, detect, parse, attribute/match,
 * aggregate, batched upserts, commit (and the correlation the pipeline runs afterwards) — through `ingest()`, next to
 * a baseline measured in the same run on the same file: read it, split lines, JSON.parse each, single-threaded.
 *
 * Generates BENCH_TRAFFIC_LINES (default 1,000,000) Kong 3.8 file-log lines shaped like the real docs sample (~2 KB
 * each) over the demo organisation's hosts and endpoints (plus its shadow hosts), and a quarter as many NGINX combined
 * lines (no host; attributed by base path), into temp files. Prints lines/s, MB/s, ratio to baseline, peak RSS.
 * "end to end" = ingest() up to its commit and run record (parse + attribute + aggregate + write); the correlation
 * that ingest() would run afterwards is switched off and timed separately (once, over everything, as bulk loads do).
 *
 * DATABASE_URL picks the database (default: a fresh PGlite data directory in the temp dir). Each ingest runs in a
 * process of its own (bench/traffic-ingest.ts), so its peak RSS is that of an ingest — shard workers, the database
 * client and, when the database is embedded, PGlite itself (reported apart: its RSS right after opening).
 * BENCH_TRAFFIC_CLIENTS=zipf: a second, clearly labelled realistic case where clients follow a Zipf-like
 * distribution (s = 1.1) instead of the default uniform 3,000 clients.
 */
import { execFile } from "node:child_process";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { correlate } from "../server/correlate/engine";
import { openDatabase } from "../server/db/client";
import { type DatabaseTarget, describeTarget, resolveDatabaseTarget } from "../server/db/config";
import { demoShadowHosts, describeDemoOrganisation } from "../server/demo/generate";
import { loadDemoOrganisation } from "../server/demo/load";
import { type GenEvent, kongLine, nginxLine } from "../server/traffic/test-helpers";

const LINES = Number(process.env.BENCH_TRAFFIC_LINES ?? 1_000_000);
const NGINX_LINES = Math.max(1, Math.floor(LINES / 4));
const APIS = Number(process.env.BENCH_APIS ?? 40);
const CLIENTS = process.env.BENCH_TRAFFIC_CLIENTS === "zipf" ? "zipf" : "uniform";

/** Small deterministic PRNG (mulberry32). */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Target {
  host: string;
  base: string;
  paths: { method: string; path: string }[];
}

function targets(): Target[] {
  const org = describeDemoOrganisation({ apis: APIS, seed: 1 });
  const out: Target[] = [];
  for (const api of org.apis) {
    const url = new URL(api.baseUrl);
    const paths = [...api.endpoints, ...api.undocumentedEndpoints].map((e) => ({ method: e.method, path: e.path }));
    if (paths.length) out.push({ host: url.host, base: url.pathname === "/" ? "" : url.pathname.replace(/\/$/, ""), paths });
  }
  for (const s of demoShadowHosts({ apis: APIS, seed: 1 })) {
    if (s.endpoints.length) out.push({ host: s.host, base: s.basePath === "/" ? "" : s.basePath, paths: s.endpoints });
  }
  return out;
}

function concrete(template: string, rnd: () => number): string {
  return template.replace(/\{[^}]+\}/g, () => String(Math.floor(rnd() * 5000)));
}

const STATUSES = [200, 200, 200, 200, 200, 200, 200, 201, 204, 304, 400, 401, 403, 404, 404, 429, 500, 503];

async function writeLines(file: string, count: number, make: (i: number) => string): Promise<number> {
  const out = createWriteStream(file, { highWaterMark: 1 << 22 });
  let buf: string[] = [];
  for (let i = 0; i < count; i++) {
    buf.push(make(i));
    if (buf.length === 2000) {
      if (!out.write(`${buf.join("\n")}\n`)) await new Promise<void>((r) => out.once("drain", () => r()));
      buf = [];
    }
  }
  if (buf.length) out.write(`${buf.join("\n")}\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  return (await stat(file)).size;
}

/** Client index in [0, 3000): uniform, or Zipf-like (s = 1.1) by inverse CDF over precomputed weights. */
function clientPicker(rnd: () => number): () => number {
  if (CLIENTS === "uniform") return () => Math.floor(rnd() * 3000);
  const cdf: number[] = [];
  let sum = 0;
  for (let k = 1; k <= 3000; k++) cdf.push((sum += 1 / k ** 1.1));
  return () => {
    const x = rnd() * sum;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cdf[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

function events(all: Target[], seed: number, count: number) {
  const rnd = prng(seed);
  const pickClient = clientPicker(prng(seed + 1));
  const start = Date.UTC(2025, 5, 1);
  const span = 24 * 3600_000;
  return (i: number): GenEvent => {
    const t = all[Math.floor(rnd() * all.length)] ?? all[0];
    if (!t) throw new Error("no targets");
    const p = t.paths[Math.floor(rnd() * t.paths.length)] ?? t.paths[0];
    if (!p) throw new Error("no paths");
    const client = pickClient();
    return {
      time: start + Math.floor((i / count) * span),
      method: p.method,
      host: t.host,
      path: `${t.base}${concrete(p.path, rnd)}${rnd() < 0.2 ? "?page=2&limit=50" : ""}`,
      status: STATUSES[Math.floor(rnd() * STATUSES.length)] ?? 200,
      bytes: Math.floor(rnd() * 20_000),
      latencyMs: Math.floor(rnd() * 400),
      ...(client < 1000 ? { consumer: `consumer-${client}` } : { ip: `198.51.${client % 200}.${client % 250}` }),
      scheme: rnd() < 0.03 ? "http" : "https",
    };
  };
}

/**
 * Baseline: read the file, split lines, JSON.parse each (or only split for text formats), single-threaded. Read in
 * Node's default 64 KB chunks: 1 MB chunks decode into strings of V8's large-object space, which alone halves the
 * baseline's speed (a weaker baseline than the plain loop deserves).
 */
async function baseline(file: string, parse: boolean): Promise<{ ms: number; lines: number }> {
  const t = performance.now();
  let lines = 0;
  let carry = "";
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 16, encoding: "utf8" })) {
    const text = carry + (chunk as string);
    let start = 0;
    for (let nl = text.indexOf("\n"); nl !== -1; nl = text.indexOf("\n", start)) {
      const line = text.slice(start, nl);
      if (parse) JSON.parse(line);
      lines++;
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (carry) {
    if (parse) JSON.parse(carry);
    lines++;
  }
  return { ms: performance.now() - t, lines };
}

/** Runs bench/traffic-ingest.ts on `file` in a child process against `target`. */
function ingestInChild(target: DatabaseTarget, file: string): Promise<{ ms: number; cpuMs: number; counts: Record<string, number>; errorCount: number; rssOpenMb: number; peakRssMb: number }> {
  const url = target.kind === "postgres" ? target.url : `pglite:${target.dataDir}`;
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ["--import", "tsx", path.join(import.meta.dirname, "traffic-ingest.ts"), file],
      { env: { ...process.env, DATABASE_URL: url }, maxBuffer: 1 << 24 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`${error.message}\n${stderr}`));
        const last = stdout.trim().split("\n").at(-1) ?? "";
        resolve(JSON.parse(last) as never);
      },
    );
  });
}

const mb = (bytes: number) => bytes / 1e6;
const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

const dir = await mkdtemp(path.join(tmpdir(), "postern-bench-traffic-"));
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: path.join(dir, "db") } as const);
let db = await openDatabase(target);
try {
  console.log(`traffic bench: database ${describeTarget(target)}; clients ${CLIENTS === "zipf" ? "Zipf-like (s = 1.1, realistic case)" : "uniform (3,000)"}`);
  console.log(`traffic bench: loading the demo organisation (${APIS} APIs)…`);
  console.log(`  ${await loadDemoOrganisation(db.prisma, { apis: APIS, seed: 1 })}`);
  // The ingests run in child processes: an embedded database belongs to one process at a time.
  await db.close();
  const all = targets();

  let t = performance.now();
  // BENCH_TRAFFIC_KEEP=<dir>: the generated logs are written there and kept (for profiling one ingest on its own).
  const keep = process.env.BENCH_TRAFFIC_KEEP;
  const kongFile = path.join(keep ?? dir, "kong.jsonl");
  const kongBytes = await writeLines(kongFile, LINES, (() => {
    const next = events(all, 7, LINES);
    return (i: number) => kongLine(next(i));
  })());
  const nginxFile = path.join(keep ?? dir, "nginx.log");
  const nginxBytes = await writeLines(nginxFile, NGINX_LINES, (() => {
    const next = events(all, 11, NGINX_LINES);
    return (i: number) => {
      const e = next(i);
      delete e.host;
      return nginxLine(e);
    };
  })());
  console.log(
    `  generated ${fmt(LINES)} Kong lines (${mb(kongBytes).toFixed(0)} MB, ${(kongBytes / LINES).toFixed(0)} B/line) and ${fmt(NGINX_LINES)} NGINX lines (${mb(nginxBytes).toFixed(0)} MB) in ${((performance.now() - t) / 1000).toFixed(1)} s`,
  );

  for (const [label, file, bytes, lines, json] of [
    ["Kong JSON", kongFile, kongBytes, LINES, true],
    ["NGINX combined", nginxFile, nginxBytes, NGINX_LINES, false],
  ] as const) {
    const base = await baseline(file, json);
    if (base.lines !== lines) throw new Error(`baseline read ${base.lines} lines, expected ${lines}`);
    const run = await ingestInChild(target, file);
    const ms = run.ms;
    const baseRate = lines / (base.ms / 1000);
    const rate = lines / (ms / 1000);
    console.log(`  ${label}: ${fmt(lines)} lines, ${mb(bytes).toFixed(0)} MB`);
    console.log(`    baseline (read + split${json ? " + JSON.parse" : ""}): ${fmt(baseRate)} lines/s, ${(mb(bytes) / (base.ms / 1000)).toFixed(1)} MB/s`);
    console.log(
      `    ingest() end to end:  ${fmt(rate)} lines/s, ${(mb(bytes) / (ms / 1000)).toFixed(1)} MB/s, ${(ms / 1000).toFixed(1)} s — ${(rate / baseRate).toFixed(2)}× baseline`,
    );
    console.log(`    CPU time of the ingest process (all threads): ${(run.cpuMs / 1000).toFixed(1)} s`);
    console.log(`    counts: ${JSON.stringify(run.counts)}; bad lines ${run.errorCount}`);
    console.log(
      `    peak RSS of the ingest process: ${run.peakRssMb} MB (right after opening the database: ${run.rssOpenMb} MB${target.kind === "pglite" ? ", PGlite included" : ""})`,
    );
  }
  db = await openDatabase(target);
  t = performance.now();
  await correlate(db.prisma);
  console.log(`  correlation afterwards (all rules, not part of the ingest figure): ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const [hours, days, minutes, samples, params, paramDays] = await Promise.all([
    db.prisma.trafficEndpointHour.count(),
    db.prisma.trafficClientDay.count(),
    db.prisma.trafficClientMinute.count(),
    db.prisma.trafficSample.count(),
    db.prisma.trafficParamValues.count(),
    db.prisma.trafficParamDay.count(),
  ]);
  console.log(
    `  rows: endpoint-hour ${fmt(hours)}, client-day ${fmt(days)}, client-minute ${fmt(minutes)}, sample ${fmt(samples)}, param ${fmt(params)}, param-day ${fmt(paramDays)}`,
  );
} finally {
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
