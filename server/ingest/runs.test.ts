import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "@/server/db/client";
import { TEST_DATABASES } from "@/server/test/databases";
import { INTERRUPTED_MESSAGE, listIngestRuns, markInterruptedRuns } from "./runs";

describe.each(TEST_DATABASES)("ingest runs on $name", (kind) => {
  let db: Database;
  beforeAll(async () => {
    db = await kind.open();
  });
  afterAll(async () => {
    await db?.close();
  });

  it("marks background runs left running by a stopped server as failed, and leaves CLI runs alone", async () => {
    const run = (channel: string, status: string) =>
      db.prisma.ingestRun.create({ data: { channel, fileName: `${channel}-${status}.log`, contentHash: "", status, actorType: "system" } });
    const ui = await run("ui", "running");
    const api = await run("api", "running");
    const cli = await run("cli", "running");
    const done = await run("ui", "succeeded");
    expect(await markInterruptedRuns(db.prisma)).toBe(2);
    const after = await db.prisma.ingestRun.findMany({ orderBy: { fileName: "asc" } });
    const byId = new Map(after.map((r) => [r.id, r]));
    expect(byId.get(ui.id)).toMatchObject({ status: "failed", error: INTERRUPTED_MESSAGE });
    expect(byId.get(ui.id)?.finishedAt).toBeInstanceOf(Date);
    expect(byId.get(api.id)?.status).toBe("failed");
    expect(byId.get(cli.id)?.status).toBe("running");
    expect(byId.get(done.id)?.status).toBe("succeeded");
    expect(await markInterruptedRuns(db.prisma)).toBe(0);
    expect((await listIngestRuns(db.prisma, { page: 1, pageSize: 10 })).total).toBe(4);
  });
});
