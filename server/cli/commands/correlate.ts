import { parseArgs } from "node:util";
import type { Db } from "@/server/db/client";
import { type CliIO, type Command, EXIT, HELP, line, parseOrThrow, UsageError, withDatabase } from "./shared";

const HELP_TEXT = `Usage: postern correlate [--as-of ISO-8601]

Recomputes what Postern derives from the stored evidence. Time windows are measured back from --as-of
(default: now), so old data can be evaluated as of its own time.

It recomputes the inventory aggregates of every Api (documented/observed endpoint counts, data classes, auth
kinds), re-links secrets to Apis, evaluates the posture, traffic and secret rules for every Api (opening,
updating, resolving and reopening their findings), and recomputes every Api's risk score and today's snapshot.
Then it does what the server's schedule does, as of --as-of: risk acceptances and suppression rules whose end
has come reopen their findings, and acceptances ending within the reminder lead time get their reminder.

Options:
  --as-of ISO   evaluation time, e.g. 2024-05-01 or 2024-05-01T12:00:00Z
  -h, --help    show this help`;

const BATCH = 1000;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/** Parses --as-of (or another `option`): an ISO 8601 date or date-time (UTC when no offset is given). */
export function parseAsOf(text: string, option = "--as-of"): Date {
  const value = text.trim();
  if (!ISO_8601.test(value)) throw new UsageError(`${option} "${text}" is not an ISO 8601 date or date-time (e.g. 2024-05-01T12:00:00Z)`);
  const hasTime = /[T ]/i.test(value);
  const hasZone = /(?:Z|[+-]\d{2}:?\d{2})$/i.test(value) && hasTime;
  const date = new Date(hasTime && !hasZone ? `${value.replace(" ", "T")}Z` : value);
  const [y, m, d] = value.slice(0, 10).split("-").map(Number);
  // Date() rolls 2024-02-31 over to March: reject dates that do not exist.
  const check = new Date(Date.UTC(y ?? 0, (m ?? 1) - 1, d ?? 0));
  if (Number.isNaN(date.getTime()) || check.getUTCMonth() !== (m ?? 0) - 1 || check.getUTCDate() !== d) {
    throw new UsageError(`${option} "${text}" is not a valid date`);
  }
  return date;
}

export interface CorrelateSummary {
  asOf: Date;
  apis: number;
  /** Always false here: the rules are evaluated by server/correlate/engine.ts, which the command runs next. */
  rulesEvaluated: boolean;
}

/**
 * The first step of `correlate`: recompute every Api's inventory aggregates, in batches of 1,000 by id. The rules
 * and risk scores follow (server/correlate/engine.ts).
 */
export async function correlateInventory(prisma: Db, { asOf }: { asOf: Date }): Promise<CorrelateSummary> {
  const { refreshApiAggregates } = await import("@/server/inventory/persist");
  let apis = 0;
  let after: string | undefined;
  for (;;) {
    const rows = await prisma.api.findMany({
      where: after === undefined ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: BATCH,
      select: { id: true },
    });
    if (rows.length === 0) break;
    const ids = rows.map((r) => r.id);
    await prisma.$transaction((tx) => refreshApiAggregates(tx, ids));
    apis += ids.length;
    if (rows.length < BATCH) break;
    after = ids[ids.length - 1];
  }
  return { asOf, apis, rulesEvaluated: false };
}

async function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseOrThrow(() => parseArgs({ args, strict: true, options: { ...HELP, "as-of": { type: "string" } } }));
  if (values.help) {
    await line(io.stdout, HELP_TEXT);
    return EXIT.ok;
  }
  const asOf = values["as-of"] === undefined ? new Date() : parseAsOf(values["as-of"]);
  return withDatabase(io, async (prisma) => {
    const summary = await correlateInventory(prisma, { asOf });
    await line(io.stdout, `Recomputed inventory aggregates for ${summary.apis} ${summary.apis === 1 ? "Api" : "Apis"} as of ${summary.asOf.toISOString()}.`);
    const { correlate } = await import("@/server/correlate/engine");
    const result = await correlate(prisma, { asOf, apiIds: null });
    const f = result.findings;
    await line(
      io.stdout,
      `Evaluated ${result.rulesEvaluated} rules: ${f.fired} findings fire (${f.created} new, ${f.updated} updated, ${f.reopened} reopened), ${f.resolved} resolved; ` +
        `${result.secretLinksChanged} secret links changed; risk scored for ${result.apisScored} ${result.apisScored === 1 ? "Api" : "Apis"} in ${(result.durationMs / 1000).toFixed(1)} s.`,
    );
    for (const [ruleId, n] of Object.entries(result.fired).sort()) await line(io.stdout, `  ${ruleId}: ${n}`);
    const { runFindingSchedule } = await import("@/server/findings/schedule");
    const schedule = await runFindingSchedule(prisma, asOf);
    await line(
      io.stdout,
      `Schedule: ${schedule.acceptancesExpired} expired ${schedule.acceptancesExpired === 1 ? "acceptance" : "acceptances"} and ` +
        `${schedule.suppressionsExpired} ${schedule.suppressionsExpired === 1 ? "finding" : "findings"} of expired suppression rules reopened; ` +
        `${schedule.reminded} acceptance ${schedule.reminded === 1 ? "reminder" : "reminders"}.`,
    );
    for (const e of result.ruleErrors) await line(io.stderr, `postern: rule ${e.ruleId} failed and was skipped: ${e.message}`);
    return result.ruleErrors.length ? EXIT.failure : EXIT.ok;
  });
}

export const command: Command = { name: "correlate", summary: "recompute derived data as of a point in time", help: HELP_TEXT, run };
