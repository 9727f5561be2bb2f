import { parseArgs } from "node:util";
import { isRole, ROLES } from "@/server/auth/roles";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, readAll, UsageError, withDatabase } from "./shared";

const CREATE_HELP = `Usage: postern user create --email EMAIL --role ROLE [--team TEAM]… [--name NAME] [--password-stdin]

Creates a person who signs in with email and password. Without --password-stdin a password is generated and
printed once on stdout (everything else goes to stderr), e.g. PASSWORD=$(postern user create …).

Options:
  --email EMAIL      sign-in email (stored lower-case)
  --role ROLE        one of ${ROLES.join(", ")}
  --team TEAM        team to join (created if missing); repeat for several teams
  --name NAME        display name (default: the part of the email before @)
  --password-stdin   read the password from stdin (at least 12 characters; one trailing newline is dropped)
  -h, --help         show this help`;

const HELP_TEXT = `Usage: postern user create …

Commands:
  create   create a person (see postern user create --help)`;

async function create(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrThrow(() =>
    parseArgs({
      args,
      strict: true,
      options: {
        ...HELP,
        email: { type: "string" },
        role: { type: "string" },
        team: { type: "string", multiple: true },
        name: { type: "string" },
        "password-stdin": { type: "boolean" },
      },
    }),
  );
  if (values.help) {
    await line(io.stdout, CREATE_HELP);
    return EXIT.ok;
  }
  if (!values.email) throw new UsageError("user create needs --email");
  if (!values.role) throw new UsageError(`user create needs --role (${ROLES.join(", ")})`);
  const role = values.role;
  if (!isRole(role)) throw new UsageError(`unknown role "${values.role}" (choose ${ROLES.join(", ")})`);
  const teams = (values.team ?? []).map((t) => t.trim()).filter(Boolean);

  let password: string;
  const generated = !values["password-stdin"];
  const { createUser, generatePassword, PeopleError } = await import("@/server/people/service");
  if (values["password-stdin"]) {
    if (!io.stdin) throw new UsageError("--password-stdin needs a password on stdin");
    password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
    if (!password) throw new UsageError("no password on stdin");
  } else {
    password = generatePassword();
  }

  return withDatabase(io, async (prisma) => {
    let user: { id: string; email: string };
    try {
      user = await createUser(prisma, {
        email: values.email ?? "",
        role,
        password,
        teams,
        ...(values.name?.trim() ? { name: values.name.trim() } : {}),
      });
    } catch (error) {
      if (error instanceof PeopleError) throw new CliError(error.message);
      throw error;
    }
    await prisma.auditLog.create({
      data: { actorType: "system", action: "user.create", targetType: "user", targetId: user.id, details: { email: user.email, role, teams, channel: "cli" } },
    });
    const teamText = teams.length ? ` in ${teams.join(", ")}` : "";
    await line(io.stderr, `Created user ${user.email} (${role})${teamText}.`);
    if (generated) {
      await line(io.stderr, "Generated password (shown once, store it now):");
      await line(io.stdout, password);
    }
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
  throw new UsageError(`unknown user command "${sub}" (try postern user create --help)`);
}

export const command: Command = { name: "user", summary: "create people who sign in to the dashboard", help: HELP_TEXT, run };
