/**
 * Scheduled compliance reports and the report history (issue 15): the one writer of report schedules and report runs.
 *
 * A schedule makes a framework's report for a scope every week or month (periods: server/domain/report-cadence.ts).
 * When it is due, its run covers the period that just ended, built by buildReport (./build.ts) as the schedule's owner
 * — the person who created it, or who last resumed it — acting now, with the role and teams that person has today: a
 * run never sees more than a current person may. An owner deactivated or no longer allowed to schedule reports, or a
 * scope gone or no longer visible to them, makes a failed run with the reason, and pauses the schedule.
 *
 * A run stores the report document (aggregates only, as buildReport made it) and its summary counts; the outbox event
 * `report.generated` (links, counts, no finding rows) is written in the same transaction, for the webhooks. Reading
 * the history follows each run's scope (server/auth/scope.ts reportRunScope).
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/server/audit/recorder";
import { can, missingPermission } from "@/server/auth/permissions";
import { type Actor, isRole } from "@/server/auth/roles";
import { reportRunScope } from "@/server/auth/scope";
import { FRAMEWORK_IDS, FRAMEWORKS, type FrameworkId } from "@/server/compliance/frameworks";
import type { Db } from "@/server/db/client";
import { DomainError, notFound } from "@/server/domain/errors";
import { CADENCES, type Cadence, latestCompletePeriod, nextBoundary, type Period } from "@/server/domain/report-cadence";
import { emitEvents } from "@/server/notify/outbox";
import { buildReport } from "./build";
import { reportChanges, reportDiff } from "./changes";
import { type Report, report, type ReportParams } from "./schema";

// ---------------------------------------------------------------------------------------------------------------
// Shapes

const frameworkId = z.enum(FRAMEWORK_IDS as [FrameworkId, ...FrameworkId[]]);
const scopeKind = z.enum(["all", "team", "api"]);
const id = z.string().min(1).max(64);

export const createScheduleInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    framework: frameworkId,
    scopeKind: scopeKind.default("all"),
    scopeSlug: z.string().trim().toLowerCase().min(1).max(200).nullable().default(null),
    cadence: z.enum(CADENCES),
  })
  .strict()
  .refine((s) => (s.scopeKind === "all") === (s.scopeSlug === null), { message: "a team or Api scope needs its slug; all Apis takes none" });
export const setActiveInput = z.object({ id, active: z.boolean() }).strict();
export const scheduleIdInput = z.object({ id }).strict();
export const listRunsInput = z
  .object({ scheduleId: id.optional(), page: z.number().int().min(1).max(10_000).default(1), pageSize: z.number().int().min(1).max(100).default(25) })
  .strict();

export const scheduleOutput = z.object({
  id: z.string(),
  name: z.string(),
  framework: z.string(),
  scopeKind: z.string(),
  scopeSlug: z.string().nullable(),
  cadence: z.string(),
  active: z.boolean(),
  nextRunAt: z.date(),
  lastRunAt: z.date().nullable(),
  /** Whom it runs as. */
  owner: z.string().nullable(),
  createdAt: z.date(),
  lastRun: z.object({ id: z.string(), status: z.string(), error: z.string().nullable() }).nullable(),
});
export type ScheduleView = z.infer<typeof scheduleOutput>;

export const runSummary = z.object({
  id: z.string(),
  scheduleId: z.string().nullable(),
  scheduleName: z.string().nullable(),
  framework: z.string(),
  scopeKind: z.string(),
  scopeSlug: z.string().nullable(),
  scopeLabel: z.string(),
  periodFrom: z.date(),
  periodTo: z.date(),
  trigger: z.string(),
  generatedAt: z.date(),
  status: z.string(),
  error: z.string().nullable(),
  passing: z.number().int(),
  failing: z.number().int(),
  notAssessed: z.number().int(),
});
export type RunSummary = z.infer<typeof runSummary>;
export const runsPage = z.object({ items: z.array(runSummary), total: z.number().int(), page: z.number().int(), pages: z.number().int() });
export const runDetail = z.object({
  run: runSummary,
  document: report.nullable(),
  previous: runSummary.nullable(),
  changes: reportChanges.nullable(),
});
export type RunDetail = z.infer<typeof runDetail>;

const SUMMARY_SELECT = {
  id: true,
  scheduleId: true,
  framework: true,
  scopeKind: true,
  scopeSlug: true,
  scopeLabel: true,
  periodFrom: true,
  periodTo: true,
  trigger: true,
  generatedAt: true,
  status: true,
  error: true,
  passing: true,
  failing: true,
  notAssessed: true,
  schedule: { select: { name: true } },
} as const satisfies Prisma.ReportRunSelect;

type SummaryRow = Prisma.ReportRunGetPayload<{ select: typeof SUMMARY_SELECT }>;
const toSummary = ({ schedule, ...r }: SummaryRow): RunSummary => ({ ...r, scheduleName: schedule?.name ?? null });

/** The links a webhook receiver or a person follows: absolute when the server's URL is known (POSTERN_URL). */
export function runLinks(runId: string): { page: string; pdf: string; json: string } {
  const base = (process.env.POSTERN_URL ?? process.env.BETTER_AUTH_URL ?? "").replace(/\/+$/, "");
  return { page: `${base}/reports/runs/${runId}`, pdf: `${base}/api/v1/reports/runs/${runId}?format=pdf`, json: `${base}/api/v1/reports/runs/${runId}?format=json` };
}

const short = (message: string) => message.slice(0, 300);

// ---------------------------------------------------------------------------------------------------------------
// Schedules (reports:schedule)

function scopeOf(kind: string, slug: string | null): ReportParams["scope"] {
  if (kind === "team" && slug) return { kind: "team", slug };
  if (kind === "api" && slug) return { kind: "api", slug };
  return { kind: "all" };
}

export async function listSchedules(prisma: Db): Promise<ScheduleView[]> {
  const rows = await prisma.reportSchedule.findMany({
    orderBy: { createdAt: "asc" },
    include: { runs: { orderBy: { generatedAt: "desc" }, take: 1, select: { id: true, status: true, error: true } } },
  });
  const owners = new Map(
    (await prisma.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.createdById))] } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]),
  );
  return rows.map(({ runs, createdById, ...r }) => ({ ...r, owner: owners.get(createdById) ?? null, lastRun: runs[0] ?? null }));
}

async function oneSchedule(prisma: Db, scheduleId: string): Promise<ScheduleView> {
  const found = (await listSchedules(prisma)).find((s) => s.id === scheduleId);
  if (!found) throw notFound("Report schedule");
  return found;
}

export async function createSchedule(prisma: Db, actor: Actor, raw: z.input<typeof createScheduleInput>, now = new Date()): Promise<ScheduleView> {
  const input = createScheduleInput.parse(raw);
  // The scope must exist now (the people who may schedule see every team and Api); each run checks it again.
  if (input.scopeKind === "team" && !(await prisma.team.findUnique({ where: { slug: input.scopeSlug! }, select: { id: true } }))) throw notFound(`Team ${input.scopeSlug}`);
  if (input.scopeKind === "api" && !(await prisma.api.findUnique({ where: { slug: input.scopeSlug! }, select: { id: true } }))) throw notFound(`Api ${input.scopeSlug}`);
  const created = await prisma.$transaction(async (tx) => {
    const row = await tx.reportSchedule.create({
      data: { ...input, nextRunAt: nextBoundary(input.cadence, now), createdById: actor.userId, createdAt: now },
      select: { id: true, nextRunAt: true },
    });
    await recordAudit(
      tx,
      { actor: { type: actor.type, id: actor.userId }, action: "report.schedule.create", target: { type: "report_schedule", id: row.id }, details: { ...input, nextRunAt: row.nextRunAt.toISOString() } },
      now,
    );
    return row;
  });
  return oneSchedule(prisma, created.id);
}

/**
 * Pause or resume. Resuming makes the resumer the schedule's owner (it runs with their rights from then on: the
 * schedule may have been paused because its owner lost theirs) and its next run the next period boundary; a period
 * missed while paused is not made up (Run now makes the latest one).
 */
export async function setScheduleActive(prisma: Db, actor: Actor, raw: z.input<typeof setActiveInput>, now = new Date()): Promise<ScheduleView> {
  const input = setActiveInput.parse(raw);
  await prisma.$transaction(async (tx) => {
    const found = await tx.reportSchedule.findUnique({ where: { id: input.id }, select: { active: true, cadence: true, createdById: true } });
    if (!found) throw notFound("Report schedule");
    if (found.active === input.active) return;
    const data = input.active ? { active: true, createdById: actor.userId, nextRunAt: nextBoundary(found.cadence as Cadence, now) } : { active: false };
    await tx.reportSchedule.update({ where: { id: input.id }, data });
    await recordAudit(
      tx,
      {
        actor: { type: actor.type, id: actor.userId },
        action: input.active ? "report.schedule.resume" : "report.schedule.pause",
        target: { type: "report_schedule", id: input.id },
        from: { active: found.active },
        to: { active: input.active },
        ...(input.active && found.createdById !== actor.userId ? { details: { ownerFrom: found.createdById, ownerTo: actor.userId } } : {}),
      },
      now,
    );
  });
  return oneSchedule(prisma, input.id);
}

/** Deletes a schedule; its runs stay in the history (their schedule link is cleared). */
export async function deleteSchedule(prisma: Db, actor: Actor, scheduleId: string, now = new Date()): Promise<{ ok: true }> {
  await prisma.$transaction(async (tx) => {
    const found = await tx.reportSchedule.findUnique({ where: { id: scheduleId }, select: { name: true, framework: true, cadence: true } });
    if (!found) throw notFound("Report schedule");
    await tx.reportSchedule.delete({ where: { id: scheduleId } });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "report.schedule.delete", target: { type: "report_schedule", id: scheduleId }, details: found }, now);
  });
  return { ok: true };
}

// ---------------------------------------------------------------------------------------------------------------
// Running

type ScheduleRow = Prisma.ReportScheduleGetPayload<object>;

/** The schedule's owner as an actor with today's role and teams, or why they may not run it. */
async function ownerActor(prisma: Db, userId: string): Promise<{ actor: Actor } | { refusal: string }> {
  const user = await prisma.user.findUnique({
    where: { id: userId },
    select: { id: true, email: true, role: true, deactivatedAt: true, mustChangePassword: true, memberships: { select: { teamId: true } } },
  });
  if (!user || !isRole(user.role)) return { refusal: "the schedule's owner no longer exists" };
  if (user.deactivatedAt) return { refusal: `the schedule's owner ${user.email} is deactivated` };
  const actor: Actor = {
    type: "user",
    userId: user.id,
    email: user.email,
    role: user.role,
    teamIds: user.memberships.map((m) => m.teamId),
    ...(user.mustChangePassword ? { mustChangePassword: true } : {}),
  };
  if (!can(actor, "reports:schedule")) return { refusal: `the schedule's owner ${user.email} no longer has the permission: ${missingPermission("reports:schedule")}` };
  return { actor };
}

export interface RunOutcome {
  runId: string;
  status: "succeeded" | "failed";
}

interface RunRequest {
  schedule: ScheduleRow | null;
  framework: FrameworkId;
  scopeKind: "all" | "team" | "api";
  scopeSlug: string | null;
  period: Period;
  trigger: "schedule" | "manual";
  /** Whom it runs as; null with `refusal` when nobody may (a failed run). */
  actor: Actor | null;
  refusal?: string;
  now: Date;
  /** Scheduled runs: the schedule's nextRunAt the run was due at (compare-and-set), and the next one. */
  advance?: { expected: Date; next: Date };
}

/**
 * Builds and stores one run, with its outbox event, in one transaction. A scheduled run first claims its period by
 * moving the schedule's nextRunAt on from the value it was due at: a second process (or pass) that was due at the same
 * moment finds nothing to claim and stores nothing, so each period is run once. Returns null when the claim failed.
 */
async function makeRun(prisma: Db, request: RunRequest): Promise<RunOutcome | null> {
  const { now, period } = request;
  let document: Report | null = null;
  let failure = request.refusal ?? null;
  if (request.actor && !failure) {
    try {
      document = await buildReport(prisma, request.actor, { framework: request.framework, scope: scopeOf(request.scopeKind, request.scopeSlug), from: period.from, to: period.to }, now);
    } catch (error) {
      // A scope gone or no longer the owner's to see: recorded, and the schedule paused. Anything else (the database
      // went away…) is thrown: nothing is stored, and the next pass tries the same period again.
      if (!(error instanceof DomainError)) throw error;
      failure = `the report could not be made: ${error.message}`;
    }
  }
  const scope = await scopeTargets(prisma, request.scopeKind, request.scopeSlug);
  const label = document?.scope.label ?? fallbackLabel(request.scopeKind, request.scopeSlug);
  return prisma.$transaction(async (tx) => {
    if (request.schedule && request.advance) {
      const claimed = await tx.reportSchedule.updateMany({
        where: { id: request.schedule.id, nextRunAt: request.advance.expected, active: true },
        data: { nextRunAt: request.advance.next, lastRunAt: now, ...(failure ? { active: false } : {}) },
      });
      if (claimed.count === 0) return null;
    } else if (request.schedule) {
      await tx.reportSchedule.update({ where: { id: request.schedule.id }, data: { lastRunAt: now, ...(failure ? { active: false } : {}) } });
    }
    const run = await tx.reportRun.create({
      data: {
        scheduleId: request.schedule?.id ?? null,
        framework: request.framework,
        scopeKind: request.scopeKind,
        scopeSlug: request.scopeSlug,
        scopeLabel: label,
        scopeTeamId: scope.teamId,
        scopeApiId: scope.apiId,
        periodFrom: period.from,
        periodTo: period.to,
        trigger: request.trigger,
        createdById: request.actor?.userId ?? request.schedule?.createdById ?? null,
        generatedAt: now,
        status: failure ? "failed" : "succeeded",
        error: failure ? short(failure) : null,
        ...(document ? { document: document as unknown as Prisma.InputJsonValue } : {}),
        passing: document?.summary.passing ?? 0,
        failing: document?.summary.failing ?? 0,
        notAssessed: document?.summary.notAssessed ?? 0,
      },
      select: { id: true },
    });
    // A person's Run now is audited in the run's own transaction: no run without its record, nor the reverse.
    if (request.trigger === "manual" && request.actor && request.schedule) {
      await recordAudit(
        tx,
        {
          actor: { type: request.actor.type, id: request.actor.userId },
          action: "report.run",
          target: { type: "report_schedule", id: request.schedule.id },
          details: { run: run.id, status: failure ? "failed" : "succeeded" },
        },
        now,
      );
    }
    if (document) {
      const framework = FRAMEWORKS[request.framework];
      await emitEvents(
        tx,
        [
          {
            type: "report.generated",
            // A team's or an Api's report goes to that team's webhooks too (the Api's owner today); all Apis: global only.
            teamId: scope.eventTeamId,
            payload: {
              run: { id: run.id, trigger: request.trigger, generatedAt: now.toISOString() },
              schedule: request.schedule ? { id: request.schedule.id, name: request.schedule.name, cadence: request.schedule.cadence } : null,
              framework: { id: framework.id, name: framework.name, version: framework.version },
              scope: { kind: request.scopeKind, slug: request.scopeSlug, label },
              period: { from: period.from.toISOString(), to: period.to.toISOString() },
              summary: {
                controls: document.summary.controls,
                passing: document.summary.passing,
                failing: document.summary.failing,
                notAssessed: document.summary.notAssessed,
                openFindings: document.summary.openFindings,
              },
              links: runLinks(run.id),
            },
          },
        ],
        now,
      );
    } else if (request.schedule) {
      await recordAudit(
        tx,
        {
          actor: { type: "system" },
          action: "report.schedule.pause",
          target: { type: "report_schedule", id: request.schedule.id },
          from: { active: true },
          to: { active: false },
          origin: "schedule",
          details: { reason: short(failure ?? ""), run: run.id },
        },
        now,
      );
    }
    return { runId: run.id, status: failure ? ("failed" as const) : ("succeeded" as const) };
  });
}

function fallbackLabel(kind: string, slug: string | null): string {
  return kind === "team" ? `Team ${slug}` : kind === "api" ? `Api ${slug}` : "All Apis";
}

/** The team and Api a run's scope names (for who may read it), and the team its event goes to. */
async function scopeTargets(prisma: Db, kind: string, slug: string | null): Promise<{ teamId: string | null; apiId: string | null; eventTeamId: string | null }> {
  if (kind === "team" && slug) {
    const team = await prisma.team.findUnique({ where: { slug }, select: { id: true } });
    return { teamId: team?.id ?? null, apiId: null, eventTeamId: team?.id ?? null };
  }
  if (kind === "api" && slug) {
    const api = await prisma.api.findUnique({ where: { slug }, select: { id: true, ownerTeamId: true } });
    return { teamId: null, apiId: api?.id ?? null, eventTeamId: api?.ownerTeamId ?? null };
  }
  return { teamId: null, apiId: null, eventTeamId: null };
}

function requestFor(schedule: ScheduleRow): Pick<RunRequest, "framework" | "scopeKind" | "scopeSlug"> {
  return {
    framework: (FRAMEWORK_IDS as readonly string[]).includes(schedule.framework) ? (schedule.framework as FrameworkId) : "owasp-api-2023",
    scopeKind: schedule.scopeKind === "team" || schedule.scopeKind === "api" ? schedule.scopeKind : "all",
    scopeSlug: schedule.scopeSlug,
  };
}

/**
 * The scheduled run of one due schedule at `now`: the latest period complete at `now`. When the server was down over
 * several boundaries only that latest period is made, not one run per missed period: a flood of stale reports (and
 * webhook messages) helps nobody, and any past period can still be made by hand on the Reports page.
 */
export async function runSchedule(prisma: Db, schedule: ScheduleRow, now = new Date()): Promise<RunOutcome | null> {
  const cadence = schedule.cadence as Cadence;
  const owner = await ownerActor(prisma, schedule.createdById);
  return makeRun(prisma, {
    schedule,
    ...requestFor(schedule),
    period: latestCompletePeriod(cadence, now),
    trigger: "schedule",
    actor: "actor" in owner ? owner.actor : null,
    refusal: "refusal" in owner ? owner.refusal : undefined,
    now,
    advance: { expected: schedule.nextRunAt, next: nextBoundary(cadence, now) },
  });
}

/** Every active schedule due at `now` (the server's hourly pass, server/notify/loop.ts; tests pass their clock). */
export async function runDueSchedules(prisma: Db, options: { now?: Date } = {}): Promise<RunOutcome[]> {
  const now = options.now ?? new Date();
  const due = await prisma.reportSchedule.findMany({ where: { active: true, nextRunAt: { lte: now } }, orderBy: { nextRunAt: "asc" }, take: 100 });
  const outcomes: RunOutcome[] = [];
  // One schedule's unexpected error does not hold the others back; the first is thrown after them (the loop logs it,
  // and the next pass tries that schedule again).
  let failure: unknown = null;
  for (const schedule of due) {
    try {
      const outcome = await runSchedule(prisma, schedule, now);
      if (outcome) outcomes.push(outcome);
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure) throw failure;
  return outcomes;
}

/** "Run now": the schedule's latest complete period, made at once as the person asking; the schedule's clock is untouched. */
export async function runScheduleNow(prisma: Db, actor: Actor, scheduleId: string, now = new Date()): Promise<RunSummary> {
  const schedule = await prisma.reportSchedule.findUnique({ where: { id: scheduleId } });
  if (!schedule) throw notFound("Report schedule");
  const outcome = await makeRun(prisma, { schedule, ...requestFor(schedule), period: latestCompletePeriod(schedule.cadence as Cadence, now), trigger: "manual", actor, now });
  // A manual run claims nothing, so it is always stored.
  if (!outcome) throw new Error("a manual report run was not stored");
  const row = await prisma.reportRun.findUniqueOrThrow({ where: { id: outcome.runId }, select: SUMMARY_SELECT });
  return toSummary(row);
}

/**
 * A stored run for a given period, as `actor`, without a schedule (the demo's history of past weeks). Not exposed to
 * people: the history they make goes through schedules.
 */
export async function storeRunForPeriod(
  prisma: Db,
  actor: Actor,
  scheduleId: string,
  period: Period,
  now: Date,
): Promise<RunOutcome> {
  const schedule = await prisma.reportSchedule.findUniqueOrThrow({ where: { id: scheduleId } });
  const outcome = await makeRun(prisma, { schedule, ...requestFor(schedule), period, trigger: "schedule", actor, now });
  return outcome!;
}

// ---------------------------------------------------------------------------------------------------------------
// Reading the history (reports:read)

export async function listRuns(prisma: Db, actor: Actor, raw: z.input<typeof listRunsInput>): Promise<z.infer<typeof runsPage>> {
  const input = listRunsInput.parse(raw);
  const where: Prisma.ReportRunWhereInput = { AND: [reportRunScope(actor), input.scheduleId ? { scheduleId: input.scheduleId } : {}] };
  const [total, rows] = await Promise.all([
    prisma.reportRun.count({ where }),
    prisma.reportRun.findMany({ where, orderBy: [{ generatedAt: "desc" }, { id: "desc" }], skip: (input.page - 1) * input.pageSize, take: input.pageSize, select: SUMMARY_SELECT }),
  ]);
  return { items: rows.map(toSummary), total, page: input.page, pages: Math.max(1, Math.ceil(total / input.pageSize)) };
}

/** One stored run the actor may read (another team's answers like a missing one), its document, and the changes since the previous run. */
export async function getRun(prisma: Db, actor: Actor, runId: string): Promise<RunDetail> {
  const row = await prisma.reportRun.findFirst({ where: { AND: [{ id: runId }, reportRunScope(actor)] }, select: { ...SUMMARY_SELECT, document: true } });
  if (!row) throw notFound("Report run");
  const { document, ...summary } = row;
  const current = document ? report.parse(document) : null;
  let previous: (SummaryRow & { document: Prisma.JsonValue }) | null = null;
  if (current) {
    const earlier: Prisma.ReportRunWhereInput = {
      id: { not: row.id },
      status: "succeeded",
      OR: [{ periodTo: { lt: row.periodTo } }, { periodTo: row.periodTo, generatedAt: { lt: row.generatedAt } }],
    };
    const find = (same: Prisma.ReportRunWhereInput) =>
      prisma.reportRun.findFirst({
        where: { AND: [reportRunScope(actor), earlier, same] },
        orderBy: [{ periodTo: "desc" }, { generatedAt: "desc" }],
        select: { ...SUMMARY_SELECT, document: true },
      });
    // The same schedule's previous run; else the previous run of the same framework and scope.
    previous = (row.scheduleId ? await find({ scheduleId: row.scheduleId }) : null) ?? (await find({ framework: row.framework, scopeKind: row.scopeKind, scopeSlug: row.scopeSlug }));
  }
  const before = previous?.document ? report.parse(previous.document) : null;
  return {
    run: toSummary(summary),
    document: current,
    previous: previous ? toSummary(withoutDocument(previous)) : null,
    changes: current && before ? reportDiff(before, current) : null,
  };
}

/** The newest succeeded run the actor may read, with its changes since the previous one (the executive home's "since the last report"). */
export async function latestRun(prisma: Db, actor: Actor): Promise<RunDetail | null> {
  const row = await prisma.reportRun.findFirst({
    where: { AND: [reportRunScope(actor), { status: "succeeded" }] },
    orderBy: [{ generatedAt: "desc" }, { id: "desc" }],
    select: { id: true },
  });
  return row ? getRun(prisma, actor, row.id) : null;
}

function withoutDocument<T extends { document: unknown }>({ document: _document, ...rest }: T): Omit<T, "document"> {
  return rest;
}

/** The stored document of a run the actor may read; a failed run has none (409). */
export async function runDocument(prisma: Db, actor: Actor, runId: string): Promise<{ run: RunSummary; document: Report }> {
  const row = await prisma.reportRun.findFirst({ where: { AND: [{ id: runId }, reportRunScope(actor)] }, select: { ...SUMMARY_SELECT, document: true } });
  if (!row) throw notFound("Report run");
  const { document, ...summary } = row;
  if (!document) throw new DomainError("CONFLICT", `This run failed and has no report: ${row.error ?? "no reason recorded"}`);
  return { run: toSummary(summary), document: report.parse(document) };
}
