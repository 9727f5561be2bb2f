import { parseArgs } from "node:util";
import { type CliIO, type Command, EXIT, HELP, line, parseOrThrow, withDatabase } from "./shared";

const HELP_TEXT = `Usage: postern migrate

Opens the database named by DATABASE_URL (default pglite:./.postern/db), applies the migrations it lacks, and
reports how many are applied. Every command does this on open; this one does nothing else.

Options:
  -h, --help   show this help`;

async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrThrow(() => parseArgs({ args, strict: true, options: { ...HELP } }));
  if (values.help) {
    await line(io.stdout, HELP_TEXT);
    return EXIT.ok;
  }
  // Migrations applied by this open finish after this instant (less a margin for a server's clock).
  const started = new Date(Date.now() - 2000);
  return withDatabase(io, async (prisma, where) => {
    const rows = await prisma.$queryRaw<{ total: number; recent: number; latest: string | null }[]>`
      SELECT count(*)::int AS total,
             count(*) FILTER (WHERE finished_at >= ${started})::int AS recent,
             max(migration_name) AS latest
      FROM "_prisma_migrations" WHERE rolled_back_at IS NULL AND finished_at IS NOT NULL`;
    const { total = 0, recent = 0, latest = null } = rows[0] ?? {};
    await line(
      io.stdout,
      `Database ready (${where}): ${total} ${total === 1 ? "migration" : "migrations"} applied` +
        `${latest ? `, latest ${latest}` : ""}; ${recent === 0 ? "none" : recent} applied just now.`,
    );
    return EXIT.ok;
  });
}

export const command: Command = { name: "migrate", summary: "create or upgrade the database schema", help: HELP_TEXT, run };
