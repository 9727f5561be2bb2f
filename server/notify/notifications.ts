/**
 * In-app notifications (issue 14): written in the transaction of the change they tell about, to the people it
 * concerns, unless they turned that type off (NotificationPreference; absent = on). The types:
 * - assigned: to the new assignee (not when one assigns oneself);
 * - comment: to the assignee and earlier commenters of the finding, never the comment's author;
 * - overdue: a scheduled check (runOverdueCheck), to the assignee (else the team's members), once per finding per day;
 * - acceptance_expiring: server/findings/hooks.ts (the finding schedule), also exported here as notifyAcceptanceExpiring;
 * - regression: to the assignee, else the members of the team that owns the finding.
 * And the service the notifications procedures use: a person's own notifications only.
 */
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { onAcceptanceExpiring } from "@/server/findings/hooks";

export const NOTIFICATION_TYPES = ["assigned", "comment", "overdue", "acceptance_expiring", "regression"] as const;
export type NotificationType = (typeof NOTIFICATION_TYPES)[number];

/** The acceptance-expiry reminder, for whoever schedules it (the finding schedule calls it through its hook). */
export const notifyAcceptanceExpiring = onAcceptanceExpiring;

export interface NewNotification {
  userId: string;
  type: NotificationType;
  findingId: string | null;
  title: string;
  body?: string | null;
}

const ACTIVE = ["open", "triaged", "in_progress"];

/** Writes the notifications whose recipient did not turn their type off; returns how many were written. */
export async function notify(tx: Tx | Db, rows: readonly NewNotification[], at = new Date()): Promise<number> {
  if (rows.length === 0) return 0;
  const off = await tx.notificationPreference.findMany({
    where: { inApp: false, userId: { in: [...new Set(rows.map((r) => r.userId))] }, type: { in: [...new Set(rows.map((r) => r.type))] } },
    select: { userId: true, type: true },
  });
  const silenced = new Set(off.map((p) => `${p.userId}\u0000${p.type}`));
  const wanted = rows.filter((r) => !silenced.has(`${r.userId}\u0000${r.type}`));
  if (wanted.length === 0) return 0;
  await tx.notification.createMany({
    data: wanted.map((r) => ({ userId: r.userId, type: r.type, findingId: r.findingId, title: r.title.slice(0, 500), body: r.body?.slice(0, 2000) ?? null, createdAt: at })),
  });
  return wanted.length;
}

/** Members of the teams, by team id. */
async function membersOf(tx: Tx | Db, teamIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (teamIds.length === 0) return out;
  const rows = await tx.teamMember.findMany({ where: { teamId: { in: [...new Set(teamIds)] }, user: { deactivatedAt: null } }, select: { teamId: true, userId: true } });
  for (const r of rows) out.set(r.teamId, [...(out.get(r.teamId) ?? []), r.userId]);
  return out;
}

export async function notifyAssigned(tx: Tx, findingIds: readonly string[], assigneeId: string | null, actorUserId: string | null | undefined, at: Date): Promise<void> {
  if (!assigneeId || assigneeId === actorUserId || findingIds.length === 0) return;
  const findings = await tx.finding.findMany({ where: { id: { in: [...findingIds] } }, select: { id: true, title: true } });
  await notify(
    tx,
    findings.map((f) => ({ userId: assigneeId, type: "assigned" as const, findingId: f.id, title: `Assigned to you: ${f.title}` })),
    at,
  );
}

export async function notifyComment(tx: Tx, findingId: string, body: string, authorId: string | null | undefined, at: Date): Promise<void> {
  const finding = await tx.finding.findUnique({ where: { id: findingId }, select: { title: true, assigneeId: true } });
  if (!finding) return;
  const commenters = await tx.findingEvent.findMany({
    where: { findingId, type: "comment", actorId: { not: null }, actorType: { in: ["user", "token"] } },
    select: { actorId: true },
    distinct: ["actorId"],
  });
  const recipients = new Set([finding.assigneeId, ...commenters.map((c) => c.actorId)].filter((id): id is string => !!id && id !== authorId));
  const excerpt = body.length > 280 ? `${body.slice(0, 279)}…` : body;
  await notify(
    tx,
    [...recipients].map((userId) => ({ userId, type: "comment" as const, findingId, title: `New comment on ${finding.title}`, body: excerpt })),
    at,
  );
}

/** Regressions (resolved findings reported again): to the assignee, else the owning team's members. */
export async function notifyRegression(tx: Tx, findingIds: readonly string[], at: Date): Promise<void> {
  if (findingIds.length === 0) return;
  const findings = await tx.finding.findMany({
    where: { id: { in: [...findingIds] } },
    select: { id: true, title: true, assigneeId: true, teamId: true, api: { select: { ownerTeamId: true } } },
  });
  const team = (f: (typeof findings)[number]) => f.api?.ownerTeamId ?? f.teamId;
  const members = await membersOf(tx, findings.filter((f) => !f.assigneeId && team(f)).map((f) => team(f)!));
  await notify(
    tx,
    findings.flatMap((f) =>
      (f.assigneeId ? [f.assigneeId] : (members.get(team(f) ?? "") ?? [])).map((userId) => ({
        userId,
        type: "regression" as const,
        findingId: f.id,
        title: `Regression: ${f.title}`,
        body: "A resolved finding was reported again and reopened.",
      })),
    ),
    at,
  );
}

/**
 * Overdue findings (active, past their SLA due date): one notification per finding and recipient per UTC day at most.
 * Returns how many were written.
 */
export async function runOverdueCheck(prisma: Db, now = new Date()): Promise<number> {
  const dayStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return prisma.$transaction(async (tx) => {
    const findings = await tx.finding.findMany({
      where: { status: { in: ACTIVE }, slaDueAt: { lt: now } },
      select: { id: true, title: true, slaDueAt: true, assigneeId: true, teamId: true, api: { select: { ownerTeamId: true } } },
      take: 50_000,
    });
    if (findings.length === 0) return 0;
    const already = new Set(
      (
        await tx.notification.findMany({
          where: { type: "overdue", createdAt: { gte: dayStart }, findingId: { in: findings.map((f) => f.id) } },
          select: { findingId: true, userId: true },
        })
      ).map((n) => `${n.findingId}\u0000${n.userId}`),
    );
    const team = (f: (typeof findings)[number]) => f.api?.ownerTeamId ?? f.teamId;
    const members = await membersOf(tx, findings.filter((f) => !f.assigneeId && team(f)).map((f) => team(f)!));
    const rows = findings.flatMap((f) =>
      (f.assigneeId ? [f.assigneeId] : (members.get(team(f) ?? "") ?? []))
        .filter((userId) => !already.has(`${f.id}\u0000${userId}`))
        .map((userId) => ({
          userId,
          type: "overdue" as const,
          findingId: f.id,
          title: `Overdue: ${f.title}`,
          body: `Due ${f.slaDueAt!.toISOString().slice(0, 10)}.`,
        })),
    );
    return notify(tx, rows, now);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// The person's own notifications (notifications.* procedures).

export const listInput = z.object({
  unreadOnly: z.boolean().default(false),
  page: z.number().int().min(1).max(10_000).default(1),
  pageSize: z.number().int().min(1).max(100).default(25),
});
export const notificationOutput = z.object({
  id: z.string(),
  type: z.string(),
  findingId: z.string().nullable(),
  title: z.string(),
  body: z.string().nullable(),
  readAt: z.date().nullable(),
  createdAt: z.date(),
});
export const listOutput = z.object({ items: z.array(notificationOutput), total: z.number().int(), unread: z.number().int() });
export const markReadInput = z.union([z.object({ ids: z.array(z.string().min(1).max(64)).min(1).max(1000) }), z.object({ all: z.literal(true) })]);
export const preferencesOutput = z.array(z.object({ type: z.enum(NOTIFICATION_TYPES), inApp: z.boolean() }));
export const preferencesInput = z.object({ type: z.enum(NOTIFICATION_TYPES), inApp: z.boolean() }).array().min(1).max(NOTIFICATION_TYPES.length);

export async function listNotifications(prisma: Db, userId: string, raw: z.input<typeof listInput>): Promise<z.infer<typeof listOutput>> {
  const input = listInput.parse(raw);
  const where = { userId, ...(input.unreadOnly ? { readAt: null } : {}) };
  const [items, total, unread] = await Promise.all([
    prisma.notification.findMany({
      where,
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
      select: { id: true, type: true, findingId: true, title: true, body: true, readAt: true, createdAt: true },
    }),
    prisma.notification.count({ where }),
    prisma.notification.count({ where: { userId, readAt: null } }),
  ]);
  return { items, total, unread };
}

export async function unreadCount(prisma: Db, userId: string): Promise<number> {
  return prisma.notification.count({ where: { userId, readAt: null } });
}

/** Marks one's own notifications read; an id that is not one's own is refused as not found (nothing changes). */
export async function markRead(prisma: Db, userId: string, input: z.infer<typeof markReadInput>, now = new Date()): Promise<{ changed: number } | null> {
  if ("all" in input) return { changed: (await prisma.notification.updateMany({ where: { userId, readAt: null }, data: { readAt: now } })).count };
  const ids = [...new Set(input.ids)];
  return prisma.$transaction(async (tx) => {
    const own = await tx.notification.count({ where: { userId, id: { in: ids } } });
    if (own !== ids.length) return null;
    return { changed: (await tx.notification.updateMany({ where: { userId, id: { in: ids }, readAt: null }, data: { readAt: now } })).count };
  });
}

export async function getPreferences(prisma: Db, userId: string): Promise<z.infer<typeof preferencesOutput>> {
  const rows = await prisma.notificationPreference.findMany({ where: { userId }, select: { type: true, inApp: true } });
  const set = new Map(rows.map((r) => [r.type, r.inApp]));
  return NOTIFICATION_TYPES.map((type) => ({ type, inApp: set.get(type) ?? true }));
}

export async function setPreferences(prisma: Db, userId: string, input: z.infer<typeof preferencesInput>): Promise<z.infer<typeof preferencesOutput>> {
  await prisma.$transaction(async (tx) => {
    for (const p of input) {
      await tx.notificationPreference.upsert({ where: { userId_type: { userId, type: p.type } }, create: { userId, type: p.type, inApp: p.inApp }, update: { inApp: p.inApp } });
    }
  });
  return getPreferences(prisma, userId);
}
