/**
 * The delivery loop of the server process (started from instrumentation.ts, stopped by server/lifecycle.ts before the
 * database closes): every few seconds one webhook delivery pass (./webhooks.ts), and hourly the overdue check
 * (./notifications.ts, once per finding per day), the audit log's retention purge (server/audit/service.ts) and the
 * scheduled compliance reports that are due (server/reports/runs.ts; a report.generated event goes out through the
 * next delivery pass).
 * POSTERN_WEBHOOK_SECONDS sets the period (default 5; 0 turns it off).
 */
import type { Db } from "@/server/db/client";
import { purgeAudit } from "@/server/audit/service";
import { runDueSchedules } from "@/server/reports/runs";
import { runOverdueCheck } from "./notifications";
import { startPeriodic, stopPeriodic } from "@/server/periodic";
import { runDeliveryPass } from "./webhooks";

const JOB = "notifyLoop";
const OVERDUE_EVERY_MS = 60 * 60_000;

export function startNotifyLoop(options: { everyMs?: number; prisma?: () => Promise<Db> } = {}): void {
  const seconds = process.env.POSTERN_WEBHOOK_SECONDS === undefined ? 5 : Number(process.env.POSTERN_WEBHOOK_SECONDS);
  if (!(seconds > 0) && options.everyMs === undefined) return;
  const open = options.prisma ?? (async () => (await import("@/server/db/client")).getPrisma());
  let lastOverdue = 0;
  startPeriodic(JOB, {
    everyMs: options.everyMs ?? seconds * 1000,
    failure: "postern: notifications/webhooks pass failed",
    async run() {
      const prisma = await open();
      await runDeliveryPass(prisma);
      if (Date.now() - lastOverdue >= OVERDUE_EVERY_MS) {
        lastOverdue = Date.now();
        await runOverdueCheck(prisma);
        // Audit records past their retention (Settings → Audit, default 365 days).
        await purgeAudit(prisma);
        await runDueSchedules(prisma);
      }
    },
  });
}

/** Stops the loop and waits for the pass in progress. */
export async function stopNotifyLoop(): Promise<void> {
  await stopPeriodic(JOB);
}
