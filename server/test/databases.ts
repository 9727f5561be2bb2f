/**
 * Integration tests run on an in-memory PGlite and, when POSTERN_TEST_POSTGRES_URL is set (scripts/test.sh sets it
 * when a server answers), on a throw-away database of that PostgreSQL server.
 */
import { randomBytes } from "node:crypto";
import pg from "pg";
import { type Database, openDatabase } from "@/server/db/client";

export interface TestDatabaseKind {
  name: string;
  open(): Promise<Database>;
}

function postgresKind(adminUrl: string): TestDatabaseKind {
  return {
    name: "postgresql",
    async open() {
      const dbName = `postern_test_${process.pid}_${randomBytes(4).toString("hex")}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
      const url = new URL(adminUrl);
      url.pathname = `/${dbName}`;
      const db = await openDatabase({ kind: "postgres", url: url.toString() });
      return {
        ...db,
        async close() {
          await db.close();
          const cleanup = new pg.Client({ connectionString: adminUrl });
          await cleanup.connect();
          await cleanup.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
          await cleanup.end();
        },
      };
    },
  };
}

export const TEST_DATABASES: TestDatabaseKind[] = [
  { name: "pglite", open: () => openDatabase({ kind: "pglite", dataDir: null }) },
  ...(process.env.POSTERN_TEST_POSTGRES_URL ? [postgresKind(process.env.POSTERN_TEST_POSTGRES_URL)] : []),
];
