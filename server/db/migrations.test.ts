import { PGlite } from "@electric-sql/pglite";
import { describe, expect, it } from "vitest";
import { applyMigrations, loadMigrations } from "./migrate";
import { pendingSchemaSql } from "./schema-engine";
import { pgliteRunner } from "./sql-runner";

describe("migrations", () => {
  it("produce exactly the schema in schema.prisma (an engine diff comes back empty)", async () => {
    expect(await pendingSchemaSql()).toBe("");
  });

  it("apply once, then are a no-op, and refuse an edited migration", async () => {
    const db = new PGlite();
    const runner = pgliteRunner(db);
    const migrations = await loadMigrations();
    expect(migrations.length).toBeGreaterThan(0);
    expect(await applyMigrations(runner, migrations)).toEqual(migrations.map((m) => m.name));
    expect(await applyMigrations(runner, migrations)).toEqual([]);
    const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: "0".repeat(64) } : m));
    await expect(applyMigrations(runner, edited)).rejects.toThrow(/was changed after it was applied/);
    await db.close();
  });
});
