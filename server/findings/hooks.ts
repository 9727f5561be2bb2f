/**
 * What the finding schedule (./schedule.ts) tells the rest of Postern. `onAcceptanceExpiring` runs in the schedule's
 * transaction for the acceptances whose reminder is due (`reminderDays` before they end, Settings → SLA), once per
 * acceptance. It writes an in-app notification (type acceptance_expiring) to the person who approved the acceptance
 * and to the finding's assignee, unless they turned that type off; the notification service may take it over (mail,
 * webhooks through the outbox) by replacing this body, the call and its arguments stay.
 */
import type { Tx } from "@/server/db/types";

export interface ExpiringAcceptance {
  id: string;
  title: string;
  acceptedUntil: Date;
  acceptedById: string | null;
  assigneeId: string | null;
  teamId: string | null;
}

export const ACCEPTANCE_EXPIRING = "acceptance_expiring";

export async function onAcceptanceExpiring(tx: Tx, findings: readonly ExpiringAcceptance[]): Promise<void> {
  if (findings.length === 0) return;
  const rows: { userId: string; findingId: string; title: string; body: string }[] = [];
  for (const f of findings) {
    const day = f.acceptedUntil.toISOString().slice(0, 10);
    for (const userId of new Set([f.acceptedById, f.assigneeId].filter((id): id is string => !!id))) {
      rows.push({ userId, findingId: f.id, title: `Risk acceptance ends ${day}: ${f.title}`.slice(0, 500), body: `The finding reopens on ${day} unless the acceptance is renewed.` });
    }
  }
  if (rows.length === 0) return;
  const off = new Set(
    (await tx.notificationPreference.findMany({ where: { type: ACCEPTANCE_EXPIRING, inApp: false, userId: { in: [...new Set(rows.map((r) => r.userId))] } }, select: { userId: true } })).map(
      (p) => p.userId,
    ),
  );
  const wanted = rows.filter((r) => !off.has(r.userId));
  if (wanted.length) await tx.notification.createMany({ data: wanted.map((r) => ({ ...r, type: ACCEPTANCE_EXPIRING })) });
}
