/**
 * The demo's report history: one weekly OWASP API Top 10 schedule over every Api, owned by a security engineer, and
 * its runs for the last two complete weeks, computed from the demo's backfilled finding history by the same runner as
 * a real schedule (server/reports/runs.ts) — so a fresh install shows a history and what changed between the two.
 */
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { latestCompletePeriod, nextBoundary, previousPeriod } from "@/server/domain/report-cadence";
import { storeRunForPeriod } from "@/server/reports/runs";

export const DEMO_SCHEDULE_NAME = "Weekly OWASP API Top 10";
const HOUR_MS = 3_600_000;

export async function applyDemoReports(prisma: Db, now: Date): Promise<void> {
  const owner = await prisma.user.findFirst({
    where: { role: "security", deactivatedAt: null, mustChangePassword: false },
    orderBy: { email: "asc" },
    select: { id: true, email: true, memberships: { select: { teamId: true } } },
  });
  if (!owner) return;
  const actor: Actor = { type: "user", userId: owner.id, email: owner.email, role: "security", teamIds: owner.memberships.map((m) => m.teamId) };
  const latest = latestCompletePeriod("weekly", now);
  const earlier = previousPeriod("weekly", latest);
  const schedule = await prisma.reportSchedule.create({
    data: {
      name: DEMO_SCHEDULE_NAME,
      framework: "owasp-api-2023",
      scopeKind: "all",
      cadence: "weekly",
      nextRunAt: nextBoundary("weekly", now),
      createdById: owner.id,
      createdAt: new Date(earlier.from.getTime()),
    },
    select: { id: true },
  });
  // Each as the schedule would have made it: an hour after its week ended (never later than now).
  for (const period of [earlier, latest]) {
    await storeRunForPeriod(prisma, actor, schedule.id, period, new Date(Math.min(period.to.getTime() + HOUR_MS, now.getTime())));
  }
}
