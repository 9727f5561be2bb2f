/**
 * The outbox (issue 14): events written in the same transaction as the change they describe, so a process that dies
 * between commit and delivery loses nothing; the delivery loop (./webhooks.ts runDeliveryPass) sends them to the
 * matching webhooks later. Event types: finding.status, finding.assigned, finding.comment, finding.regression,
 * report.generated (a stored compliance report, server/reports/runs.ts), webhook.test.
 */
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";

const CHUNK = 5000;

export const EVENT_TYPES = ["finding.status", "finding.assigned", "finding.comment", "finding.regression", "report.generated", "webhook.test"] as const;
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

type Actor = { type: string; id?: string | null };

/**
 * One call per workflow action (server/findings/workflow.ts, lifecycle.reportedAgain): the outbox events for the
 * findings changed, and the in-app notifications the change means (./notifications.ts).
 */
export async function findingEvents(
  tx: Tx,
  type: Exclude<EventType, "webhook.test" | "report.generated">,
  ids: readonly string[],
  details: Record<string, unknown>,
  actor: Actor | null,
  at: Date,
): Promise<void> {
  if (ids.length === 0) return;
  // The events are built in the database from the findings themselves (one INSERT … SELECT per chunk): the payload's
  // finding summary, and the team it concerns (the Api's owner, else the finding's own team).
  const extra = JSON.stringify({ ...details, actor: actor ? { type: actor.type, id: actor.id ?? null } : null, at: at.toISOString() });
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    await tx.$executeRaw`
      INSERT INTO outbox_event (id, type, "teamId", payload, "createdAt")
      SELECT gen_random_uuid()::text, ${type}, coalesce(a."ownerTeamId", f."teamId"),
        jsonb_build_object('finding', jsonb_build_object('id', f.id, 'title', f.title, 'severity', f.severity, 'status', f.status,
          'api', a.slug, 'assignee', u.email)) || ${extra}::jsonb,
        ${at}
      FROM finding f LEFT JOIN "user" u ON u.id = f."assigneeId" LEFT JOIN api a ON a.id = f."apiId"
      WHERE f.id = ANY(${chunk}::text[])`;
  }
}
