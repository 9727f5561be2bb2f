/** Next.js calls register() once when the server process starts. */
export async function register() {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  // What scripts/serve.mjs runs when it stops: cancel ingest jobs, close the database (server/lifecycle.ts).
  const { registerLifecycle } = await import("@/server/lifecycle");
  registerLifecycle();
  // Acceptances and suppression rules that end, reminders before acceptances end (server/findings/schedule.ts).
  const [{ startFindingSchedule }, { getPrisma }] = await Promise.all([import("@/server/findings/schedule"), import("@/server/db/client")]);
  startFindingSchedule({ prisma: getPrisma });
  // Webhook deliveries from the outbox, the daily overdue notifications (server/notify/loop.ts).
  const { startNotifyLoop } = await import("@/server/notify/loop");
  startNotifyLoop();
}
