// Prisma CLI configuration. Only `prisma generate` is used: migrations are created and applied by our own
// scripts through the WASM schema engine (see scripts/create-migration.ts and server/db/migrate.ts).
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
});
