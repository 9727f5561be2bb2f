/**
 * The work follows the Api: when an Api changes owning team (a catalog re-ingest, a manual change on the Api page, a
 * bulk assignment), its open findings (open, triaged, in progress) move to the new team and each gets a
 * "team_changed" history event (from → to, team slugs; null for no team) through the lifecycle's one history
 * writer. Closed findings keep the team that closed them. This is the one place an owner change reaches findings;
 * server/inventory/ownership.ts calls it for every way an owner changes. (Who may *read* a finding already follows
 * the Api's current owner: server/auth/scope.ts.)
 */
import type { Tx } from "@/server/db/types";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { type EventActor, recordFindingEvents } from "./lifecycle";

export interface OwnerChange {
  apiId: string;
  /** Team ids; null for ownerless. */
  from: string | null;
  to: string | null;
}

/** Moves the open findings of each changed Api to its new team, with a history event each. Returns how many moved. */
export async function moveOpenFindings(tx: Tx, changes: readonly OwnerChange[], actor: EventActor, now = new Date()): Promise<number> {
  const moved = changes.filter((c) => c.from !== c.to);
  if (moved.length === 0) return 0;
  // One statement moves them and returns each one's team before and after (as slugs, for the history).
  const rows = await tx.$queryRaw<{ id: string; from_slug: string | null; to_slug: string | null }[]>`
    WITH change AS (
      SELECT * FROM unnest(${moved.map((c) => c.apiId)}::text[], ${moved.map((c) => c.to)}::text[]) AS c(api_id, team_id)
    ),
    target AS (
      SELECT f.id, f."teamId" AS old_team, c.team_id AS new_team
      FROM finding f JOIN change c ON c.api_id = f."apiId"
      WHERE f.status = ANY(${[...ACTIVE_STATUSES]}::text[]) AND f."teamId" IS DISTINCT FROM c.team_id
      FOR UPDATE OF f
    ),
    updated AS (
      UPDATE finding f SET "teamId" = t.new_team, "updatedAt" = ${now}
      FROM target t WHERE f.id = t.id
      RETURNING f.id, t.old_team, t.new_team
    )
    SELECT u.id, ot.slug AS from_slug, nt.slug AS to_slug
    FROM updated u LEFT JOIN team ot ON ot.id = u.old_team LEFT JOIN team nt ON nt.id = u.new_team`;
  await recordFindingEvents(
    tx,
    rows.map((r) => ({ findingId: r.id, type: "team_changed", fromValue: r.from_slug, toValue: r.to_slug, actor })),
    now,
  );
  return rows.length;
}
