/**
 * The outbox (issue 14): events written in the same transaction as the change they describe, so a process that dies
 * between commit and delivery loses nothing; the delivery loop (./webhooks.ts runDeliveryPass) sends them to the
 * matching webhooks later. Event types: finding.status, finding.assigned, finding.comment, finding.regression,
 * webhook.test.
 */
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";

const CHUNK = 5000;

export const EVENT_TYPES = ["finding.status", "finding.assigned", "finding.comment", "finding.regression", "webhook.test"] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface OutboxInput {
  type: EventType;
  /** The team the event concerns (its webhooks receive it besides the global ones); null: organisation-wide. */
  teamId: string | null;
  payload: Record<string, unknown>;
}

export async function emitEvents(tx: Tx | Db, events: readonly OutboxInput[], at = new Date()): Promise<void> {
  // One INSERT … SELECT FROM unnest per 5,000 events (a fixed parameter count; createMany binds every value and took
  // seconds for a 10,000-finding bulk transition).
  for (let i = 0; i < events.length; i += CHUNK) {
    const rows = events.slice(i, i + CHUNK);
    await tx.$executeRaw`
      INSERT INTO outbox_event (id, type, "teamId", payload, "createdAt")
      SELECT gen_random_uuid()::text, u.type, u.team_id, u.payload::jsonb, ${at}
      FROM unnest(${rows.map((e) => e.type)}::text[], ${rows.map((e) => e.teamId)}::text[], ${rows.map((e) => JSON.stringify(e.payload))}::text[])
        AS u(type, team_id, payload)`;
  }
}

/** The findings' summary for event payloads, with the team each belongs to (the Api's owner, else its own team). */
async function findingSummaries(tx: Tx, ids: readonly string[]) {
  const rows = await tx.$queryRaw<
    { id: string; title: string; severity: string; status: string; teamId: string | null; assignee: string | null; api: string | null; ownerTeamId: string | null }[]
  >`
    SELECT f.id, f.title, f.severity, f.status, f."teamId", u.email AS assignee, a.slug AS api, a."ownerTeamId"
    FROM finding f LEFT JOIN "user" u ON u.id = f."assigneeId" LEFT JOIN api a ON a.id = f."apiId"
    WHERE f.id = ANY(${[...ids]}::text[])`;
  return rows.map((f) => ({
    teamId: f.ownerTeamId ?? f.teamId,
    finding: { id: f.id, title: f.title, severity: f.severity, status: f.status, api: f.api, assignee: f.assignee },
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
