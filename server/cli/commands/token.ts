import { parseArgs } from "node:util";
import { TOKEN_SCOPES, type TokenScope } from "@/server/auth/tokens";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase } from "./shared";
import { recordAudit } from "@/server/audit/recorder";

const CREATE_HELP = `Usage: postern token create --user EMAIL --scopes ${TOKEN_SCOPES.join("[,")}${"]".repeat(TOKEN_SCOPES.length - 1)} [--name NAME] [--days 90]

Creates an API token for CI jobs and log shippers (POST /api/v1/ingest with "Authorization: Bearer <token>").
The token is printed once on stdout (everything else goes to stderr), e.g. TOKEN=$(postern token create …);
only its hash is stored.

Options:
  --user EMAIL     the person the token acts for (their role and teams apply)
  --scopes LIST    comma-separated: ${TOKEN_SCOPES.join(", ")}
  --name NAME      label shown in the token list (default: "cli")
  --days N         days until it expires (1-3650, default 90)
  -h, --help       show this help`;

const HELP_TEXT = `Usage: postern token create …

Commands:
  create   create an API token (see postern token create --help)`;

function isScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

async function create(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrThrow(() =>
    parseArgs({
      args,
      strict: true,
      options: { ...HELP, user: { type: "string" }, scopes: { type: "string" }, name: { type: "string" }, days: { type: "string" } },
    }),
  );
  if (values.help) {
    await line(io.stdout, CREATE_HELP);
    return EXIT.ok;
  }
  const email = values.user?.trim().toLowerCase();
  if (!email) throw new UsageError("token create needs --user EMAIL");
  if (!values.scopes) throw new UsageError(`token create needs --scopes (${TOKEN_SCOPES.join(", ")})`);
  const scopes: TokenScope[] = [];
  for (const raw of values.scopes.split(",")) {
    const scope = raw.trim();
    if (!scope) continue;
    if (!isScope(scope)) throw new UsageError(`unknown scope "${scope}" (choose ${TOKEN_SCOPES.join(", ")})`);
    if (!scopes.includes(scope)) scopes.push(scope);
  }
  if (!scopes.length) throw new UsageError(`--scopes needs at least one of ${TOKEN_SCOPES.join(", ")}`);
  const daysText = values.days ?? "90";
  const days = /^\d+$/.test(daysText) ? Number(daysText) : Number.NaN;
  if (!Number.isInteger(days) || days < 1 || days > 3650) throw new UsageError(`--days must be a whole number from 1 to 3650, not "${daysText}"`);
  const name = values.name?.trim() || "cli";
  if (name.length > 100) throw new UsageError("--name is longer than 100 characters");

  return withDatabase(io, async (prisma) => {
    const user = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
    if (!user) throw new CliError(`no user with email ${email}`);
    const { createApiToken } = await import("@/server/auth/tokens");
    const created = await createApiToken(prisma, { userId: user.id, name, scopes, expiresInDays: days });
    await recordAudit(prisma, { actor: { type: "system" }, action: "token.create", target: { type: "api_token", id: created.id }, origin: "cli", details: { name, scopes, userId: user.id } });
    await line(io.stderr, `Created token "${name}" for ${user.email} (scopes ${scopes.join(", ")}; expires ${created.expiresAt.toISOString()}).`);
    await line(io.stderr, "The token is shown once; store it now:");
    await line(io.stdout, created.token);
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
  throw new UsageError(`unknown token command "${sub}" (try postern token create --help)`);
}

export const command: Command = { name: "token", summary: "create API tokens for CI jobs and log shippers", help: HELP_TEXT, run };
