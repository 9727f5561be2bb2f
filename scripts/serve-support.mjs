// Helpers of scripts/serve.mjs, apart so that tests can load them without starting a server.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Same names as server/cli/remote-handler.ts (CLI_SERVER_KEY, PEER_HEADER), server/lifecycle.ts (LIFECYCLE_KEY) and
 * server/auth/client.ts (PEER_HEADER, PEER_KEY_HEADER, PEER_REGISTRATION).
 */
export const CLI_SERVER_KEY = Symbol.for("postern.cli-server");
export const LIFECYCLE_KEY = Symbol.for("postern.lifecycle");
export const PEER_HEADER = "x-postern-peer";
export const PEER_KEY_HEADER = "x-postern-peer-key";
export const PEER_REGISTRATION = Symbol.for("postern.peer");

/**
 * The data directory of an embedded database URL, as server/db/config.ts resolves it (relative to the project), or
 * null for pglite:memory and PostgreSQL: only a PGlite directory needs the CLI to go through the server.
 * @param {string | undefined} url
 * @param {string} root
 */
export function embeddedDataDir(url, root) {
  const value = url || "pglite:./.postern/db";
  if (!value.startsWith("pglite:")) return null;
  const location = value.slice("pglite:".length);
  return location === "memory" || location === "" ? null : path.resolve(root, location);
}

/**
 * <POSTERN_HOME>/server.json, as server/cli/remote.ts reads it.
 * @param {Record<string, string | undefined>} env
 * @param {string} root
 */
export function serverFilePath(env, root) {
  return path.join(path.resolve(root, env.POSTERN_HOME || ".postern"), "server.json");
}

/**
 * Sets the peer header from the socket, dropping any a client sent: the CLI route trusts only this one. With `key`
 * (registerPeerKey's), also the key header that tells the app this peer header is this server's own, so that
 * sign-in rate limits and lockouts count per peer address (server/auth/client.ts); a client-sent one is dropped too.
 * @param {import("node:http").IncomingMessage} req
 * @param {string} [key]
 */
export function markPeer(req, key) {
  const raw = req.rawHeaders;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    const name = raw[i]?.toLowerCase();
    if (name === PEER_HEADER || name === PEER_KEY_HEADER) raw.splice(i, 2);
  }
  delete req.headers[PEER_KEY_HEADER];
  const address = req.socket.remoteAddress ?? "";
  req.headers[PEER_HEADER] = address;
  raw.push(PEER_HEADER, address);
  if (key) {
    req.headers[PEER_KEY_HEADER] = key;
    raw.push(PEER_KEY_HEADER, key);
  }
}

/**
 * Makes the peer key of this start and registers it in this process (globalThis[PEER_REGISTRATION]), where the app
 * checks the key header markPeer sets. Never written anywhere else nor sent to a client.
 */
export function registerPeerKey() {
  const key = newSecret();
  globalThis[PEER_REGISTRATION] = { key };
  return key;
}

/** A fresh key for this start: 32 random bytes. */
export function newSecret() {
  return randomBytes(32).toString("base64url");
}

/**
 * Writes server.json readable by this user only (0600, also when an old file with other modes was there: a new
 * file is renamed over it).
 * @param {string} file
 * @param {{ pid: number; port: number; secret: string; dataDir: string }} entry
 */
export function writeServerFile(file, entry) {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  rmSync(temporary, { force: true });
  writeFileSync(temporary, `${JSON.stringify({ ...entry, startedAt: new Date().toISOString() })}\n`, { mode: 0o600, flag: "wx" });
  renameSync(temporary, file);
}

/**
 * Removes server.json if it is still this process's (a newer server may have replaced it).
 * @param {string} file
 * @param {number} pid
 */
export function removeServerFile(file, pid = process.pid) {
  try {
    if (JSON.parse(readFileSync(file, "utf8")).pid === pid) rmSync(file, { force: true });
  } catch {
    // gone, or not JSON: not ours to remove
  }
}
