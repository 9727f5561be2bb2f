import { parseArgs } from "node:util";
import { isRole, ROLES } from "@/server/auth/roles";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, readAll, type RemoteInput, UsageError, withDatabase } from "./shared";
import { recordAudit } from "@/server/audit/recorder";

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

const PASSWD_HELP = `Usage: postern user passwd EMAIL [--password-stdin]

Sets the sign-in password of a person. Asks for the new password twice on the terminal, or reads it from stdin
with --password-stdin. The account is unlocked and the person's sessions are ended, so that they sign in again.

Options:
  --password-stdin   read the password from stdin (at least 12 characters; one trailing newline is dropped)
  -h, --help         show this help`;

const HELP_TEXT = `Usage: postern user create|passwd …

Commands:
  create   create a person (see postern user create --help)
  passwd   set a person's password (see postern user passwd --help)`;

/** One password from stdin: everything read, less one trailing newline. */
async function passwordFromStdin(io: CliIO): Promise<string> {
  if (!io.stdin) throw new UsageError("--password-stdin needs a password on stdin");
  const password = (await readAll(io.stdin)).replace(/\r?\n$/, "");
  if (!password) throw new UsageError("no password on stdin");
  return password;
}

const PASSWD_OPTIONS = { ...HELP, "password-stdin": { type: "boolean" } } as const;

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

  const generated = !values["password-stdin"];
  const { createUser, generatePassword, PeopleError } = await import("@/server/people/service");
  const password = values["password-stdin"] ? await passwordFromStdin(io) : generatePassword();

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
    await recordAudit(prisma, { actor: { type: "system" }, action: "user.create", target: { type: "user", id: user.id }, origin: "cli", details: { email: user.email, role, teams } });
    const teamText = teams.length ? ` in ${teams.join(", ")}` : "";
    await line(io.stderr, `Created user ${user.email} (${role})${teamText}.`);
    if (generated) {
      await line(io.stderr, "Generated password (shown once, store it now):");
      await line(io.stdout, password);
    }
    return EXIT.ok;
  });
}

async function passwd(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() => parseArgs({ args, allowPositionals: true, strict: true, options: PASSWD_OPTIONS }));
  if (values.help) {
    await line(io.stdout, PASSWD_HELP);
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new UsageError(positionals.length ? `unexpected argument "${positionals[1]}"` : "user passwd needs the EMAIL of the person");
  const email = (positionals[0] ?? "").trim().toLowerCase();
  let password: string;
  if (values["password-stdin"]) {
    password = await passwordFromStdin(io);
  } else {
    if (!io.prompt) throw new UsageError("no terminal to ask for the password on: pipe it with --password-stdin");
    password = await io.prompt(`New password for ${email}: `);
    if (!password) throw new CliError("no password given; nothing changed");
    if ((await io.prompt("Repeat it: ")) !== password) throw new CliError("the two passwords differ; nothing changed");
  }
  const { setPassword, PeopleError } = await import("@/server/people/service");
  return withDatabase(io, async (prisma) => {
    let user: { id: string; email: string; sessionsEnded: number };
    try {
      user = await setPassword(prisma, email, password);
    } catch (error) {
      if (error instanceof PeopleError) throw new CliError(error.message);
      throw error;
    }
    await recordAudit(prisma, { actor: { type: "system" }, action: "user.passwd", target: { type: "user", id: user.id }, origin: "cli", details: { email: user.email, sessionsEnded: user.sessionsEnded } });
    const sessions = user.sessionsEnded === 1 ? "1 session" : `${user.sessionsEnded} sessions`;
    await line(io.stderr, `Changed the password of ${user.email}; ended ${sessions}.`);
    return EXIT.ok;
  });
}

/**
 * What the server needs from this terminal to run the command: the password from stdin, or the two prompted
 * answers (asked here, where the terminal is). Anything else is checked by the command itself, on the server.
 */
async function remoteInput(args: string[], io: CliIO): Promise<RemoteInput> {
  const [sub, ...rest] = args;
  if (sub !== "create" && sub !== "passwd") return {};
  let parsed;
  try {
    parsed = parseArgs({ args: rest, allowPositionals: true, strict: false, options: PASSWD_OPTIONS });
  } catch {
    return {}; // the server reports the usage error
  }
  const { values, positionals } = parsed;
  if (values.help === true) return {};
  if (values["password-stdin"] === true) return io.stdin ? { stdin: await readAll(io.stdin) } : {};
  if (sub === "create" || positionals.length !== 1 || !io.prompt) return {};
  const email = (positionals[0] ?? "").trim().toLowerCase();
  const password = await io.prompt(`New password for ${email}: `);
  return { answers: password ? [password, await io.prompt("Repeat it: ")] : [password] };
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "create") return create(rest, io);
  if (sub === "passwd") return passwd(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    await line(sub === undefined ? io.stderr : io.stdout, HELP_TEXT);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown user command "${sub}" (try postern user create --help)`);
}

export const command: Command = { name: "user", summary: "create people and set their passwords", help: HELP_TEXT, run, remoteInput };
