/**
 * Prisma's schema engine, run from its WASM build so that no native engine is downloaded (TOOLCHAIN.md).
 * Used only by development tooling: creating a migration and proving that the migrations produce exactly
 * the schema in prisma/schema.prisma. Production start-up applies the committed SQL with server/db/migrate.ts.
 */
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";
import { PrismaPGlite } from "pglite-prisma-adapter";
import { applyMigrations } from "./migrate";
import { fromRoot } from "./root";
import { pgliteRunner } from "./sql-runner";

export const SCHEMA_PATH = fromRoot("prisma", "schema.prisma");

interface EngineModule {
  __wbg_set_wasm(exports: WebAssembly.Exports): void;
  SchemaEngine: {
    new: (options: unknown, log: (message: string) => void, adapter: unknown) => Promise<SchemaEngine>;
  };
}
interface SchemaEngine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string | null }>;
}

async function loadEngineModule(): Promise<EngineModule> {
  const require = createRequire(import.meta.url);
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bindings = (await import(bgPath)) as EngineModule & Record<string, unknown>;
  const wasmBytes = await readFile(path.join(path.dirname(bgPath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(wasmBytes, { "./schema_engine_bg.js": bindings as never });
  bindings.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return bindings;
}

/**
 * SQL that takes a database with the committed migrations applied to the state of schema.prisma.
 * Empty when the migrations are complete.
 */
export async function pendingSchemaSql(schemaPath = SCHEMA_PATH): Promise<string> {
  const engineModule = await loadEngineModule();
  const schema = await readFile(schemaPath, "utf8");
  const db = new PGlite();
  try {
    await applyMigrations(pgliteRunner(db));
    const factory = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(db) as never);
    const engine = await engineModule.SchemaEngine.new(
      { datamodels: [[schemaPath, schema]] },
      () => undefined,
      factory,
    );
    const files = [{ path: schemaPath, content: schema }];
    const result = await engine.diff({
      from: { tag: "schemaDatasource", files, configDir: path.dirname(schemaPath) },
      to: { tag: "schemaDatamodel", files },
      script: true,
      exitCode: null,
      shadowDatabaseUrl: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = (result.stdout ?? "").trim();
    return sql === "-- This is an empty migration." ? "" : sql;
  } finally {
    await db.close();
  }
}
