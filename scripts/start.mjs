#!/usr/bin/env node
// `npm start`: set up the database (migrations, first admin, demo data), build if needed, serve on :3000
// (scripts/serve.mjs). `npm run dev` does the same with Next.js in development mode.
//
// Stopping: SIGINT or SIGTERM (npm forwards them: package.json runs this script with `exec`, so no shell sits in
// between) goes to the whole process group of the step that runs (each step is started in a group of its own:
// tsx and its node, next build and its workers, the server), and this script exits once the step has ended, with
// the server's exit code. The server stops cleanly (scripts/serve.mjs). A second signal is passed on too (the
// server then exits at once); a step still there 40 s after the first signal is killed. If this script's parent
// goes away without a signal (npm killed with SIGKILL), it stops the same way.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { setInterval } from "node:timers";
import { fileURLToPath } from "node:url";
import { ensureBundle } from "./cli-bundle.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = process.env.PORT ?? "3000";
const env = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", POSTERN_URL: process.env.POSTERN_URL ?? `http://localhost:${port}` };
const bin = (name) => path.join(root, "node_modules", ".bin", name);
const KILL_AFTER_MS = 40_000;

/** The step running now (its process leads a group of its own), and the signal that asked us to stop. */
let current = null;
let stopSignal = null;

function forward(signal) {
  if (!current || current.exitCode !== null || current.signalCode !== null) return;
  try {
    process.kill(-current.pid, signal);
  } catch {
    // the group is already gone
  }
}

function stop(signal) {
  const first = stopSignal === null;
  stopSignal ??= signal;
  if (!current) process.exit(128 + (signal === "SIGINT" ? 2 : 15));
  forward(signal);
  if (first) {
    setTimeout(() => {
      console.error(`postern: the server did not stop within ${KILL_AFTER_MS / 1000} s; killing it`);
      forward("SIGKILL");
    }, KILL_AFTER_MS).unref();
  }
}

process.on("SIGINT", () => stop("SIGINT"));
process.on("SIGTERM", () => stop("SIGTERM"));
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent && stopSignal === null) stop("SIGTERM");
}, 500).unref();

/** Runs one step in a process group of its own; resolves with its exit code (signals as 128 + n). */
function run(command, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    // stdin is not passed on: a process outside the terminal's foreground group that reads it would be stopped (SIGTTIN).
    const child = spawn(command, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], env: { ...env, ...extraEnv }, detached: true });
    current = child;
    child.once("error", reject);
    child.once("exit", (code, signal) => {
      current = null;
      resolve(code ?? 128 + (signal === "SIGKILL" ? 9 : signal === "SIGINT" ? 2 : 15));
    });
  });
}

async function step(command, args, extraEnv) {
  const code = await run(command, args, extraEnv);
  if (stopSignal) process.exit(128 + (stopSignal === "SIGINT" ? 2 : 15));
  if (code !== 0) {
    console.error(`postern: ${path.basename(command)} ${args[0] ?? ""} exited with ${code}`);
    process.exit(1);
  }
}

try {
  // The CLI's bundle, so that the first `npx postern` beside the server does not build it (scripts/cli-bundle.mjs).
  await ensureBundle(root);
  await step(bin("tsx"), ["scripts/setup.ts"]);
  if (!dev && (process.env.POSTERN_REBUILD === "1" || !existsSync(path.join(root, ".next", "BUILD_ID")))) {
    await step(bin("next"), ["build"], { NODE_ENV: "production" });
  }
} catch (error) {
  console.error(`postern: ${error.message}`);
  process.exit(1);
}

const code = await run(process.execPath, ["scripts/serve.mjs", ...(dev ? ["--dev"] : [])]);
process.exit(code);
