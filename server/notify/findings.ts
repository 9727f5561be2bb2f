/**
 * What a change to findings tells people and systems, in the transaction of the change: in-app notifications
 * (./notifications.ts) and outbox events for webhooks (./outbox.ts). One call per workflow action.
 */
import type { Tx } from "@/server/db/types";
import { notifyAssigned, notifyComment, notifyRegression } from "./notifications";
import { findingEvents } from "./outbox";

type Actor = { type: string; id?: string | null };

export async function onFindingsMoved(tx: Tx, moved: readonly { id: string; from: string }[], to: string, reason: string | null, actor: Actor, at: Date): Promise<void> {
  if (moved.length === 0) return;
  // One event per finding: its own "from".
  const byFrom = new Map<string, string[]>();
  for (const m of moved) {
    const ids = byFrom.get(m.from);
    if (ids) ids.push(m.id);
    else byFrom.set(m.from, [m.id]);
  }
  for (const [from, ids] of byFrom) await findingEvents(tx, "finding.status", ids, { from, to, reason }, actor, at);
}

export async function onFindingsAssigned(tx: Tx, ids: readonly string[], assignee: { id: string; email: string } | null, actor: Actor, at: Date): Promise<void> {
  if (ids.length === 0) return;
  await notifyAssigned(tx, ids, assignee?.id ?? null, actor.id, at);
  await findingEvents(tx, "finding.assigned", ids, { assignee: assignee?.email ?? null }, actor, at);
}

export async function onFindingComment(tx: Tx, findingId: string, body: string, actor: Actor, at: Date): Promise<void> {
  await notifyComment(tx, findingId, body, actor.id, at);
  await findingEvents(tx, "finding.comment", [findingId], { comment: body.slice(0, 4000) }, actor, at);
}

export async function onRegressions(tx: Tx, ids: readonly string[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await notifyRegression(tx, ids, at);
  await findingEvents(tx, "finding.regression", ids, {}, null, at);
}
