import { createHash, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fromRoot } from "./root";
import type { SqlRunner } from "./sql-runner";

export const MIGRATIONS_DIR = fromRoot("prisma", "migrations");

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export async function loadMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const entries = (await readdir(/*turbopackIgnore: true*/ dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  entries.sort();
  return Promise.all(
    entries.map(async (name) => {
      const sql = await readFile(/*turbopackIgnore: true*/ path.join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    }),
  );
}

// Same table as Prisma Migrate keeps, so Prisma's tools recognise the history.
const HISTORY_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;

const APPLIED = `SELECT migration_name, checksum FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`;

async function upToDate(db: SqlRunner, migrations: Migration[]): Promise<boolean> {
  let applied: { migration_name: string; checksum: string }[];
  try {
    applied = await db.query(APPLIED);
  } catch {
    return false; // a new database: no history table yet
  }
  const byName = new Map(applied.map((row) => [row.migration_name, row.checksum]));
  return migrations.every((migration) => byName.get(migration.name) === migration.checksum);
}

// Serialises concurrent starts against one PostgreSQL server (e.g. two web instances).
const LOCK_KEY = 72_616_572; // arbitrary, stable

/**
 * Applies committed migrations in name order, each in its own transaction. Refuses to start when an applied
 * migration was edited afterwards (checksum mismatch) rather than guess.
 */
export async function applyMigrations(db: SqlRunner, migrations?: Migration[]): Promise<string[]> {
  const all = migrations ?? (await loadMigrations());
  // Every open checks (each CLI command): when the history already lists every migration with its checksum, one
  // read is enough; no DDL, no lock. Anything else (no table yet, missing or edited migrations) takes the full path.
  if (await upToDate(db, all)) return [];
  await db.exec(HISTORY_TABLE);
  await db.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
  try {
    const applied = await db.query<{ migration_name: string; checksum: string }>(APPLIED);
    const byName = new Map(applied.map((row) => [row.migration_name, row.checksum]));
    const done: string[] = [];
    for (const migration of all) {
      const checksum = byName.get(migration.name);
      if (checksum !== undefined) {
        if (checksum !== migration.checksum) {
          throw new Error(`Migration ${migration.name} was changed after it was applied; restore it or add a new one`);
        }
        continue;
      }
      await db.exec(`BEGIN;\n${migration.sql}\n;COMMIT;`).catch(async (error: unknown) => {
        await db.exec("ROLLBACK").catch(() => undefined);
        throw new Error(`Migration ${migration.name} failed: ${error instanceof Error ? error.message : String(error)}`);
      });
      await db.query(
        `INSERT INTO "_prisma_migrations" (id, checksum, migration_name, finished_at, applied_steps_count) VALUES ($1, $2, $3, now(), 1)`,
        [randomUUID(), migration.checksum, migration.name],
      );
      done.push(migration.name);
    }
    return done;
  } finally {
    await db.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]);
  }
}
