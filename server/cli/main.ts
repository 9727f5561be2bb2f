/**
 * The `postern` command line. `run(argv, io)` is the whole CLI without touching the process (tests call it
 * in-process); `main()` wires it to the real process: streams, exit code and signals. bin/postern.mjs loads this
 * file from a bundle (scripts/cli-bundle.mjs), or through tsx when the bundle cannot be built.
 *
 * Commands that use the database run in the server when `npm start` serves the same embedded database
 * (remote.ts): same code, same output, same exit codes.
 *
 * Exit codes: 0 success, 1 failure (e.g. a file that did not ingest), 2 bad usage or the embedded database held by
 * another process, 130 interrupted. Failures print ONE line `postern: <reason>` on stderr; stack traces only with
 * POSTERN_DEBUG=1.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { fromRoot } from "@/server/db/root";
import { type CliIO, CliError, type Command, EXIT, line, UsageError } from "./commands/shared";

export type { CliIO } from "./commands/shared";

/**
 * Command modules load on demand, so `--help` or a usage error never pays for Prisma, PGlite or the parsers. Every
 * command here opens the database; `terminal` ones read stdin or prompt (loaded before a server runs them).
 */
const COMMANDS: Record<string, { summary: string; load: () => Promise<Command>; terminal?: true }> = {
  ingest: { summary: "ingest inventories, scan results, gateway logs and vault audits", load: async () => (await import("./commands/ingest")).command },
  export: { summary: "export Apis, endpoints or findings as JSON or CSV", load: async () => (await import("./commands/export")).command },
  report: { summary: "write a compliance report (pdf, csv or json)", load: async () => (await import("./commands/report")).command },
  correlate: { summary: "recompute derived data as of a point in time", load: async () => (await import("./commands/correlate")).command },
  finding: { summary: "move, assign and comment on findings", load: async () => (await import("./commands/finding")).command },
  user: { summary: "create people and set their passwords", load: async () => (await import("./commands/user")).command, terminal: true },
  team: { summary: "create teams that own Apis and findings", load: async () => (await import("./commands/team")).command },
  token: { summary: "create API tokens for CI jobs and log shippers", load: async () => (await import("./commands/token")).command },
  migrate: { summary: "create or upgrade the database schema", load: async () => (await import("./commands/migrate")).command },
  audit: { summary: "purge audit records past their retention", load: async () => (await import("./commands/audit")).command },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  return [
    "Usage: postern <command> [options]",
    "",
    "Commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    "",
    "Run postern <command> --help for a command's options.",
    "",
    "Environment:",
    "  DATABASE_URL   pglite:<dir> (default pglite:./.postern/db in the project), pglite:memory or postgresql://…",
    "  POSTERN_DEBUG  1 to print stack traces of unexpected errors",
  ].join("\n");
}

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(fromRoot("package.json"), "utf8")) as { version?: string };
    return pkg.version ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** One line, whatever the error: the first line of its message, without trailing punctuation noise. */
function oneLine(text: string): string {
  const first = text.split(/\r?\n/).find((l) => l.trim()) ?? "unexpected error";
  return first.trim();
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code. Never throws. */
export async function run(argv: string[], io: CliIO): Promise<number> {
  const env = io.env ?? process.env;
  const debug = env.POSTERN_DEBUG === "1";
  const fail = async (message: string, code: number) => {
    await line(io.stderr, `postern: ${oneLine(message)}`);
    return code;
  };
  try {
    const [name, ...rest] = argv;
    if (name === undefined) {
      await line(io.stderr, usage());
      return EXIT.usage;
    }
    if (name === "--help" || name === "-h" || name === "help") {
      const topic = name === "help" ? rest[0] : undefined;
      if (topic !== undefined) {
        const entry = COMMANDS[topic];
        if (!entry) return await fail(`unknown command "${topic}" (see postern --help)`, EXIT.usage);
        await line(io.stdout, (await entry.load()).help);
      } else {
        await line(io.stdout, usage());
      }
      return EXIT.ok;
    }
    if (name === "--version" || name === "-v") {
      await line(io.stdout, version());
      return EXIT.ok;
    }
    const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
    if (!entry) return await fail(`unknown command "${name}" (see postern --help)`, EXIT.usage);
    // A server serving this embedded database runs the command (io.database: this run is already the server's).
    if (!io.database) {
      const { findServer, runOnServer } = await import("./remote");
      const server = await findServer(env);
      if (server) {
        const code = await runOnServer(server, argv, io, entry.terminal ? await entry.load() : undefined);
        if (code !== null) return code;
      }
    }
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (error) {
    if (debug && error instanceof Error && error.stack) await line(io.stderr, error.stack);
    if (error instanceof UsageError) return fail(error.message, EXIT.usage);
    if (error instanceof CliError) return fail(error.message, error.exitCode);
    if (error instanceof Error && error.name === "DatabaseBusyError") return fail(error.message, EXIT.usage);
    if (io.signal?.aborted) return fail("interrupted", EXIT.interrupted);
    const message = error instanceof Error ? error.message : String(error);
    return fail(debug ? message : `${oneLine(message)}${message.includes("\n") ? " (POSTERN_DEBUG=1 for details)" : ""}`, EXIT.failure);
  }
}

/** Seconds given to a command to stop cleanly after SIGINT/SIGTERM (closing the database, removing the lock). */
const GRACE_MS = 10_000;

/** Runs the CLI as this process: real streams, exit code, and signals that stop it cleanly. */
export async function main(argv = process.argv.slice(2)): Promise<void> {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    const code = signal === "SIGINT" ? EXIT.interrupted : 128 + 15;
    if (signals > 1) process.exit(code); // second Ctrl-C: now ('exit' still removes the lock file)
    process.stderr.write(`\npostern: ${signal === "SIGINT" ? "interrupted" : "terminated"}, stopping…\n`);
    controller.abort();
    setTimeout(() => process.exit(code), GRACE_MS).unref();
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  // A closed pipe (postern export … | head) is not an error worth a stack trace.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(process.exitCode ?? 0);
  });
  const code = await run(argv, {
    stdout: process.stdout,
    stderr: process.stderr,
    // Touched only when a command reads it, so an unread stdin never holds the process open.
    stdin: { [Symbol.asyncIterator]: () => process.stdin[Symbol.asyncIterator]() },
    env: process.env,
    signal: controller.signal,
    cwd: process.cwd(),
    ...(process.stdin.isTTY && process.stderr.isTTY
      ? { prompt: async (question: string) => (await import("./prompt")).promptHidden(question, controller.signal) }
      : {}),
  });
  process.exitCode = controller.signal.aborted && code === EXIT.ok ? EXIT.interrupted : code;
  process.off("SIGINT", onSignal);
  process.off("SIGTERM", onSignal);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (invokedDirectly) await main();
