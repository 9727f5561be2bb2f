// postern audit purge: the retention purge the server runs daily, on demand and as of a chosen time.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "@/server/db/client";
import { type CliIO, run } from "./main";

function collector() {
  let text = "";
  return {
    stream: {
      write(chunk: string) {
        text += chunk;
        return true;
      },
    },
    get text() {
      return text;
    },
  };
}

describe("postern audit purge", () => {
  let dir: string;
  let url: string;

  async function cli(argv: string[]) {
    const out = collector();
    const err = collector();
    const io: CliIO = { stdout: out.stream, stderr: err.stream, env: { DATABASE_URL: url } };
    const code = await run(argv, io);
    return { code, stdout: out.text, stderr: err.text };
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "postern-cli-audit-"));
    url = `pglite:${dir}/db`;
    // Two audited changes, made now.
    expect((await cli(["team", "create", "payments"])).code).toBe(0);
    expect((await cli(["team", "create", "orders"])).code).toBe(0);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("keeps what is within the retention, purges what is past it, and audits the purge as the CLI's", async () => {
    const now = await cli(["audit", "purge"]);
    expect(now).toMatchObject({ code: 0, stdout: expect.stringMatching(/^Purged 0 audit records older than .* \(retention 365 days\)\.\n$/) });

    // A year and a day later, both records are past the default retention of 365 days.
    const later = new Date(Date.now() + 366 * 86_400_000).toISOString();
    const purged = await cli(["audit", "purge", "--as-of", later]);
    expect(purged.code, purged.stderr).toBe(0);
    expect(purged.stdout).toMatch(/^Purged 2 audit records older than /);

    const db = await openDatabase({ kind: "pglite", dataDir: `${dir}/db` });
    try {
      const rows = await db.prisma.auditLog.findMany({ select: { action: true, details: true } });
      expect(rows).toEqual([{ action: "audit.purge", details: expect.objectContaining({ deleted: 2, days: 365, origin: "cli" }) }]);
    } finally {
      await db.close();
    }
  });

  it("refuses a malformed --as-of and unknown arguments with a usage error", async () => {
    expect(await cli(["audit", "purge", "--as-of", "yesterday"])).toMatchObject({ code: 2, stderr: expect.stringContaining("not an ISO 8601") });
    expect(await cli(["audit", "purge", "everything"])).toMatchObject({ code: 2 });
    expect(await cli(["audit", "drop"])).toMatchObject({ code: 2, stderr: expect.stringContaining('unknown audit command "drop"') });
  });
});
