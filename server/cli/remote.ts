/**
 * The CLI beside a running server. An embedded database (PGlite) belongs to one process, so while `npm start`
 * serves one, the CLI does not open it: it asks the server to run the command instead.
 *
 * The server (scripts/serve.mjs) registers itself in `<POSTERN_HOME>/server.json` (mode 0600): its pid, port, the
 * data directory it serves and a random key made at each start. When DATABASE_URL names that data directory and the
 * server answers, the CLI posts the command line (with its working directory, and what the command reads from the
 * terminal) to http://127.0.0.1:<port>/api/internal/cli with that key, and the server runs the same command code
 * (remote-handler.ts) and streams back stdout, stderr and the exit code. A file left by a server that is gone (dead
 * pid, refused connection) is ignored and the CLI opens the database itself. PostgreSQL URLs are always opened
 * directly: any number of processes can share a server.
 *
 * This module stays light (node:http, no zod or Prisma): it runs before every database command.
 */
import { randomBytes } from "node:crypto";
import { readFile, realpath } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { resolveDatabaseTarget } from "@/server/db/config";
import { fromRoot } from "@/server/db/root";
import { type CliIO, CliError, type Command, EXIT, type RemoteInput, write } from "./commands/shared";

export const CLI_ROUTE = "/api/internal/cli";
export const SERVER_FILE = "server.json";

/** What scripts/serve.mjs writes to <POSTERN_HOME>/server.json. */
export interface ServerEntry {
  pid: number;
  port: number;
  secret: string;
  /** Absolute data directory of the embedded database the server serves. */
  dataDir: string;
}

/** The body of a run request (validated again by the server: remote-handler.ts). */
export interface RunRequest extends RemoteInput {
  id: string;
  argv: string[];
  cwd: string;
  stdoutTTY: boolean;
  stderrTTY: boolean;
  debug: boolean;
}

/** One line of the streamed answer: a piece of stdout (text, or bytes in base64) or stderr, or the exit code (last). */
export type RunEvent = { o: string } | { b: string } | { e: string } | { exit: number };

/** Postern's state directory: POSTERN_HOME (relative to the project) or .postern, as server/auth/secret.ts reads it. */
export function posternHome(env: Record<string, string | undefined> = process.env): string {
  return env.POSTERN_HOME ? fromRoot(env.POSTERN_HOME) : fromRoot(".postern");
}

export function serverFilePath(env: Record<string, string | undefined> = process.env): string {
  return path.join(posternHome(env), SERVER_FILE);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parseEntry(text: string): ServerEntry | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!value || typeof value !== "object") return null;
  const { pid, port, secret, dataDir } = value as Record<string, unknown>;
  if (!Number.isInteger(pid) || (pid as number) <= 0) return null;
  if (!Number.isInteger(port) || (port as number) <= 0 || (port as number) > 65535) return null;
  if (typeof secret !== "string" || secret.length < 32 || typeof dataDir !== "string" || !path.isAbsolute(dataDir)) return null;
  return { pid: pid as number, port: port as number, secret, dataDir };
}

async function sameDirectory(a: string, b: string): Promise<boolean> {
  if (path.resolve(a) === path.resolve(b)) return true;
  try {
    return (await realpath(a)) === (await realpath(b));
  } catch {
    return false;
  }
}

/**
 * The server serving the embedded database that DATABASE_URL names, or null: not an embedded database on disk, no
 * (readable) server.json, another data directory, or a server that is gone.
 */
export async function findServer(env: Record<string, string | undefined> = process.env): Promise<ServerEntry | null> {
  let target;
  try {
    target = resolveDatabaseTarget(env.DATABASE_URL || undefined);
  } catch {
    return null; // opening the database locally reports the bad URL
  }
  if (target.kind !== "pglite" || target.dataDir === null) return null;
  let text: string;
  try {
    text = await readFile(serverFilePath(env), "utf8");
  } catch {
    return null;
  }
  const entry = parseEntry(text);
  if (!entry || !isAlive(entry.pid) || !(await sameDirectory(entry.dataDir, target.dataDir))) return null;
  return entry;
}

/** The server did not take the command (nothing listening, or not a Postern server): the CLI runs it itself. */
class Unreachable extends Error {}

function post(server: ServerEntry, body: unknown, signal?: AbortSignal): Promise<http.IncomingMessage> {
  const payload = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: "127.0.0.1",
        port: server.port,
        path: CLI_ROUTE,
        method: "POST",
        headers: {
          authorization: `Bearer ${server.secret}`,
          "content-type": "application/json",
          "content-length": payload.byteLength,
        },
        ...(signal ? { signal } : {}),
      },
      resolve,
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(error.code === "ECONNREFUSED" || error.code === "ENOTFOUND" || error.code === "EADDRNOTAVAIL" ? new Unreachable(error.message) : error);
    });
    request.end(payload);
  });
}

async function readBody(response: http.IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of response) parts.push(chunk as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/**
 * Asks the server to stop a command it runs for us (after Ctrl-C); the command's own answer still comes back. The
 * cancel may overtake the command on its way in (404: not running yet), so it is asked again until `done`.
 */
async function cancel(server: ServerEntry, id: string, done: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 50 && !done(); attempt++) {
    try {
      const response = await post(server, { cancel: id });
      response.resume();
      if (response.statusCode !== 404) return;
    } catch {
      return; // the server is gone: nothing left to stop
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs `argv` on `server` and returns its exit code, or null when the server did not answer as a Postern server
 * (connection refused, no such route): the caller then runs the command itself. `command` is the command's module
 * when it reads the terminal (see Command.remoteInput).
 */
export async function runOnServer(server: ServerEntry, argv: string[], io: CliIO, command?: Command): Promise<number | null> {
  const env = io.env ?? process.env;
  const input = command?.remoteInput ? await command.remoteInput(argv.slice(1), io) : {};
  const id = randomBytes(16).toString("base64url");
  const body: RunRequest = {
    id,
    argv,
    cwd: io.cwd ?? process.cwd(),
    stdoutTTY: io.stdout.isTTY === true,
    stderrTTY: io.stderr.isTTY === true,
    debug: env.POSTERN_DEBUG === "1",
    ...input,
  };
  let ended = false;
  const onAbort = () => void cancel(server, id, () => ended);
  io.signal?.addEventListener("abort", onAbort, { once: true });
  if (io.signal?.aborted) onAbort();
  try {
    let response: http.IncomingMessage;
    try {
      response = await post(server, body);
    } catch (error) {
      if (error instanceof Unreachable) return null;
      throw new CliError(`cannot reach the Postern server on port ${server.port} (${(error as Error).message})`);
    }
    if (response.statusCode === 404) {
      response.resume();
      return null;
    }
    if (response.statusCode !== 200) {
      const text = await readBody(response).catch(() => "");
      let reason = `HTTP ${response.statusCode}`;
      try {
        reason = (JSON.parse(text) as { error?: string }).error ?? reason;
      } catch {
        // not JSON
      }
      throw new CliError(`the Postern server on port ${server.port} refused the command: ${reason}`);
    }

    let exit: number | null = null;
    let pending = "";
    response.setEncoding("utf8");
    for await (const chunk of response as AsyncIterable<string>) {
      pending += chunk;
      let newline = pending.indexOf("\n");
      while (newline !== -1) {
        const text = pending.slice(0, newline);
        pending = pending.slice(newline + 1);
        newline = pending.indexOf("\n");
        if (!text) continue;
        const event = JSON.parse(text) as RunEvent;
        if ("o" in event) await write(io.stdout, event.o);
        else if ("b" in event) await write(io.stdout, Buffer.from(event.b, "base64"));
        else if ("e" in event) await write(io.stderr, event.e);
        else exit = event.exit;
      }
    }
    if (exit === null) throw new CliError(`the Postern server on port ${server.port} stopped before the command ended`);
    return exit;
  } catch (error) {
    if (error instanceof CliError) throw error;
    if (io.signal?.aborted) throw new CliError("interrupted", EXIT.interrupted);
    throw new CliError(`lost the connection to the Postern server on port ${server.port} (${(error as Error).message})`);
  } finally {
    ended = true;
    io.signal?.removeEventListener("abort", onAbort);
  }
}
