import { spawn, spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, openDatabase } from "@/server/db/client";
import { isEmbedded } from "@/server/db/kind";
import { TEST_DATABASES } from "@/server/test/databases";
import { hostScope, SHOP_SPEC } from "@/server/traffic/test-helpers";
import { ingest } from "./pipeline";
import { INTERRUPTED_MESSAGE, listIngestRuns, markInterruptedRuns, runOwner, STALE_MS, startHeartbeat } from "./runs";
import { bufferSource } from "./source";

const REPO = path.resolve(import.meta.dirname, "../..");
const system = { type: "system" as const };

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  if (!child.pid) throw new Error("no child");
  return child.pid;
}

/** Kong lines enough for the ingest to report progress (every 50,000 records) well before it ends. */
function kongLog(count: number, host: string): string {
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({ started_at: Date.UTC(2025, 1, 1) + i * 100, request: { method: "GET", uri: `/k/${i % 40}`, headers: { host } }, response: { status: 200, size: 5 }, client_ip: `198.51.100.${i % 200}` }),
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Runs test-ingest-child.ts on `file` against `url`, kills it (SIGKILL) once it reports progress; resolves with its output. */
function ingestAndKill(url: string, file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(REPO, "server/ingest/test-ingest-child.ts"), file], {
      cwd: REPO,
      env: { ...process.env, DATABASE_URL: url, POSTERN_ROOT: REPO },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("progress")) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (signal === "SIGKILL") resolve(out);
      else reject(new Error(`the child ended by itself (code ${code}): ${out}${err}`));
    });
  });
}

describe.each(TEST_DATABASES)("ingest runs on $name", (kind) => {
  let db: Database;
  let dir: string;
  beforeAll(async () => {
    db = await kind.open();
    dir = await mkdtemp(path.join(tmpdir(), "postern-runs-"));
  });
  afterAll(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const run = (data: { status?: string; channel?: string; owner?: string | null; heartbeatAt?: Date | null; startedAt?: Date; fileName: string }) =>
    db.prisma.ingestRun.create({ data: { channel: "cli", contentHash: "", status: "running", actorType: "system", ...data } });

  it("marks runs whose process is gone as interrupted, and leaves live ones and finished ones alone", async () => {
    const now = Date.now();
    const here = hostname();
    const old = new Date(now - STALE_MS - 60_000);
    const rows = {
      deadHere: await run({ fileName: "dead-here.log", owner: `${here}:${deadPid()}`, heartbeatAt: new Date(now) }),
      mine: await run({ fileName: "mine.log", owner: runOwner(), heartbeatAt: old }),
      aliveElsewhere: await run({ fileName: "alive-elsewhere.log", owner: "other-host:4242", heartbeatAt: new Date(now) }),
      staleElsewhere: await run({ fileName: "stale-elsewhere.log", owner: "other-host:4243", heartbeatAt: old }),
      legacyOld: await run({ fileName: "legacy-old.log", channel: "ui", startedAt: old }),
      legacyNew: await run({ fileName: "legacy-new.log", channel: "api" }),
      done: await run({ fileName: "done.log", status: "succeeded", owner: "other-host:1", heartbeatAt: old }),
    };
    const embedded = isEmbedded(db.prisma);
    // Embedded: one process holds the database, so whoever left a run running is gone (all but the finished one).
    expect(await markInterruptedRuns(db.prisma)).toBe(embedded ? 6 : 3);
    const after = new Map((await db.prisma.ingestRun.findMany()).map((r) => [r.id, r]));
    const status = (r: { id: string }) => after.get(r.id)?.status;
    expect(after.get(rows.deadHere.id)).toMatchObject({ status: "interrupted", error: INTERRUPTED_MESSAGE });
    expect(after.get(rows.deadHere.id)?.finishedAt).toBeInstanceOf(Date);
    expect(status(rows.staleElsewhere)).toBe("interrupted");
    expect(status(rows.legacyOld)).toBe("interrupted");
    for (const live of [rows.mine, rows.aliveElsewhere, rows.legacyNew]) expect(status(live)).toBe(embedded ? "interrupted" : "running");
    expect(status(rows.done)).toBe("succeeded");
    expect(await markInterruptedRuns(db.prisma)).toBe(0);
    const history = await listIngestRuns(db.prisma, { page: 1, pageSize: 50 });
    expect(history.rows.find((r) => r.id === rows.deadHere.id)?.status).toBe("interrupted");
    await db.prisma.ingestRun.deleteMany();
  });

  it("keeps a running ingest's heartbeat fresh on a server, from the database clock", async () => {
    const row = await run({ fileName: "beating.log", owner: runOwner(), heartbeatAt: new Date(0) });
    const heartbeat = startHeartbeat(db.prisma, row.id);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const seen = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: row.id } });
      if (isEmbedded(db.prisma)) expect(seen.heartbeatAt?.getTime()).toBe(0);
      else expect(Math.abs((seen.heartbeatAt?.getTime() ?? 0) - Date.now())).toBeLessThan(30_000);
    } finally {
      heartbeat.stop();
      await db.prisma.ingestRun.deleteMany();
    }
  });

  it("an ingest killed mid-way (SIGKILL) shows as interrupted once a Postern process next opens the database, and stored nothing", async () => {
    const file = path.join(dir, "killed.jsonl");
    await writeFile(file, kongLog(150_000, "killed.example.com"));
    let url: string;
    let check: Database;
    if (db.target.kind === "postgres") {
      url = db.target.url;
      await ingestAndKill(url, file);
      // A Postern process starts on this host: the run's process is gone.
      check = await openDatabase({ kind: "postgres", url });
    } else {
      const dataDir = path.join(dir, "pglite");
      url = `pglite:${dataDir}`;
      // The child must hold the embedded database alone: a fresh one (migrated on first open).
      await ingestAndKill(url, file);
      check = await openDatabase({ kind: "pglite", dataDir });
    }
    try {
      expect(check.interruptedRuns).toBe(1);
      const runs = await check.prisma.ingestRun.findMany({ where: { fileName: "killed.jsonl" } });
      expect(runs).toHaveLength(1);
      expect(runs[0]).toMatchObject({ status: "interrupted", error: INTERRUPTED_MESSAGE, channel: "cli" });
      expect(runs[0]?.owner).toMatch(new RegExp(`^${hostname()}:\\d+$`));
      expect(await check.prisma.trafficEndpointHour.count({ where: { scopeKey: "host:killed.example.com" } })).toBe(0);
      const history = await listIngestRuns(check.prisma, { page: 1, pageSize: 10 });
      expect(history.rows.find((r) => r.fileName === "killed.jsonl")?.status).toBe("interrupted");
    } finally {
      await check.close();
    }
  }, 180_000);

  it.runIf(kind.name === "postgresql")("two ingests of the same file at once, on separate connections as two CLI processes would be, store it once", async () => {
    if (db.target.kind !== "postgres") throw new Error("unreachable");
    const other = await openDatabase({ kind: "postgres", url: db.target.url });
    try {
      const both = async (content: string, name: string) =>
        Promise.all(
          [db, other].map((d) => ingest(d.prisma, { file: bufferSource(content, name), channel: "cli", actor: system, correlate: false })),
        );
      // A document: the second transaction waits at the lock before writing anything, then finds the first's run.
      const spec = await both(SHOP_SPEC, "race.json");
      expect(spec.map((r) => r.status).sort()).toEqual(["duplicate", "succeeded"]);
      expect(spec.find((r) => r.status === "duplicate")?.message).toMatch(/identical content was already ingested from race\.json/);
      expect(await db.prisma.api.count({ where: { identity: "shop.example.com/v1" } })).toBe(1);
      expect(await db.prisma.apiSource.count({ where: { fileName: "race.json" } })).toBe(1);
      // A log: both read and aggregate it; the second finds the first at the end and rolls back.
      const lines = 3_000;
      const log = await both(kongLog(lines, "race.example.com"), "race.jsonl");
      expect(log.map((r) => r.status).sort()).toEqual(["duplicate", "succeeded"]);
      const sum = await db.prisma.trafficEndpointHour.aggregate({ where: { scopeKey: await hostScope(db.prisma, "race.example.com") }, _sum: { requests: true } });
      expect(sum._sum.requests).toBe(lines);
      const runs = await db.prisma.ingestRun.findMany({ where: { fileName: { in: ["race.json", "race.jsonl"] } } });
      expect(runs.map((r) => r.status).sort()).toEqual(["duplicate", "duplicate", "succeeded", "succeeded"]);
    } finally {
      await other.close();
    }
  }, 120_000);
});
