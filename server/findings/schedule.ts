/**
 * Work on findings that time does (DESIGN.md §5), run by the server every 15 minutes (startFindingSchedule, from
 * instrumentation.ts) and by `postern correlate [--as-of]`, in one transaction:
 * 1. suppression rules whose end date has come: the findings they still cover reopen (./suppression.ts);
 * 2. acceptances whose end has come reopen, the SLA clock resuming (./lifecycle.ts expireAcceptances);
 * 3. acceptances ending within the reminder lead time (Settings → SLA) are marked reminded and handed to the
 *    notification hook (./hooks.ts), once each.
 * Reopened findings are audited (finding.transition, origin schedule). Running it twice changes nothing more.
 */
import { recordAudit } from "@/server/audit/recorder";
import type { Db } from "@/server/db/client";
import { onAcceptanceExpiring } from "./hooks";
import { dueAcceptanceReminders, expireAcceptances, SYSTEM } from "./lifecycle";
import { loadSlaSettings } from "./sla";
import { expireSuppressionRules } from "./suppression";
import { startPeriodic, stopPeriodic } from "@/server/periodic";

export interface ScheduleResult {
  /** Findings reopened because their suppression rule ended. */
  suppressionsExpired: number;
  /** Findings reopened because their acceptance ended. */
  acceptancesExpired: number;
  /** Acceptances whose reminder went out. */
  reminded: number;
}

export async function runFindingSchedule(prisma: Db, now = new Date()): Promise<ScheduleResult> {
  const settings = await loadSlaSettings(prisma);
  return prisma.$transaction(
    async (tx) => {
      const rules = await expireSuppressionRules(tx, now);
      const acceptances = await expireAcceptances(tx, now);
      const reminders = await dueAcceptanceReminders(tx, now, settings.reminderDays);
      await onAcceptanceExpiring(tx, reminders);
      await recordAudit(
        tx,
        [
          ...rules.map((id) => ({ id, why: "suppression rule expired" })),
          ...acceptances.map((id) => ({ id, why: "risk acceptance expired" })),
        ].map((r) => ({ actor: SYSTEM, action: "finding.transition", target: { type: "finding", id: r.id }, to: "open", origin: "schedule" as const, details: { reason: r.why } })),
        now,
      );
      return { suppressionsExpired: rules.length, acceptancesExpired: acceptances.length, reminded: reminders.length };
    },
    { maxWait: 60_000, timeout: 300_000 },
  );
}

const EVERY_MS = 15 * 60_000;
const FIRST_MS = 30_000;
const JOB = "findingSchedule";

/**
 * Starts the schedule in this (server) process, once, on the database `prisma` opens (the server's, getPrisma); the
 * timers do not keep the process alive.
 * POSTERN_SCHEDULE_MINUTES sets the period (default 15; 0 turns the schedule off).
 */
export function startFindingSchedule(options: { prisma: () => Promise<Db>; everyMs?: number; firstMs?: number }): void {
  const minutes = process.env.POSTERN_SCHEDULE_MINUTES === undefined ? undefined : Number(process.env.POSTERN_SCHEDULE_MINUTES);
  if (minutes !== undefined && !(minutes > 0) && options.everyMs === undefined) return;
  startPeriodic(JOB, {
    everyMs: options.everyMs ?? (minutes ? minutes * 60_000 : EVERY_MS),
    firstMs: options.firstMs ?? FIRST_MS,
    failure: "postern: schedule failed",
    async run() {
      const r = await runFindingSchedule(await options.prisma());
      if (r.suppressionsExpired || r.acceptancesExpired || r.reminded) {
        console.warn(`postern: schedule: ${r.acceptancesExpired} acceptance(s) and ${r.suppressionsExpired} suppressed finding(s) reopened, ${r.reminded} reminder(s)`);
      }
    },
  });
}

/** Stops the schedule and waits for a run in progress (before the database closes). */
export async function stopFindingSchedule(): Promise<void> {
  await stopPeriodic(JOB);
}
