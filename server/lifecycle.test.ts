import { existsSync } from "node:fs";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/server/auth/roles";
import type { Database } from "@/server/db/client";
import { credentialKey, type IngestJobView, startIngestJob, waitForIngestJob } from "@/server/ingest/jobs";
import { INTERRUPTED_MESSAGE } from "@/server/ingest/runs";
import { TEST_DATABASES } from "@/server/test/databases";
import { LIFECYCLE_KEY, registerLifecycle, type ServerLifecycle, stopIngestJobs } from "./lifecycle";

const admin: Actor = { type: "user", userId: "u-admin", email: "admin@example.com", role: "admin", teamIds: [] };
const owner = credentialKey("session-of-the-uploader");

/** A Vault audit log of `n` request/response pairs (~350 bytes a line): big enough to be stopped while it is read. */
function vaultLog(n: number): string {
  const lines: string[] = [];
  const t0 = Date.UTC(2026, 0, 5, 8);
  for (let i = 0; i < n; i++) {
    const auth = { display_name: `svc-${i % 97}`, entity_id: `entity-${i % 97}`, policies: ["default"], token_type: "service" };
    const request = { id: `req-${i}`, operation: "read", mount_type: "kv", path: `secret/data/app-${i % 40}/db`, remote_address: `10.0.${i % 250}.7` };
    lines.push(JSON.stringify({ time: new Date(t0 + i * 1000).toISOString(), type: "request", auth, request }));
    lines.push(JSON.stringify({ time: new Date(t0 + i * 1000 + 3).toISOString(), type: "response", auth, request, response: { mount_type: "kv" } }));
  }
  return `${lines.join("\n")}\n`;
}

async function spool(names: string[], content: string) {
  const dir = await mkdtemp(path.join(tmpdir(), "postern-lifecycle-test-"));
  const files = [];
  for (const [i, name] of names.entries()) {
    const file = path.join(dir, String(i));
    await writeFile(file, content);
    files.push({ file, name });
  }
  return { dir, files };
}

describe.each(TEST_DATABASES)("server shutdown on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("cancels running and queued ingest jobs, waits for them and marks their runs interrupted", async () => {
    const spooled = await spool(["vault-1.log", "vault-2.log"], vaultLog(40_000));
    let stopping: Promise<number> | null = null;
    const onUpdate = (view: IngestJobView) => {
      const file = view.files[0];
      if (!stopping && file?.phase === "ingesting" && file.bytesRead >= 2 * 2 ** 20) stopping = stopIngestJobs(db.prisma);
    };
    const running = startIngestJob(db.prisma, { spooledDir: spooled.dir, files: spooled.files, channel: "ui", actor: admin, options: {}, ownerKey: owner, onUpdate });
    const queuedSpool = await spool(["later.log"], vaultLog(10));
    const queued = startIngestJob(db.prisma, { spooledDir: queuedSpool.dir, files: queuedSpool.files, channel: "api", actor: admin, options: {}, ownerKey: owner });

    const finished = await waitForIngestJob(running, owner);
    expect(stopping).not.toBeNull();
    expect(await stopping).toBe(2);
    // Both jobs ended before stopIngestJobs resolved, their spool directories removed.
    expect(finished?.status).toBe("cancelled");
    expect(finished?.files.map((f) => f.status)).toEqual(["cancelled", "cancelled"]);
    expect((await waitForIngestJob(queued, owner))?.status).toBe("cancelled");
    expect(existsSync(spooled.dir)).toBe(false);
    expect(existsSync(queuedSpool.dir)).toBe(false);

    // The run that was being written says it was interrupted, as the next start would; nothing else ran.
    const runId = finished?.files[0]?.result?.runId;
    expect(runId).toBeTruthy();
    const run = await db.prisma.ingestRun.findUniqueOrThrow({ where: { id: runId! } });
    expect(run).toMatchObject({ status: "interrupted", error: INTERRUPTED_MESSAGE });
    expect(await db.prisma.ingestRun.count({ where: { status: "running" } })).toBe(0);
    expect(await db.prisma.secret.count()).toBe(0);
  });

  it("has nothing to do without jobs", async () => {
    expect(await stopIngestJobs(db.prisma)).toBe(0);
  });
});

describe("registerLifecycle", () => {
  it("leaves the hooks where scripts/serve.mjs finds them", async () => {
    registerLifecycle();
    const lifecycle = (globalThis as Record<symbol, ServerLifecycle | undefined>)[LIFECYCLE_KEY];
    expect(Object.keys(lifecycle ?? {}).sort()).toEqual(["closeDatabase", "stopIngestJobs"]);
    expect(await lifecycle?.stopIngestJobs()).toBe(0);
    // Nothing was opened: closing opens nothing either.
    await lifecycle?.closeDatabase();
    const serve = await import("@/scripts/serve-support.mjs");
    expect(serve.LIFECYCLE_KEY).toBe(LIFECYCLE_KEY);
  });
});
