/**
 * The delivery loop of the server process (started from instrumentation.ts, stopped by server/lifecycle.ts before the
 * database closes): every few seconds one webhook delivery pass (./webhooks.ts), and hourly the overdue check
 * (./notifications.ts, once per finding per day) and the audit log's retention purge (server/audit/service.ts).
 * POSTERN_WEBHOOK_SECONDS sets the period (default 5; 0 turns it off).
 */
import type { Db } from "@/server/db/client";
import { purgeAudit } from "@/server/audit/service";
import { runOverdueCheck } from "./notifications";
import { runDeliveryPass } from "./webhooks";

const KEY = Symbol.for("postern.notifyLoop");
const OVERDUE_EVERY_MS = 60 * 60_000;

interface Running {
  timer: NodeJS.Timeout;
  current: Promise<unknown> | null;
  stopped: boolean;
  lastOverdue: number;
}

export function startNotifyLoop(options: { everyMs?: number; prisma?: () => Promise<Db> } = {}): void {
  const global = globalThis as Record<symbol, Running | undefined>;
  if (global[KEY]) return;
  const seconds = process.env.POSTERN_WEBHOOK_SECONDS === undefined ? 5 : Number(process.env.POSTERN_WEBHOOK_SECONDS);
  if (!(seconds > 0) && options.everyMs === undefined) return;
  const open = options.prisma ?? (async () => (await import("@/server/db/client")).getPrisma());
  const state: Running = { timer: undefined as unknown as NodeJS.Timeout, current: null, stopped: false, lastOverdue: 0 };
  const tick = () => {
    if (state.stopped || state.current) return;
    state.current = open()
      .then(async (prisma) => {
        await runDeliveryPass(prisma);
        if (Date.now() - state.lastOverdue >= OVERDUE_EVERY_MS) {
          state.lastOverdue = Date.now();
          await runOverdueCheck(prisma);
          // Audit records past their retention (Settings → Audit, default 365 days).
          await purgeAudit(prisma);
        }
      })
      .catch((error: unknown) => console.error(`postern: notifications/webhooks pass failed: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        state.current = null;
      });
  };
  state.timer = setInterval(tick, options.everyMs ?? seconds * 1000);
  state.timer.unref();
  global[KEY] = state;
}

/** Stops the loop and waits for the pass in progress. */
export async function stopNotifyLoop(): Promise<void> {
  const global = globalThis as Record<symbol, Running | undefined>;
  const state = global[KEY];
  if (!state) return;
  state.stopped = true;
  clearInterval(state.timer);
  await state.current;
  global[KEY] = undefined;
}
