/**
 * Reading the audit log (Settings → Audit, admins: audit:read): a filter (actor, action, target, date range), pages,
 * a CSV export streamed in keyset pages (app/api/audit/export), and retention: records older than the configured
 * days (Settings storage "audit.retention", default 365) are purged by the server's schedule (server/notify/loop.ts).
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import type { Actor } from "@/server/auth/roles";
import type { Db } from "@/server/db/client";
import { csvLine } from "@/server/domain/csv";
import { recordAudit } from "./recorder";

export const AUDIT_RETENTION_KEY = "audit.retention";
export const DEFAULT_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;

export const auditFilter = z.object({
  /** An actor's email (people, tokens) or id, or "system". */
  actor: z.string().trim().max(320).optional(),
  /** An action id or its prefix ("finding." matches every finding action). */
  action: z.string().trim().max(100).optional(),
  targetType: z.string().trim().max(100).optional(),
  targetId: z.string().trim().max(200).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
});
export type AuditFilter = z.infer<typeof auditFilter>;
export const auditListInput = auditFilter.extend({
  page: z.number().int().min(1).max(100_000).default(1),
  pageSize: z.number().int().min(1).max(200).default(50),
});
export const auditRecord = z.object({
  id: z.string(),
  createdAt: z.date(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  actor: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  details: z.unknown(),
});
export const auditListOutput = z.object({ items: z.array(auditRecord), total: z.number().int() });
export const retentionSchema = z.object({ days: z.number().int().min(1).max(36_500) });

async function whereOf(prisma: Db, filter: AuditFilter): Promise<Prisma.AuditLogWhereInput> {
  const and: Prisma.AuditLogWhereInput[] = [];
  if (filter.actor) {
    const q = filter.actor;
    if (q === "system") and.push({ actorType: "system" });
    else {
      const users = await prisma.user.findMany({ where: { email: { contains: q.toLowerCase() } }, select: { id: true }, take: 1000 });
      and.push({ actorId: { in: [q, ...users.map((u) => u.id)] } });
    }
  }
  if (filter.action) and.push({ action: { startsWith: filter.action } });
  if (filter.targetType) and.push({ targetType: filter.targetType });
  if (filter.targetId) and.push({ targetId: filter.targetId });
  if (filter.from) and.push({ createdAt: { gte: filter.from } });
  if (filter.to) and.push({ createdAt: { lte: filter.to } });
  return { AND: and };
}

const SELECT = { id: true, createdAt: true, actorType: true, actorId: true, action: true, targetType: true, targetId: true, details: true } as const;
type Row = Prisma.AuditLogGetPayload<{ select: typeof SELECT }>;

async function withActors(prisma: Db, rows: Row[]): Promise<z.infer<typeof auditRecord>[]> {
  const ids = [...new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id))];
  const emails = new Map((await prisma.user.findMany({ where: { id: { in: ids } }, select: { id: true, email: true } })).map((u) => [u.id, u.email]));
  return rows.map((r) => ({ ...r, actor: r.actorId ? (emails.get(r.actorId) ?? r.actorId) : r.actorType }));
}

export async function listAudit(prisma: Db, raw: z.input<typeof auditListInput>): Promise<z.infer<typeof auditListOutput>> {
  const input = auditListInput.parse(raw);
  const where = await whereOf(prisma, input);
  const [rows, total] = await Promise.all([
    prisma.auditLog.findMany({ where, orderBy: [{ createdAt: "desc" }, { id: "desc" }], skip: (input.page - 1) * input.pageSize, take: input.pageSize, select: SELECT }),
    prisma.auditLog.count({ where }),
  ]);
  return { items: await withActors(prisma, rows), total };
}

function cellText(value: unknown): string {
  return value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
}

export const CSV_HEADER = ["time", "actor_type", "actor_id", "actor", "action", "target_type", "target_id", "details"];

/** The filtered audit log as CSV lines, oldest first, read in keyset pages of 1,000 (never the whole log at once). */
export async function* auditCsv(prisma: Db, filter: AuditFilter): AsyncGenerator<string> {
  const where = await whereOf(prisma, filter);
  yield csvLine(CSV_HEADER);
  let after: { createdAt: Date; id: string } | null = null;
  for (;;) {
    const page: Row[] = await prisma.auditLog.findMany({
      where: after ? { AND: [where, { OR: [{ createdAt: { gt: after.createdAt } }, { createdAt: after.createdAt, id: { gt: after.id } }] }] } : where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: 1000,
      select: SELECT,
    });
    if (page.length === 0) return;
    for (const r of await withActors(prisma, page)) {
      yield csvLine([r.createdAt.toISOString(), r.actorType, r.actorId, r.actor, r.action, r.targetType, r.targetId, r.details].map(cellText));
    }
    const last = page[page.length - 1]!;
    after = { createdAt: last.createdAt, id: last.id };
  }
}

export async function getRetention(prisma: Db): Promise<z.infer<typeof retentionSchema>> {
  const row = await prisma.setting.findUnique({ where: { key: AUDIT_RETENTION_KEY } });
  const parsed = retentionSchema.safeParse(row?.value);
  return parsed.success ? parsed.data : { days: DEFAULT_RETENTION_DAYS };
}

export async function setRetention(prisma: Db, actor: Actor, input: z.infer<typeof retentionSchema>): Promise<z.infer<typeof retentionSchema>> {
  const value = retentionSchema.parse(input);
  await prisma.$transaction(async (tx) => {
    const before = await tx.setting.findUnique({ where: { key: AUDIT_RETENTION_KEY } });
    await tx.setting.upsert({ where: { key: AUDIT_RETENTION_KEY }, create: { key: AUDIT_RETENTION_KEY, value }, update: { value } });
    await recordAudit(tx, { actor: { type: actor.type, id: actor.userId }, action: "audit.retention", target: { type: "setting", id: AUDIT_RETENTION_KEY }, from: before?.value ?? null, to: value });
  });
  return value;
}

/** Deletes audit records older than the retention; the purge itself is audited. Returns how many were deleted. */
export async function purgeAudit(prisma: Db, now = new Date(), origin: "schedule" | "cli" = "schedule"): Promise<number> {
  const { days } = await getRetention(prisma);
  const before = new Date(now.getTime() - days * DAY_MS);
  return prisma.$transaction(async (tx) => {
    const { count } = await tx.auditLog.deleteMany({ where: { createdAt: { lt: before } } });
    if (count) await recordAudit(tx, { actor: { type: "system" }, action: "audit.purge", origin, details: { deleted: count, before: before.toISOString(), days } }, now);
    return count;
  });
}
