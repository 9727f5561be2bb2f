/**
 * What every CLI command shares: its streams, its errors (mapped to exit codes by main.ts), argument parsing with
 * one-line messages, and opening/closing the database.
 */
import type { Db } from "@/server/db/client";

/** A writable the CLI prints to (process.stdout/stderr, or a collector in tests). Bytes only from binary output (report --format pdf). */
export interface OutStream {
  write(chunk: string | Uint8Array): boolean;
  once?(event: "drain", listener: () => void): unknown;
  isTTY?: boolean;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  /** Only read by commands that need it (`user create --password-stdin`). */
  stdin?: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;
  /** Environment (DATABASE_URL, POSTERN_DEBUG, POSTERN_HOME); defaults to process.env. */
  env?: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM: long commands stop between steps and clean up. */
  signal?: AbortSignal;
  /** The directory relative FILE arguments are resolved from (the caller's, also when a server runs the command); defaults to process.cwd(). */
  cwd?: string;
  /** Asks a question on the terminal without echoing the answer (passwords). Absent when there is no terminal. */
  prompt?: (question: string) => Promise<string>;
  /**
   * The database the command works on, already open and owned by the caller (the server running a command for the
   * CLI: see remote-handler.ts). Without it, withDatabase opens DATABASE_URL itself and closes it afterwards.
   */
  database?: () => Promise<{ prisma: Db; describe: string }>;
}

export const EXIT = {
  ok: 0,
  failure: 1,
  /** Bad usage, or the embedded database is held by another process. */
  usage: 2,
  interrupted: 130,
} as const;

/** Wrong arguments: exit 2, one line. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** An expected failure whose message is safe and complete: exit 1 (or the given code), one line. */
export class CliError extends Error {
  override name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = EXIT.failure,
  ) {
    super(message);
  }
}

/** What a command run by the server needs from the CLI's side: stdin read there, answers to its prompts. */
export interface RemoteInput {
  stdin?: string;
  answers?: string[];
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  run(args: string[], io: CliIO): Promise<number>;
  /**
   * When the server runs the command (remote.ts), the CLI first collects here what the command will read from the
   * terminal: stdin (--password-stdin) and prompted answers, which the server's run then reads in the same order.
   */
  remoteInput?(args: string[], io: CliIO): Promise<RemoteInput>;
}

/** Writes text (or bytes), waiting for the stream to drain when its buffer is full (large exports). */
export async function write(stream: OutStream, text: string | Uint8Array): Promise<void> {
  if (!stream.write(text) && stream.once) {
    const once = stream.once.bind(stream);
    await new Promise<void>((resolve) => once("drain", resolve));
  }
}

export function line(stream: OutStream, text = ""): Promise<void> {
  return write(stream, `${text}\n`);
}

/** The `--help`/`-h` option every command takes. */
export const HELP = { help: { type: "boolean", short: "h" } } as const;

/** Runs node:util parseArgs (strict) and turns its errors into one-line usage errors. */
export function parseOrThrow<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(usageMessage(error));
  }
}

function usageMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  // parseArgs messages can run to several sentences; keep the first, which names the problem.
  const first = message.split(/\.\s|\n/)[0]?.replace(/\.$/, "") ?? message;
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION") return first.replace(/^Unknown option/, "unknown option");
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") return first.replace(/^Unexpected argument/, "unexpected argument");
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * Opens the database (applying migrations, taking the PGlite lock), runs `fn`, and always closes it. When the
 * caller lends its own open database (io.database: the server running the command), uses that and leaves it open.
 */
export async function withDatabase<T>(io: CliIO, fn: (prisma: Db, describe: string) => Promise<T>): Promise<T> {
  if (io.database) {
    const { prisma, describe } = await io.database();
    return fn(prisma, describe);
  }
  // Loaded lazily so that `--help` and argument errors do not pay for Prisma and PGlite.
  const [{ openDatabase }, { resolveDatabaseTarget, describeTarget }] = await Promise.all([
    import("@/server/db/client"),
    import("@/server/db/config"),
  ]);
  const env = io.env ?? process.env;
  let target;
  try {
    target = resolveDatabaseTarget(env.DATABASE_URL || undefined);
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.usage);
  }
  const db = await openDatabase(target);
  try {
    return await fn(db.prisma, describeTarget(target));
  } finally {
    await db.close();
  }
}

/** Reads all of stdin as UTF-8. */
export async function readAll(input: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>): Promise<string> {
  const parts: Buffer[] = [];
  for await (const chunk of input) parts.push(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : Buffer.from(chunk));
  return Buffer.concat(parts).toString("utf8");
}

export function checkAborted(io: CliIO): void {
  if (io.signal?.aborted) throw new CliError("interrupted", EXIT.interrupted);
}
