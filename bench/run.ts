/**
 * `npm run bench`: speed figures on this machine. Not a test: it prints numbers to compare between commits.
 *  (a) inventory ingest of the generated 2,000-API organisation (parse + merge + commit, through the pipeline);
 *  (b) latency of the inventory list query on it (p50/p95 over varied filters and sorts).
 * BENCH_APIS overrides the organisation size; DATABASE_URL picks the database (default: a fresh in-memory PGlite).
 */
import { performance } from "node:perf_hooks";
import type { Actor } from "../server/auth/roles";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { generateDemoOrganisation } from "../server/demo/generate";
import { ingest } from "../server/ingest/pipeline";
import { bufferSource } from "../server/ingest/source";
import { lintSpec } from "../server/ingest/spec-lint";
import { type ApiListInput, listApis } from "../server/inventory/service";

const apis = Number(process.env.BENCH_APIS ?? 2000);
// The Spectral lint costs ~0.1 s per spec: off for the bulk figure unless BENCH_SPEC_LINT=1; its cost is measured below.
const lint = process.env.BENCH_SPEC_LINT === "1";
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

const db = await openDatabase(target);
try {
  let t = performance.now();
  const files = generateDemoOrganisation({ apis, seed: 42 });
  const generateMs = performance.now() - t;
  const bytes = files.reduce((sum, f) => sum + Buffer.byteLength(f.content), 0);

  t = performance.now();
  let records = 0;
  for (const file of files) {
    const result = await ingest(db.prisma, { file: bufferSource(file.content, file.name), channel: "cli", actor: { type: "system" }, correlate: false, specLint: lint });
    if (result.status !== "succeeded") throw new Error(`${file.name}: ${result.status} ${result.message}`);
    records += result.counts.records ?? 0;
  }
  const ingestMs = performance.now() - t;
  const [apiCount, endpointCount] = await Promise.all([db.prisma.api.count(), db.prisma.endpoint.count()]);

  const admin: Actor = { type: "user", userId: "bench", email: "bench@postern.local", role: "security", teamIds: [] };
  const queries: ApiListInput[] = [
    { sort: "name" },
    { sort: "name", page: 20 },
    { sort: "owner", dir: "desc" },
    { q: "pay" },
    { lifecycle: "deprecated" },
    { exposure: "internet", sort: "documentedEndpoints", dir: "desc" },
    { ownerless: true },
    { dataClass: "financial", sort: "baseUrl" },
  ];
  for (const q of queries) await listApis(db.prisma, admin, q); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < 400; i++) {
    const q = queries[i % queries.length] ?? {};
    const start = performance.now();
    await listApis(db.prisma, admin, q);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);

  // Spectral lint cost per spec, on the first 100 generated specs (pure: no database).
  const specs = files.filter((f) => f.name.startsWith("specs/")).slice(0, 100);
  const lintStart = performance.now();
  for (const spec of specs) await lintSpec(spec.content);
  const lintMsPerSpec = (performance.now() - lintStart) / Math.max(1, specs.length);

  console.log(`database: ${target.kind === "pglite" ? (target.dataDir ?? "PGlite in memory") : "PostgreSQL"}`);
  console.log(`organisation: ${apis} APIs requested → ${apiCount} APIs, ${endpointCount} endpoints from ${files.length} files (${(bytes / 1e6).toFixed(1)} MB, ${records} records), generated in ${generateMs.toFixed(0)} ms`);
  console.log(`(a) inventory ingest: ${(ingestMs / 1000).toFixed(2)} s (${((apiCount / ingestMs) * 1000).toFixed(0)} APIs/s, ${((endpointCount / ingestMs) * 1000).toFixed(0)} endpoints/s)`);
  console.log(`    Spectral lint ${lint ? "included" : "skipped (BENCH_SPEC_LINT=1 includes it)"}; measured separately: ${lintMsPerSpec.toFixed(0)} ms per spec over ${specs.length} specs`);
  console.log(`(b) inventory list query over ${samples.length} runs: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms, max ${(samples.at(-1) ?? 0).toFixed(1)} ms`);
} finally {
  await db.close();
}
