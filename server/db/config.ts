import { fromRoot } from "./root";

/** Where the data lives: `pglite:<dir>` (embedded, default), `pglite:memory` (tests) or a `postgresql://` URL. */
export type DatabaseTarget =
  | { kind: "pglite"; dataDir: string | null }
  | { kind: "postgres"; url: string };

export const DEFAULT_DATABASE_URL = "pglite:./.postern/db";

export function resolveDatabaseTarget(url = process.env.DATABASE_URL || DEFAULT_DATABASE_URL): DatabaseTarget {
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) return { kind: "postgres", url };
  if (url.startsWith("pglite:")) {
    const location = url.slice("pglite:".length);
    if (location === "memory" || location === "") return { kind: "pglite", dataDir: null };
    return { kind: "pglite", dataDir: fromRoot(location) };
  }
  throw new Error("DATABASE_URL must start with pglite: or postgresql://");
}

/** The URL without its password, for messages. */
export function describeTarget(target: DatabaseTarget): string {
  if (target.kind === "pglite") return target.dataDir ? `embedded PostgreSQL at ${target.dataDir}` : "in-memory PostgreSQL";
  try {
    const u = new URL(target.url);
    return `PostgreSQL ${u.hostname}:${u.port || 5432}${u.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}
