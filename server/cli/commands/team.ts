import { parseArgs } from "node:util";
import { slugify } from "@/server/domain/slug";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase } from "./shared";
import { recordAudit } from "@/server/audit/recorder";

const CREATE_HELP = `Usage: postern team create NAME

Creates a team. Its slug (used by --team options and as an Api owner) is the kebab-case of NAME.

Options:
  -h, --help   show this help`;

const HELP_TEXT = `Usage: postern team create NAME

Commands:
  create   create a team (see postern team create --help)`;

async function create(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() => parseArgs({ args, allowPositionals: true, strict: true, options: { ...HELP } }));
  if (values.help) {
    await line(io.stdout, CREATE_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? "team create takes one NAME (quote names with spaces)" : "team create needs a NAME");
  const name = (positionals[0] ?? "").trim();
  const slug = slugify(name);
  if (!slug) throw new UsageError(`"${name}" is not a usable team name`);
  return withDatabase(io, async (prisma) => {
    if (await prisma.team.findUnique({ where: { slug }, select: { id: true } })) throw new CliError(`a team with slug "${slug}" already exists`);
    const { ensureTeam } = await import("@/server/people/service");
    const team = await ensureTeam(prisma, name);
    await recordAudit(prisma, { actor: { type: "system" }, action: "team.create", target: { type: "team", id: team.id }, origin: "cli", details: { slug: team.slug, name: team.name } });
    await line(io.stdout, `Created team ${team.slug} (${team.name}).`);
    return EXIT.ok;
  });
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "create") return create(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    await line(sub === undefined ? io.stderr : io.stdout, HELP_TEXT);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown team command "${sub}" (try postern team create --help)`);
}

export const command: Command = { name: "team", summary: "create teams that own Apis and findings", help: HELP_TEXT, run };
