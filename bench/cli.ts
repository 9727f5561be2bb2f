/**
 * `npm run bench` (last): how long a `postern` command takes as a whole process, next to `node -e 0` (Node's own
 * start) in the same run, on the demo organisation (40 Apis) in an embedded database of its own with no server:
 *   node -e 0 · postern --help · postern export apis
 * and the same two commands through tsx (POSTERN_CLI_TSX=1: TypeScript compiled on the call, what the CLI did
 * before it was bundled). Commands run in turn, round after round, so that a busy machine slows them alike; the
 * figures are wall-clock min / median / max. BENCH_CLI_RUNS sets the rounds (default 7).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureBundle } from "../scripts/cli-bundle.mjs";
import { openDatabase } from "../server/db/client";
import { loadDemoOrganisation } from "../server/demo/load";

const root = path.resolve(import.meta.dirname, "..");
const home = path.join(root, "bench", ".data", "cli");
const dataDir = path.join(home, "db");
const rounds = Number(process.env.BENCH_CLI_RUNS ?? 7);

if (!existsSync(path.join(home, "ready"))) {
  rmSync(home, { recursive: true, force: true });
  mkdirSync(home, { recursive: true });
  const db = await openDatabase({ kind: "pglite", dataDir });
  try {
    console.log(`bench/cli: loaded the demo organisation (${await loadDemoOrganisation(db.prisma, { apis: 40 })})`);
  } finally {
    await db.close();
  }
  mkdirSync(path.join(home, "ready"));
}
await ensureBundle(root); // built before the clock starts, as npm start and npm test do

const env = { ...process.env, DATABASE_URL: `pglite:${dataDir}`, POSTERN_HOME: home, POSTERN_CLI_TSX: "" };
const bin = path.join(root, "bin", "postern.mjs");
const commands: { label: string; argv: string[]; env?: Record<string, string> }[] = [
  { label: "node -e 0", argv: ["-e", "0"] },
  { label: "postern --help", argv: [bin, "--help"] },
  { label: "postern export apis", argv: [bin, "export", "apis"] },
  { label: "postern --help (tsx)", argv: [bin, "--help"], env: { POSTERN_CLI_TSX: "1" } },
  { label: "postern export apis (tsx)", argv: [bin, "export", "apis"], env: { POSTERN_CLI_TSX: "1" } },
];

const times = new Map<string, number[]>(commands.map((c) => [c.label, []]));
for (let round = 0; round <= rounds; round++) {
  for (const command of commands) {
    const start = performance.now();
    const result = spawnSync(process.execPath, command.argv, { env: { ...env, ...command.env }, stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });
    const ms = performance.now() - start;
    if (result.status !== 0) throw new Error(`${command.label} exited with ${result.status}: ${result.stderr.toString().trim()}`);
    if (round > 0) times.get(command.label)?.push(ms); // round 0 warms the file cache
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
console.log(`CLI as a whole process (${rounds} rounds, wall clock min / median / max):`);
for (const [label, samples] of times) {
  const sorted = [...samples].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  console.log(`  ${label.padEnd(28)} ${seconds(sorted[0] ?? 0)} / ${seconds(median)} / ${seconds(sorted.at(-1) ?? 0)}`);
}
