import { copyFile, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import {
  cancelIngestJob,
  credentialKey,
  getIngestJob,
  type IngestJobView,
  IngestJobRefused,
  JOB_TTL_MS,
  startIngestJob,
  waitForIngestJob,
} from "./jobs";
import { SAMPLES_DIR } from "./test-utils";

const admin: Actor = { type: "user", userId: "u-admin", email: "admin@example.com", role: "admin", teamIds: [] };
const owner = credentialKey("session-cookie-of-the-uploader");
const stranger = credentialKey("someone-elses-cookie");
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

async function spool(files: { name: string; from?: string; content?: string }[]) {
  const dir = await mkdtemp(path.join(tmpdir(), "postern-jobs-test-"));
  const spooled = [];
  for (const [i, f] of files.entries()) {
    const file = path.join(dir, String(i));
    if (f.from) await copyFile(path.join(SAMPLES_DIR, f.from), file);
    else await writeFile(file, f.content ?? "");
    spooled.push({ file, name: f.name });
  }
  return { dir, files: spooled };
}

/**
 * A HashiCorp Vault audit log of `n` request/response pairs reading `secrets` kv secrets (~350 bytes a line). Vault
 * audits stream like gateway logs; the traffic tables are being reworked, so these tests do not depend on them.
 */
function vaultLog(n: number, secrets: number, day: number): string {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const time = T0 + day * 86_400_000 + i * 1_000;
    const auth = { display_name: `svc-${i % 97}`, entity_id: `entity-${i % 97}`, policies: ["default"], token_type: "service" };
    const request = { id: `req-${day}-${i}`, operation: "read", mount_type: "kv", path: `secret/data/app-${i % secrets}/db`, remote_address: `10.0.${i % 250}.7`, namespace: { id: "root" } };
    lines.push(JSON.stringify({ time: new Date(time).toISOString(), type: "request", auth, request }));
    lines.push(JSON.stringify({ time: new Date(time + 3).toISOString(), type: "response", auth, request, response: { mount_type: "kv" } }));
  }
  return `${lines.join("\n")}\n`;
}

/** An OpenAPI document with `n` paths (~150 bytes each). */
function bigSpec(n: number): string {
  const paths = Object.fromEntries(
    Array.from({ length: n }, (_, i) => [`/resources-${i}/{id}`, { get: { summary: `Read resource ${i}`, responses: { "200": { description: "ok" } } } }]),
  );
  return JSON.stringify({ openapi: "3.0.3", info: { title: "Huge API", version: "1" }, servers: [{ url: "https://huge.example.com" }], paths }, null, 1);
}

/** Row counts of every table but the run history: what an ingest wrote, whatever the schema looks like. */
async function tableCounts(db: Database): Promise<Record<string, number>> {
  const tables = await db.prisma.$queryRawUnsafe<{ name: string }[]>(
    "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    if (name === "ingest_run" || name.startsWith("_")) continue;
    const [row] = await db.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "${name.replaceAll('"', '""')}"`);
    counts[name] = Number(row?.n ?? 0);
  }
  return counts;
}

describe.each(TEST_DATABASES)("background ingest jobs on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const start = (spooled: { dir: string; files: { file: string; name: string }[] }, extra: Partial<Parameters<typeof startIngestJob>[1]> = {}) =>
    startIngestJob(db.prisma, { spooledDir: spooled.dir, files: spooled.files, channel: "ui", actor: admin, options: {}, ownerKey: owner, ...extra });

  it("runs the files in the background, reports progress per phase and removes the spool", async () => {
    const before = await tableCounts(db);
    const spooled = await spool([
      { name: "vault-audit.log", content: vaultLog(3_000, 40, 0) },
      { name: "zap.json", from: "scan-results/zap-petstore-api-scan.json" },
    ]);
    const updates: IngestJobView[] = [];
    const id = start(spooled, { onUpdate: (v) => updates.push(v) });
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(getIngestJob(id, owner)?.status).toMatch(/queued|running/);

    const job = await waitForIngestJob(id, owner);
    expect(job?.status).toBe("succeeded");
    const [log, zap] = job!.files;
    expect(log).toMatchObject({ name: "vault-audit.log", status: "succeeded", phase: "done", percent: 100, lines: 6_000 });
    expect(log!.records).toBeGreaterThan(0);
    expect(log!.bytesRead).toBe(log!.sizeBytes);
    expect(log!.sizeBytes).toBeGreaterThan(1_000_000);
    expect(log!.result).toMatchObject({ status: "succeeded", format: "vault-audit", family: "vault" });
    expect(zap).toMatchObject({ name: "zap.json", status: "succeeded", phase: "done" });
    expect(zap!.result?.format).toBe("zap-json");
    expect(job!.startedAt).not.toBeNull();
    expect(job!.finishedAt).not.toBeNull();
    expect(job!.elapsedMs).toBeGreaterThanOrEqual(0);

    // A log is hashed while it is parsed (one read); a document is hashed first, then parsed: each pass reports.
    const logPhases = updates.map((u) => u.files[0]!.phase);
    expect(logPhases).toContain("ingesting");
    expect(logPhases).not.toContain("hashing");
    expect(updates.some((u) => u.files[0]!.phase === "ingesting" && u.files[0]!.percent > 0 && u.files[0]!.percent < 100)).toBe(true);
    const zapPhases = updates.map((u) => u.files[1]!.phase);
    expect(zapPhases).toContain("hashing");
    expect(zapPhases.indexOf("hashing")).toBeLessThan(zapPhases.indexOf("ingesting"));
    expect(updates.some((u) => u.status === "running" && u.files[0]!.status === "running")).toBe(true);

    const after = await tableCounts(db);
    expect(after.secret).toBeGreaterThan(before.secret ?? 0);
    expect(existsSync(spooled.dir)).toBe(false);
    // Nothing about the server leaks into what the UI sees.
    expect(JSON.stringify(job)).not.toContain(spooled.dir);
    expect(JSON.stringify(job)).not.toContain(owner);
  });

  it("cancelling a running job rolls back what it stored and ends cancelled", async () => {
    const before = await tableCounts(db);
    const spooled = await spool([
      { name: "big-vault.log", content: vaultLog(60_000, 20_000, 1) },
      { name: "never-started.json", from: "scan-results/zap-petstore-api-scan.json" },
    ]);
    let cancelledAt: IngestJobView | null = null;
    const id = start(spooled, {
      onUpdate: (v) => {
        // 8 MiB into the parse pass: inside the ingest transaction, after the vault persister has flushed rows.
        const f = v.files[0]!;
        if (!cancelledAt && f.phase === "ingesting" && f.bytesRead >= 8 * 2 ** 20) cancelledAt = cancelIngestJob(id, owner);
      },
    });
    const job = await waitForIngestJob(id, owner);
    expect(cancelledAt).not.toBeNull();
    expect(cancelledAt!.cancelRequested).toBe(true);
    expect(cancelledAt!.status).toBe("running");
    expect(job?.status).toBe("cancelled");
    const [big, never] = job!.files;
    expect(big).toMatchObject({ status: "cancelled", phase: "done" });
    expect(big!.bytesRead).toBeLessThan(big!.sizeBytes);
    expect(big!.result).toMatchObject({ status: "cancelled", message: "cancelled; nothing was written" });
    expect(never).toMatchObject({ status: "cancelled", result: null });
    const run = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: big!.result!.runId } });
    expect(run.status).toBe("cancelled");
    expect(await db.prisma.ingestRun.count({ where: { fileName: "never-started.json" } })).toBe(0);
    expect(await tableCounts(db)).toEqual(before);
    expect(existsSync(spooled.dir)).toBe(false);
  });

  it("a cancel while a document is hashed stops reading at once and writes nothing", async () => {
    const before = await tableCounts(db);
    const spooled = await spool([{ name: "huge-spec.json", content: bigSpec(25_000) }]);
    const id = start(spooled, {
      onUpdate: (v) => {
        if (v.files[0]!.phase === "hashing" && !v.cancelRequested) cancelIngestJob(id, owner);
      },
    });
    const job = await waitForIngestJob(id, owner);
    expect(job?.status).toBe("cancelled");
    const [file] = job!.files;
    expect(file).toMatchObject({ status: "cancelled", phase: "done" });
    expect(file!.sizeBytes).toBeGreaterThan(3 * 2 ** 20);
    expect(file!.bytesRead).toBeLessThan(file!.sizeBytes);
    expect(file!.result).toMatchObject({ status: "cancelled" });
    expect(await tableCounts(db)).toEqual(before);
    expect(existsSync(spooled.dir)).toBe(false);
  });

  it("a job waits for the one before it; cancelled while queued it never runs", async () => {
    const first = await spool([{ name: "first.log", content: vaultLog(5_000, 30, 3) }]);
    const second = await spool([{ name: "queued.json", from: "scan-results/stackhawk-many-vul.json" }]);
    const a = start(first);
    const b = start(second);
    expect(getIngestJob(b, owner)?.status).toBe("queued");
    expect(cancelIngestJob(b, owner)?.status).toBe("cancelled");
    const queued = await waitForIngestJob(b, owner);
    expect(queued?.files[0]).toMatchObject({ status: "cancelled", result: null });
    expect(existsSync(second.dir)).toBe(false);
    expect((await waitForIngestJob(a, owner))?.status).toBe("succeeded");
    expect(await db.prisma.ingestRun.count({ where: { fileName: "queued.json" } })).toBe(0);
  });

  it("is invisible to any other credential, and cannot be cancelled by it", async () => {
    const spooled = await spool([{ name: "petstore.json", from: "api-inventory/swagger2-petstore.json" }]);
    const id = start(spooled);
    expect(getIngestJob(id, stranger)).toBeNull();
    expect(cancelIngestJob(id, stranger)).toBeNull();
    expect(getIngestJob(id, "not-a-key")).toBeNull();
    expect(getIngestJob("AAAAAAAAAAAAAAAAAAAAAA", owner)).toBeNull();
    const job = await waitForIngestJob(id, owner);
    expect(job?.status).toBe("succeeded");
    expect(job?.cancelRequested).toBe(false);
  });

  it("records what ingest() throws as a failure without details, and keeps going", async () => {
    const spooled = await spool([{ name: "petstore-again.json", from: "api-inventory/swagger2-petstore.json" }]);
    const missing = { file: path.join(spooled.dir, "gone"), name: "gone.log" };
    const errors = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const id = start({ dir: spooled.dir, files: [missing, ...spooled.files] });
    const job = await waitForIngestJob(id, owner);
    errors.mockRestore();
    expect(job?.status).toBe("failed");
    expect(job!.files[0]).toMatchObject({ status: "failed", error: "internal error while ingesting the file; nothing was written", result: null });
    expect(job!.files[1]!.result?.status).toBe("duplicate");
    expect(JSON.stringify(job)).not.toContain(spooled.dir);
    expect(existsSync(spooled.dir)).toBe(false);
  });

  it("refuses actors who may not ingest", async () => {
    const spooled = await spool([{ name: "x.json", from: "api-inventory/swagger2-petstore.json" }]);
    const developer: Actor = { ...admin, role: "developer" };
    expect(() => start(spooled, { actor: developer })).toThrow(IngestJobRefused);
    await rm(spooled.dir, { recursive: true, force: true });
  });

  it("forgets finished jobs after an hour", async () => {
    const spooled = await spool([{ name: "crapi.json", from: "api-inventory/crapi-openapi-spec.json" }]);
    const id = start(spooled);
    expect((await waitForIngestJob(id, owner))?.status).toBe("succeeded");
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(Date.now() + JOB_TTL_MS - 60_000);
    expect(getIngestJob(id, owner)).not.toBeNull();
    vi.setSystemTime(Date.now() + 120_000);
    expect(getIngestJob(id, owner)).toBeNull();
  });
});
