#!/usr/bin/env node
// The `postern` command: runs the CLI (server/cli/main.ts) in this process, from its bundle (scripts/cli-bundle.mjs:
// built on first use and again whenever a source file changed, so it is never stale), or through tsx's loader with
// the repository's tsconfig when the bundle cannot be built (or POSTERN_CLI_TSX=1). In-process rather than a child
// process: one Node start instead of two, and signals and exit codes need no forwarding.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { ensureBundle } from "../scripts/cli-bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Migrations, the default database (./.postern/db) and relative pglite: paths resolve from the project (server/db/root.ts).
process.env.POSTERN_ROOT ??= root;
const entry = process.env.POSTERN_CLI_TSX === "1" ? null : await ensureBundle(root);
let cli;
if (entry) {
  cli = await import(pathToFileURL(entry).href);
} else {
  const { register } = await import("tsx/esm/api");
  register({ tsconfig: path.join(root, "tsconfig.json") });
  cli = await import(new URL("../server/cli/main.ts", import.meta.url).href);
}
await cli.main(process.argv.slice(2));
