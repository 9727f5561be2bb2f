/**
 * The outbox (issue 14): events written in the same transaction as the change they describe, so a process that dies
 * between commit and delivery loses nothing; the delivery loop (./webhooks.ts runDeliveryPass) sends them to the
 * matching webhooks later. Event types: finding.status, finding.assigned, finding.comment, finding.regression,
 * webhook.test.
 */
import type { Prisma } from "@/generated/prisma/client";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";

export const EVENT_TYPES = ["finding.status", "finding.assigned", "finding.comment", "finding.regression", "webhook.test"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxInput {
  type: EventType;
  /** The team the event concerns (its webhooks receive it besides the global ones); null: organisation-wide. */
  teamId: string | null;
  payload: Record<string, unknown>;
}

export async function emitEvents(tx: Tx | Db, events: readonly OutboxInput[], at = new Date()): Promise<void> {
  if (events.length === 0) return;
  await tx.outboxEvent.createMany({
    data: events.map((e) => ({ type: e.type, teamId: e.teamId, payload: e.payload as Prisma.InputJsonValue, createdAt: at })),
  });
}

/** The findings' summary for event payloads, with the team each belongs to (the Api's owner, else its own team). */
async function findingSummaries(tx: Tx, ids: readonly string[]) {
  const rows = await tx.finding.findMany({
    where: { id: { in: [...ids] } },
    select: { id: true, title: true, severity: true, status: true, teamId: true, assignee: { select: { email: true } }, api: { select: { slug: true, ownerTeamId: true } } },
  });
  return rows.map((f) => ({
    teamId: f.api?.ownerTeamId ?? f.teamId,
    finding: { id: f.id, title: f.title, severity: f.severity, status: f.status, api: f.api?.slug ?? null, assignee: f.assignee?.email ?? null },
  }));
}

type Actor = { type: string; id?: string | null };

/**
 * One call per workflow action (server/findings/workflow.ts, lifecycle.reportedAgain): the outbox events for the
 * findings changed, and the in-app notifications the change means (./notifications.ts).
 */
export async function findingEvents(
  tx: Tx,
  type: Exclude<EventType, "webhook.test">,
  ids: readonly string[],
  details: Record<string, unknown>,
  actor: Actor | null,
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  const summaries = await findingSummaries(tx, ids);
  await emitEvents(
    tx,
    summaries.map((s) => ({ type, teamId: s.teamId, payload: { finding: s.finding, ...details, actor: actor ? { type: actor.type, id: actor.id ?? null } : null, at: at.toISOString() } })),
    at,
  );
}
