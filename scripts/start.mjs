#!/usr/bin/env node
// `npm start`: set up the database (migrations, first admin, demo data), build if needed, serve on :3000.
// `npm run dev` does the same with `next dev`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = process.env.PORT ?? "3000";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", POSTERN_URL: process.env.POSTERN_URL ?? `http://localhost:${port}` };
const bin = (name) => path.join(root, "node_modules", ".bin", name);

function run(command, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: "inherit", env: { ...env, ...extraEnv } });
    child.on("exit", (code, signal) => (code === 0 ? resolve() : reject(new Error(`${path.basename(command)} ${args[0] ?? ""} exited with ${code ?? signal}`))));
  });
}

try {
  await run(bin("tsx"), ["scripts/setup.ts"]);
  if (!dev && (process.env.POSTERN_REBUILD === "1" || !existsSync(path.join(root, ".next", "BUILD_ID")))) {
    await run(bin("next"), ["build"], { NODE_ENV: "production" });
  }
} catch (error) {
  console.error(`postern: ${error.message}`);
  process.exit(1);
}

const server = spawn(bin("next"), [dev ? "dev" : "start", "-p", port], { cwd: root, stdio: "inherit", env, detached: false });
console.log(`postern: serving on http://localhost:${port}`);
const stop = (signal) => {
  server.kill(signal);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
server.on("exit", (code) => process.exit(code ?? 0));
