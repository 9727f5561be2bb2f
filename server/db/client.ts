/**
 * The one way to open Postern's database. `pglite:` URLs open an embedded PostgreSQL (PGlite) owned by this
 * process; `postgresql://` URLs use a server through @prisma/adapter-pg. Migrations are applied on open.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PrismaClient } from "@/generated/prisma/client";
import { markInterruptedRuns } from "@/server/ingest/runs";
import { type DatabaseTarget, describeTarget, resolveDatabaseTarget } from "./config";
import { markEmbedded } from "./kind";
import { applyMigrations } from "./migrate";
import { pgliteRunner, pgRunner } from "./sql-runner";

export type Db = InstanceType<typeof PrismaClient>;

export interface Database {
  prisma: Db;
  target: DatabaseTarget;
  close(): Promise<void>;
  /** Ingest runs found running at open whose process is gone, now marked interrupted (server/ingest/runs.ts). */
  interruptedRuns: number;
}

export class DatabaseBusyError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded database ${dataDir} is in use by another Postern process (pid ${pid}), probably the server. ` +
        `Stop it first, or point DATABASE_URL at a PostgreSQL server so that several processes can share it.`,
    );
    this.name = "DatabaseBusyError";
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A PGlite data directory belongs to one process: a PID lock file next to it says which. */
function lockDataDir(dataDir: string): () => void {
  mkdirSync(path.dirname(dataDir), { recursive: true });
  const lockFile = `${dataDir}.lock`;
  if (existsSync(lockFile)) {
    const pid = Number(readFileSync(lockFile, "utf8").trim());
    if (Number.isInteger(pid) && pid !== process.pid && isAlive(pid)) throw new DatabaseBusyError(dataDir, pid);
  }
  writeFileSync(lockFile, String(process.pid));
  const removeLock = () => {
    try {
      if (readFileSync(lockFile, "utf8").trim() === String(process.pid)) rmSync(lockFile);
    } catch {
      // already gone
    }
  };
  process.once("exit", removeLock);
  return () => {
    process.off("exit", removeLock);
    removeLock();
  };
}

/**
 * Server settings for the embedded database. PostgreSQL's default 128 MB of shared buffers are zeroed when PGlite
 * starts, so they are resident from the first query on (~120 MB of the process); Postern's working set is far
 * smaller, and pages evicted from the pool stay in the operating system's file cache. POSTERN_PGLITE_SHARED_BUFFERS
 * overrides it (a PostgreSQL size, e.g. "64MB").
 */
function pgliteSettings(): string[] {
  const sharedBuffers = process.env.POSTERN_PGLITE_SHARED_BUFFERS ?? "32MB";
  if (!/^\d+(kB|MB|GB)$/.test(sharedBuffers)) throw new Error(`POSTERN_PGLITE_SHARED_BUFFERS: "${sharedBuffers}" is not a size such as 32MB`);
  return ["-c", `shared_buffers=${sharedBuffers}`];
}

// The drivers load with the kind of database that is opened: a CLI command on the embedded database does not load
// pg and its Prisma adapter, nor one on PostgreSQL PGlite.
export async function openDatabase(target: DatabaseTarget = resolveDatabaseTarget()): Promise<Database> {
  if (target.kind === "pglite") {
    const release = target.dataDir ? lockDataDir(target.dataDir) : () => undefined;
    try {
      const [{ PGlite }, { PrismaPGlite }] = await Promise.all([import("@electric-sql/pglite"), import("pglite-prisma-adapter")]);
      const options = { startParams: [...PGlite.defaultStartParams, ...pgliteSettings()] };
      const db = target.dataDir ? new PGlite(target.dataDir, options) : new PGlite(options);
      const prisma = new PrismaClient({ adapter: new PrismaPGlite(db) });
      // Prisma loads its query compiler (WebAssembly) while PGlite compiles and starts its own: a CLI command's
      // first query no longer waits for it after the database is up.
      const connecting = prisma.$connect();
      connecting.catch(() => undefined);
      try {
        await db.waitReady;
        await applyMigrations(pgliteRunner(db));
        await connecting;
      } catch (error) {
        await prisma.$disconnect().catch(() => undefined);
        await db.close().catch(() => undefined);
        throw error;
      }
      markEmbedded(prisma);
      // This process holds the embedded database: a run still running was left by a process that is gone.
      const interruptedRuns = await markInterruptedRuns(prisma, { embedded: true });
      return {
        prisma,
        target,
        interruptedRuns,
        async close() {
          await prisma.$disconnect();
          await db.close();
          release();
        },
      };
    } catch (error) {
      release();
      throw error;
    }
  }
  const [{ default: pg }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
  const pool = new pg.Pool({ connectionString: target.url, max: 10 });
  // An idle connection the server drops (restart, failover, idle timeout) emits 'error' on the pool; unhandled, that
  // would end the process. The pool discards the client and opens a new one on the next query.
  pool.on("error", (error) => console.error(`postern: PostgreSQL connection lost (${error.message}); it will reconnect`));
  try {
    await applyMigrations(pgRunner(pool));
  } catch (error) {
    await pool.end();
    throw new Error(`Cannot prepare ${describeTarget(target)}: ${error instanceof Error ? error.message : error}`);
  }
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  let interruptedRuns: number;
  try {
    interruptedRuns = await markInterruptedRuns(prisma);
  } catch (error) {
    await prisma.$disconnect();
    await pool.end();
    throw error;
  }
  return {
    prisma,
    target,
    interruptedRuns,
    async close() {
      await prisma.$disconnect();
      await pool.end();
    },
  };
}

// One database per process for the web server (Next.js may evaluate modules more than once in development).
const globalForDb = globalThis as unknown as { posternDb?: Promise<Database> };

export function getDatabase(): Promise<Database> {
  globalForDb.posternDb ??= openDatabase().catch((error: unknown) => {
    globalForDb.posternDb = undefined;
    throw error;
  });
  return globalForDb.posternDb;
}

export async function getPrisma(): Promise<Db> {
  return (await getDatabase()).prisma;
}

/** Closes the process's database (getDatabase) if it was opened: the server's last step when it stops. */
export async function closeDatabase(): Promise<void> {
  const pending = globalForDb.posternDb;
  globalForDb.posternDb = undefined;
  const db = await pending?.catch(() => null);
  await db?.close();
}
