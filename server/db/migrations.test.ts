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

  it("check an up-to-date database with one read (no DDL, no lock), and apply a new one by the full path", async () => {
    const db = new PGlite();
    const statements: string[] = [];
    const runner = pgliteRunner(db);
    const spy = {
      exec: (sql: string) => (statements.push(sql), runner.exec(sql)),
      query: <T,>(sql: string, params?: unknown[]) => (statements.push(sql), runner.query<T>(sql, params)),
    };
    const migrations = await loadMigrations();
    await applyMigrations(spy, migrations.slice(0, -1));
    statements.length = 0;
    expect(await applyMigrations(spy, migrations.slice(0, -1))).toEqual([]);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatch(/^SELECT migration_name, checksum FROM "_prisma_migrations"/);

    statements.length = 0;
    expect(await applyMigrations(spy, migrations)).toEqual([migrations.at(-1)?.name]);
    expect(statements.some((sql) => sql.includes("pg_advisory_lock"))).toBe(true);
    await db.close();
  });
});
