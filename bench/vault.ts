/**
 * `npm run bench` (vault part): HashiCorp Vault audit ingest speed end to end through `ingest()` (hash, detect,
 * parse, pair request/response, hourly rollups and daily network rows, commit), then one correlation of the secret
 * rules over it (secret-access-anomaly reads both tables).
 *
 * Generates BENCH_VAULT_EVENTS (default 200,000) request/response pairs over 30 days: 500 secrets, BENCH_VAULT_IDENTITIES
 * (default 2,000: sparse, nearly one rollup row per event, the write path's worst case; 100 is closer to workloads)
 * identities, each reading a few secrets from addresses spread over a few /24s of its own, with 1 in 50 events from an
 * address anywhere (many distinct networks: the persister's per-key cap is exercised). DATABASE_URL picks the
 * database (default: a fresh in-memory PGlite).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { correlate } from "../server/correlate/engine";
import { secretRules } from "../server/correlate/rules/secrets";
import { openDatabase } from "../server/db/client";
import { resolveDatabaseTarget } from "../server/db/config";
import { ingest } from "../server/ingest/pipeline";
import { fileSource } from "../server/ingest/source";

const EVENTS = Number(process.env.BENCH_VAULT_EVENTS ?? 200_000);
const SECRETS = 500;
const IDENTITIES = Number(process.env.BENCH_VAULT_IDENTITIES ?? 2000);
const DAY = 86_400_000;

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

const rnd = prng(42);
const int = (n: number) => Math.floor(rnd() * n);
const end = Date.UTC(2026, 10, 30);
const start = end - 30 * DAY;
const lines: string[] = [];
const times = Array.from({ length: EVENTS }, () => start + int(end - start)).sort((a, b) => a - b);
for (let i = 0; i < EVENTS; i++) {
  const who = int(IDENTITIES);
  const secret = (who * 7 + int(3)) % SECRETS;
  const address = rnd() < 0.02 ? `${1 + int(223)}.${int(256)}.${int(256)}.${1 + int(254)}` : `10.${who % 256}.${(who >> 8) * 4 + int(4)}.${1 + int(254)}`;
  const auth = { display_name: `approle-${who}`, entity_id: `entity-${who}`, policies: ["default"], token_type: "service" };
  const request = { id: `req-${i}`, operation: rnd() < 0.95 ? "read" : "update", mount_type: "kv", path: `secret/data/app-${secret}/db`, remote_address: address };
  const iso = new Date(times[i]!).toISOString();
  lines.push(JSON.stringify({ time: iso, type: "request", auth, request }));
  lines.push(JSON.stringify({ time: iso, type: "response", auth, request, response: { mount_type: "kv" } }));
}
const dir = await mkdtemp(path.join(tmpdir(), "postern-bench-vault-"));
const file = path.join(dir, "vault-audit.log");
await writeFile(file, `${lines.join("\n")}\n`);
lines.length = 0;

const target = process.env.DATABASE_URL ? resolveDatabaseTarget() : ({ kind: "pglite", dataDir: null } as const);
const db = await openDatabase(target);
try {
  let t = performance.now();
  const cpu = process.cpuUsage();
  const result = await ingest(db.prisma, { file: await fileSource(file), channel: "cli", actor: { type: "system" }, correlate: false });
  const ingestMs = performance.now() - t;
  const ingestCpu = process.cpuUsage(cpu);
  if (result.status !== "succeeded") throw new Error(`${result.status} ${result.message}`);
  const [rollups, networks] = await Promise.all([db.prisma.secretAccessRollup.count(), db.prisma.secretAccessNetwork.count().catch(() => 0)]);
  // Each secret rule alone, then all of them (risk recomputation included) as the pipeline runs them.
  const perRule: string[] = [];
  for (const rule of secretRules) {
    t = performance.now();
    await correlate(db.prisma, { asOf: new Date(end), rules: [rule] });
    perRule.push(`${rule.id} ${((performance.now() - t) / 1000).toFixed(2)} s`);
  }
  t = performance.now();
  const summary = await correlate(db.prisma, { asOf: new Date(end), rules: secretRules });
  const correlateMs = performance.now() - t;
  console.log(`each rule (with its correlation run): ${perRule.join(", ")}`);
  console.log(
    `vault ingest: ${EVENTS.toLocaleString("en")} events in ${(ingestMs / 1000).toFixed(2)} s = ${Math.round(EVENTS / (ingestMs / 1000)).toLocaleString("en")} events/s; ` +
      `CPU ${((ingestCpu.user + ingestCpu.system) / 1e6).toFixed(2)} s; ${rollups.toLocaleString("en")} hourly rollup rows, ${networks.toLocaleString("en")} network rows`,
  );
  console.log(`secret rules over it: ${(correlateMs / 1000).toFixed(2)} s; fired ${JSON.stringify(summary.fired)}`);
} finally {
  await db.close();
  await rm(dir, { recursive: true, force: true });
}
