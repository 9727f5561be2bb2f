#!/usr/bin/env node
// The web server `npm start` runs, in place of `next start`: Next.js's request handler behind Node's own HTTP
// server, so that this process can
//  - tell the app each request's peer address (markPeer: x-postern-peer from the socket, a client's dropped, with
//    x-postern-peer-key, a key made at each start and registered in this process only), so that sign-in rate limits
//    and lockouts count per client without a proxy header (server/auth/client.ts);
//  - let the CLI run its commands here while it holds the embedded database: it sets the peer address the CLI
//    route checks (markPeer) and registers a key of this start in <POSTERN_HOME>/server.json (mode 0600), removed
//    when it stops (server/cli/remote.ts, server/cli/remote-handler.ts);
//  - stop cleanly on SIGTERM or SIGINT, or when its parent (scripts/start.mjs) is gone: stop accepting
//    connections, let requests finish (10 s, then their connections are closed and their work is cancelled),
//    cancel background ingest jobs and mark their runs interrupted, close the database, remove server.json, exit 0.
// Run with --dev for `next dev`'s behaviour. The app must have been built (`next build`) otherwise.
import http from "node:http";
import { setInterval } from "node:timers";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  CLI_SERVER_KEY,
  embeddedDataDir,
  LIFECYCLE_KEY,
  markPeer,
  newSecret,
  registerPeerKey,
  removeServerFile,
  serverFilePath,
  writeServerFile,
} from "./serve-support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dev = process.argv.includes("--dev");
const port = Number(process.env.PORT ?? 3000);
/** Requests still running when a stop begins get this long before their connections are closed. */
const GRACE_MS = Number(process.env.POSTERN_STOP_GRACE_MS ?? 10_000);
/** After this, the process exits whatever is left (the next start marks unfinished ingest runs as interrupted). */
const HARD_STOP_MS = GRACE_MS + 20_000;

process.env.NODE_ENV = dev ? "development" : "production";
process.title = "postern-server";
const { default: next } = await import("next");
// Before Next.js loads the app: from the first request on, the app trusts x-postern-peer only with this key.
const peerKey = registerPeerKey();
const app = next({ dev, dir: root, port, ...(dev ? { turbopack: true } : {}) });
const handle = app.getRequestHandler();
await app.prepare();

/** Responses not yet finished (closed), to wait for when stopping. */
const inFlight = new Set();
let stopping = null;

const server = http.createServer((req, res) => {
  markPeer(req, peerKey);
  inFlight.add(res);
  res.once("close", () => inFlight.delete(res));
  if (stopping) res.setHeader("connection", "close");
  handle(req, res).catch((error) => {
    console.error(`postern: request failed: ${error instanceof Error ? error.message : error}`);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
if (dev) server.on("upgrade", app.getUpgradeHandler());

await new Promise((resolve, reject) => {
  server.once("error", reject);
  server.listen(port, () => {
    server.off("error", reject);
    resolve();
  });
});
const address = server.address();
const listening = typeof address === "object" && address ? address.port : port;

const serverFile = serverFilePath(process.env, root);
const dataDir = embeddedDataDir(process.env.DATABASE_URL, root);
if (dataDir) {
  const secret = newSecret();
  globalThis[CLI_SERVER_KEY] = { secret };
  writeServerFile(serverFile, { pid: process.pid, port: listening, secret, dataDir });
  process.on("exit", () => removeServerFile(serverFile));
}
console.log(`postern: serving on http://localhost:${listening}`);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
async function until(condition, ms) {
  const end = Date.now() + ms;
  while (!condition() && Date.now() < end) await sleep(50);
  return condition();
}
/** Resolves when the promise settles or after `ms`, whichever comes first (a stop never hangs on one step). */
function within(promise, ms, what) {
  return Promise.race([
    Promise.resolve(promise).catch((error) => console.error(`postern: ${what} failed: ${error instanceof Error ? error.message : error}`)),
    sleep(ms).then(() => console.error(`postern: ${what} took more than ${ms / 1000} s; going on`)),
  ]);
}

async function stop(reason) {
  if (stopping) {
    if (reason === "SIGINT" || reason === "SIGTERM") {
      console.error(`postern: ${reason} again: exiting now`);
      process.exit(1);
    }
    return;
  }
  stopping = reason;
  console.log(`postern: ${reason}: stopping (waiting for requests and ingest jobs)…`);
  setTimeout(() => {
    console.error(`postern: could not stop within ${HARD_STOP_MS / 1000} s; exiting`);
    process.exit(1);
  }, HARD_STOP_MS).unref();

  const closed = new Promise((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const lifecycle = globalThis[LIFECYCLE_KEY];
  const jobs = lifecycle
    ? lifecycle.stopIngestJobs().then(
        (count) => count && console.log(`postern: cancelled ${count} ingest job(s); their runs are marked interrupted`),
        (error) => console.error(`postern: stopping ingest jobs failed: ${error instanceof Error ? error.message : error}`),
      )
    : Promise.resolve();
  const requests = until(() => inFlight.size === 0, GRACE_MS);
  await Promise.all([jobs, requests]);
  if (inFlight.size) {
    console.error(`postern: ${inFlight.size} request(s) still running after ${GRACE_MS / 1000} s; closing their connections`);
    server.closeAllConnections();
    await until(() => inFlight.size === 0, 5000);
  }
  server.closeIdleConnections();
  await within(closed, 5000, "closing connections");
  await within(app.close(), 5000, "stopping Next.js");
  if (lifecycle) await within(lifecycle.closeDatabase(), 10_000, "closing the database");
  removeServerFile(serverFile);
  console.log("postern: stopped");
  process.exit(0);
}

process.on("SIGINT", () => void stop("SIGINT"));
process.on("SIGTERM", () => void stop("SIGTERM"));
// Started by scripts/start.mjs: if it is gone (killed with SIGKILL), stop rather than serve on unattended.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stop("parent process gone");
}, 1000).unref();
