import { parseArgs } from "node:util";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { FINDING_STATUSES, type FindingStatus } from "@/server/domain/findings";
import { parseAsOf } from "./correlate";
import { type CliIO, CliError, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase } from "./shared";

const AS = `  --as EMAIL           the person acting (their role decides what they may do; default: the first admin)`;

const TRANSITION_HELP = `Usage: postern finding transition ID STATE [--reason TEXT] [--expires ISO] [--duplicate-of ID] [--as EMAIL]

Moves a finding to STATE (${FINDING_STATUSES.join(", ")}), as the workflow allows for the acting person's
role: developers move their teams' findings along; security and admins also accept risks, confirm false
positives, mark duplicates and reopen. Recorded in the finding's history and the audit log (origin cli).

Options:
  --reason TEXT        why (required for risk_accepted and false_positive)
  --expires ISO        risk_accepted: when the acceptance ends, e.g. 2026-12-31 (at most the maximum acceptance days)
  --duplicate-of ID    duplicate: the original finding
${AS}
  -h, --help           show this help`;

const ASSIGN_HELP = `Usage: postern finding assign ID --to EMAIL|--unassign [--as EMAIL]

Assigns a finding to a person of the team that owns its Api (security or admins for findings without one).

Options:
  --to EMAIL           the assignee
  --unassign           assign it to nobody
${AS}
  -h, --help           show this help`;

const COMMENT_HELP = `Usage: postern finding comment ID --text TEXT [--as EMAIL]

Adds a comment (markdown) to a finding's history.

Options:
  --text TEXT          the comment
${AS}
  -h, --help           show this help`;

const HELP_TEXT = `Usage: postern finding transition|assign|comment ID …

Commands:
  transition   move a finding to a state (see postern finding transition --help)
  assign       assign a finding to a person (see postern finding assign --help)
  comment      comment on a finding (see postern finding comment --help)`;

const AS_OPTION = { as: { type: "string" } } as const;

/** The person the command acts as: --as EMAIL (active), else the earliest active admin. */
export async function actingPerson(prisma: Db, email: string | undefined): Promise<Actor> {
  const select = { id: true, email: true, role: true, deactivatedAt: true, memberships: { select: { teamId: true } } } as const;
  const user = email
    ? await prisma.user.findUnique({ where: { email: email.trim().toLowerCase() }, select })
    : await prisma.user.findFirst({ where: { role: "admin", deactivatedAt: null }, orderBy: [{ createdAt: "asc" }, { id: "asc" }], select });
  if (!user) throw new CliError(email ? `no user with email ${email.trim().toLowerCase()}` : "no admin to act as: name a person with --as EMAIL (postern user create)");
  if (user.deactivatedAt) throw new CliError(`${user.email} is deactivated`);
  const { isRole } = await import("@/server/auth/roles");
  if (!isRole(user.role)) throw new CliError(`${user.email} has no known role`);
  return { type: "user", userId: user.id, email: user.email, role: user.role, teamIds: user.memberships.map((m) => m.teamId) };
}

/** Runs a workflow call; its refusals (not found, not allowed, bad input) are one-line failures. */
async function refusalsAsFailures<T>(call: () => Promise<T>): Promise<T> {
  const { DomainError } = await import("@/server/domain/errors");
  try {
    return await call();
  } catch (error) {
    if (error instanceof DomainError) throw new CliError(error.message);
    throw error;
  }
}

function oneId(positionals: string[], usage: string): string {
  const [id, ...extra] = positionals;
  if (!id) throw new UsageError(`${usage} needs a finding ID`);
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  return id;
}

async function transition(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: { ...HELP, ...AS_OPTION, reason: { type: "string" }, expires: { type: "string" }, "duplicate-of": { type: "string" } },
    }),
  );
  if (values.help) {
    await line(io.stdout, TRANSITION_HELP);
    return EXIT.ok;
  }
  const [id, state, ...extra] = positionals;
  if (!id || !state) throw new UsageError("finding transition needs a finding ID and a STATE");
  if (extra.length) throw new UsageError(`unexpected argument "${extra[0]}"`);
  if (!(FINDING_STATUSES as readonly string[]).includes(state)) throw new UsageError(`unknown state "${state}" (choose ${FINDING_STATUSES.join(", ")})`);
  const expiresAt = values.expires === undefined ? undefined : parseAsOf(values.expires, "--expires");
  return withDatabase(io, async (prisma) => {
    const actor = await actingPerson(prisma, values.as);
    const { transitionFindings } = await import("@/server/findings/workflow");
    const before = await prisma.finding.findUnique({ where: { id }, select: { status: true } });
    await refusalsAsFailures(() =>
      transitionFindings(
        prisma,
        actor,
        {
          ids: [id],
          to: state as FindingStatus,
          ...(values.reason !== undefined ? { reason: values.reason } : {}),
          ...(expiresAt ? { expiresAt } : {}),
          ...(values["duplicate-of"] !== undefined ? { duplicateOf: values["duplicate-of"] } : {}),
        },
        { origin: "cli" },
      ),
    );
    await line(io.stdout, `Finding ${id}: ${before?.status ?? "?"} → ${state} (as ${actor.email}).`);
    return EXIT.ok;
  });
}

async function assign(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({ args, allowPositionals: true, strict: true, options: { ...HELP, ...AS_OPTION, to: { type: "string" }, unassign: { type: "boolean" } } }),
  );
  if (values.help) {
    await line(io.stdout, ASSIGN_HELP);
    return EXIT.ok;
  }
  const id = oneId(positionals, "finding assign");
  if ((values.to === undefined) === !values.unassign) throw new UsageError("finding assign needs --to EMAIL or --unassign");
  return withDatabase(io, async (prisma) => {
    const actor = await actingPerson(prisma, values.as);
    let assignee: { id: string; email: string } | null = null;
    if (values.to !== undefined) {
      const email = values.to.trim().toLowerCase();
      assignee = await prisma.user.findUnique({ where: { email }, select: { id: true, email: true } });
      if (!assignee) throw new CliError(`no user with email ${email}`);
    }
    const { assignFindingsTo } = await import("@/server/findings/workflow");
    const result = await refusalsAsFailures(() => assignFindingsTo(prisma, actor, { ids: [id], assignee: assignee?.id ?? null }, { origin: "cli" }));
    const who = assignee ? `assigned to ${assignee.email}` : "unassigned";
    await line(io.stdout, `Finding ${id} ${result.changed ? who : `was already ${who}`} (as ${actor.email}).`);
    return EXIT.ok;
  });
}

async function comment(args: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseOrThrow(() =>
    parseArgs({ args, allowPositionals: true, strict: true, options: { ...HELP, ...AS_OPTION, text: { type: "string" } } }),
  );
  if (values.help) {
    await line(io.stdout, COMMENT_HELP);
    return EXIT.ok;
  }
  const id = oneId(positionals, "finding comment");
  const text = values.text?.trim();
  if (!text) throw new UsageError("finding comment needs --text TEXT");
  return withDatabase(io, async (prisma) => {
    const actor = await actingPerson(prisma, values.as);
    const { commentOnFinding } = await import("@/server/findings/workflow");
    await refusalsAsFailures(() => commentOnFinding(prisma, actor, { id, body: text }, { origin: "cli" }));
    await line(io.stdout, `Commented on finding ${id} (as ${actor.email}).`);
    return EXIT.ok;
  });
}

async function run(args: string[], io: CliIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "transition") return transition(rest, io);
  if (sub === "assign") return assign(rest, io);
  if (sub === "comment") return comment(rest, io);
  if (sub === undefined || sub === "--help" || sub === "-h" || sub === "help") {
    await line(sub === undefined ? io.stderr : io.stdout, HELP_TEXT);
    return sub === undefined ? EXIT.usage : EXIT.ok;
  }
  throw new UsageError(`unknown finding command "${sub}" (try postern finding --help)`);
}

export const command: Command = { name: "finding", summary: "move, assign and comment on findings", help: HELP_TEXT, run };
