import { z } from "zod";
import {
  createSchedule,
  createScheduleInput,
  deleteSchedule,
  getRun,
  latestRun,
  listRuns,
  listRunsInput,
  listSchedules,
  runDetail,
  runScheduleNow,
  runsPage,
  runSummary,
  scheduleIdInput,
  scheduleOutput,
  setActiveInput,
  setScheduleActive,
} from "@/server/reports/runs";
import { authorized, router } from "../trpc";

/** Scheduled compliance reports (security and admin) and the report history (every role; developers: their teams' runs). */
export const reportSchedulesRouter = router({
  list: authorized("reports:schedule")
    .output(z.array(scheduleOutput))
    .query(({ ctx }) => listSchedules(ctx.prisma)),
  create: authorized("reports:schedule")
    .input(createScheduleInput)
    .output(scheduleOutput)
    .mutation(({ ctx, input }) => createSchedule(ctx.prisma, ctx.actor, input)),
  setActive: authorized("reports:schedule")
    .input(setActiveInput)
    .output(scheduleOutput)
    .mutation(({ ctx, input }) => setScheduleActive(ctx.prisma, ctx.actor, input)),
  delete: authorized("reports:schedule")
    .input(scheduleIdInput)
    .output(z.object({ ok: z.literal(true) }))
    .mutation(({ ctx, input }) => deleteSchedule(ctx.prisma, ctx.actor, input.id)),
  runNow: authorized("reports:schedule")
    .input(scheduleIdInput)
    .output(runSummary)
    .mutation(({ ctx, input }) => runScheduleNow(ctx.prisma, ctx.actor, input.id)),
  /** Stored runs, newest first; optionally one schedule's. */
  runs: authorized("reports:read")
    .input(listRunsInput)
    .output(runsPage)
    .query(({ ctx, input }) => listRuns(ctx.prisma, ctx.actor, input)),
  /** One stored run: its document as it was made, and what changed since the previous run. */
  run: authorized("reports:read")
    .input(z.object({ id: z.string().min(1).max(64) }).strict())
    .output(runDetail)
    .query(({ ctx, input }) => getRun(ctx.prisma, ctx.actor, input.id)),
  /** The newest stored report the person may read, and what changed since the one before it (null: none yet). */
  latest: authorized("reports:read")
    .output(runDetail.nullable())
    .query(({ ctx }) => latestRun(ctx.prisma, ctx.actor)),
});
