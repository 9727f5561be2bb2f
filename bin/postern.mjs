#!/usr/bin/env node
// The `postern` command: runs the TypeScript CLI (server/cli/main.ts) in this process through tsx's loader, with
// the repository's tsconfig (for the "@/" path alias) wherever it is invoked from. In-process rather than a child
// `node --import tsx` process: one Node start instead of two, and signals and exit codes need no forwarding.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Migrations, the default database (./.postern/db) and relative pglite: paths resolve from the project (server/db/root.ts).
process.env.POSTERN_ROOT ??= root;
register({ tsconfig: path.join(root, "tsconfig.json") });
const { main } = await import(new URL("../server/cli/main.ts", import.meta.url).href);
await main(process.argv.slice(2));
