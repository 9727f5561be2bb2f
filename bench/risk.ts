/**
 * `npm run bench` (part): correlation and risk on the generated 2,000-API organisation.
 *  (a) inventory ingest through the pipeline as a bulk load (correlate: false per file), plus the cost of the
 *      per-file correlation the pipeline runs by default, measured on a sample of files re-ingested as new content;
 *  (b) a generated HashiCorp Vault audit log (secrets per Api: reads by several identities, old rotations, a few
 *      denied bursts) ingested through the pipeline;
 *  (c) a full `correlate` (every rule on every Api, findings written, every Api scored, today's snapshot) — goal < 5 s;
 *  (d) the Overview query (riskOverview) p50/p95 — goal p95 < 100 ms.
 * BENCH_APIS overrides the organisation size; DATABASE_URL picks the database (default: a fresh in-memory PGlite).
 */
import { performance } from "node:perf_hooks";
import type { Actor } from "../server/auth/roles";
import { correlate } from "../server/correlate/engine";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { describeDemoOrganisation, generateDemoOrganisation } from "../server/demo/generate";
import { createRng } from "../server/demo/prng";
import { ingest } from "../server/ingest/pipeline";
import { bufferSource } from "../server/ingest/source";
import { riskOverview } from "../server/risk/service";

const apis = Number(process.env.BENCH_APIS ?? 2000);
const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);
const DAY = 86_400_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

/** Vault audit response records: per Api one or two secrets, reads by 2–9 identities, writes long ago, some denied bursts. */
function vaultLog(slugs: string[], now: number): { content: string; events: number } {
  const rng = createRng(7);
  const lines: string[] = [];
  let id = 0;
  const record = (time: number, path: string, operation: string, identity: string, error?: string) =>
    JSON.stringify({
      time: new Date(time).toISOString(),
      type: "response",
      auth: { display_name: identity, entity_id: identity },
      request: { id: `req-${id++}`, operation, path, remote_address: `10.0.${id % 250}.${id % 200}`, mount_type: "kv" },
      ...(error ? { error } : {}),
    });
  for (const slug of slugs) {
    const secrets = rng.next() < 0.3 ? [`secret/data/${slug}/db`, `secret/data/${slug}/api-key`] : [`secret/data/${slug}/db`];
    for (const path of secrets) {
      const rotatedDaysAgo = Math.floor(rng.next() * 200);
      lines.push(record(now - rotatedDaysAgo * DAY, path, "update", "ci-rotator"));
      const readers = 2 + Math.floor(rng.next() * 8);
      for (let r = 0; r < readers; r++) {
        for (let k = 0; k < 3; k++) lines.push(record(now - Math.floor(rng.next() * 25 * DAY), path, "read", `svc-${slug}-${r}`));
      }
      if (rng.next() < 0.05) {
        const t = now - Math.floor(rng.next() * 5 * DAY);
        for (let k = 0; k < 12; k++) lines.push(record(t + k * 1000, path, "read", "intruder", "1 error occurred:\n\t* permission denied\n\n"));
      }
    }
  }
  return { content: `${lines.join("\n")}\n`, events: lines.length };
}

const db = await openDatabase(target);
try {
  const files = generateDemoOrganisation({ apis, seed: 42 });
  let t = performance.now();
  for (const file of files) {
    const result = await ingest(db.prisma, { file: bufferSource(file.content, file.name), channel: "cli", actor: { type: "system" }, correlate: false, specLint: false });
    if (result.status !== "succeeded") throw new Error(`${file.name}: ${result.status} ${result.message}`);
  }
  const ingestMs = performance.now() - t;
  // Per-file correlation after an ingest of one spec (scoped to its Api), on the full organisation.
  const sample = await db.prisma.api.findMany({ take: 20, orderBy: { id: "asc" }, select: { id: true } });
  t = performance.now();
  for (const a of sample) await correlate(db.prisma, { apiIds: [a.id] });
  const perFileMs = (performance.now() - t) / Math.max(1, sample.length);
  const apiCount = await db.prisma.api.count();

  const now = Date.now();
  const slugs = describeDemoOrganisation({ apis, seed: 42 }).apis.map((a) => a.slug);
  const vault = vaultLog(slugs, now);
  t = performance.now();
  const vaultResult = await ingest(db.prisma, { file: bufferSource(vault.content, "vault-audit.log"), channel: "cli", actor: { type: "system" } });
  if (vaultResult.status !== "succeeded") throw new Error(`vault: ${vaultResult.status} ${vaultResult.message}`);
  const vaultMs = performance.now() - t;

  // (c) full recompute, twice (the first creates what the per-file runs did not; the second is the steady state).
  const runs: number[] = [];
  let summary = await correlate(db.prisma, {});
  runs.push(summary.durationMs);
  summary = await correlate(db.prisma, {});
  runs.push(summary.durationMs);
  const findings = await db.prisma.finding.count();
  const secrets = await db.prisma.secret.count();

  // (d) overview latency as the security team and as a developer of one team.
  const security: Actor = { type: "user", userId: "bench", email: "bench@postern.local", role: "security", teamIds: [] };
  const team = await db.prisma.team.findFirst({ select: { id: true } });
  const developer: Actor = { ...security, role: "developer", teamIds: team ? [team.id] : [] };
  for (let i = 0; i < 5; i++) await riskOverview(db.prisma, security);
  const samples: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    await riskOverview(db.prisma, i % 4 === 3 ? developer : security);
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);

  console.log(`database: ${target.kind === "pglite" ? (target.dataDir ?? "PGlite in memory") : "PostgreSQL"}`);
  console.log(`(a) inventory bulk ingest: ${(ingestMs / 1000).toFixed(2)} s for ${apiCount} APIs from ${files.length} files; correlation after a one-Api ingest: ${perFileMs.toFixed(0)} ms`);
  console.log(`(b) vault audit ingest: ${vault.events} events → ${secrets} secrets in ${(vaultMs / 1000).toFixed(2)} s (${JSON.stringify(vaultResult.counts)})`);
  console.log(
    `(c) full correlate + risk: ${runs.map((ms) => `${(ms / 1000).toFixed(2)} s`).join(", then ")} (goal < 5 s); ${summary.findings.fired} findings fire, ${findings} stored; ${summary.apisScored} APIs scored`,
  );
  console.log(`    fired per rule: ${JSON.stringify(summary.fired)}`);
  console.log(`(d) overview query over ${samples.length} runs: p50 ${percentile(samples, 50).toFixed(1)} ms, p95 ${percentile(samples, 95).toFixed(1)} ms (goal < 100 ms), max ${(samples.at(-1) ?? 0).toFixed(1)} ms`);
} finally {
  await db.close();
}
