import { parseArgs } from "node:util";
import { type CliIO, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase } from "./shared";
import { parseAsOf } from "./correlate";

const PURGE_HELP = `Usage: postern audit purge [--as-of ISO-8601]

Deletes audit records older than the retention set in Settings → Audit (default 365 days), as the server's daily
schedule does, and records the purge itself in the audit log. Prints how many records it deleted.

Options:
  --as-of ISO   the time the retention is measured back from (default: now)
  -h, --help    show this help`;

const HELP_TEXT = `Usage: postern audit purge [--as-of ISO-8601]

Commands:
  purge   delete audit records older than the retention (see postern audit purge --help)`;

async function purge(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() => parseArgs({ args, allowPositionals: true, strict: true, options: { ...HELP, "as-of": { type: "string" } } }));
  if (values.help) {
    await line(io.stdout, PURGE_HELP);
    return EXIT.ok;
  }
  if (positionals.length) throw new UsageError("audit purge takes no arguments");
  const now = values["as-of"] === undefined ? new Date() : parseAsOf(values["as-of"]);
  return withDatabase(io, async (prisma) => {
    const { getRetention, purgeAudit } = await import("@/server/audit/service");
    const { days } = await getRetention(prisma);
    const deleted = await purgeAudit(prisma, now, "cli");
    const before = new Date(now.getTime() - days * 86_400_000).toISOString();
    await line(io.stdout, `Purged ${deleted} audit record${deleted === 1 ? "" : "s"} older than ${before} (retention ${days} days).`);
    return EXIT.ok;
  });
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "purge") return purge(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    await line(sub === undefined ? io.stderr : io.stdout, HELP_TEXT);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown audit command "${sub}" (try postern audit purge --help)`);
}

export const command: Command = { name: "audit", summary: "purge audit records past their retention", help: HELP_TEXT, run };
