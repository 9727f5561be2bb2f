/**
 * The audit recorder: the one writer of the append-only audit log (DESIGN.md §7) — who (a person, a token, Postern
 * itself), what (an action id such as "finding.transition"), on what (target type and id), from → to, and from where
 * (origin: ui, api, cli, schedule). Batched: one INSERT per 5,000 records.
 */
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";

export type AuditOrigin = "ui" | "api" | "cli" | "schedule" | "ingest" | "system";

export interface AuditEntry {
  actor: { type: "user" | "token" | "system" | "tool"; id?: string | null };
  action: string;
  target?: { type: string; id: string | null };
  from?: unknown;
  to?: unknown;
  origin?: AuditOrigin;
  details?: Record<string, unknown>;
}

const CHUNK = 5000;

/** Anything that runs raw SQL: the client, a transaction, or a narrowed view of either. */
export type AuditDb = Pick<Db, "$executeRaw"> | Pick<Tx, "$executeRaw">;

export async function recordAudit(db: AuditDb, entries: AuditEntry | readonly AuditEntry[], at = new Date()): Promise<void> {
  const list = Array.isArray(entries) ? (entries as readonly AuditEntry[]) : [entries as AuditEntry];
  for (let i = 0; i < list.length; i += CHUNK) {
    const rows = list.slice(i, i + CHUNK);
    const details = rows.map((e) => {
      const d: Record<string, unknown> = { ...(e.details ?? {}) };
      if (e.from !== undefined) d.from = e.from;
      if (e.to !== undefined) d.to = e.to;
      if (e.origin) d.origin = e.origin;
      return Object.keys(d).length ? JSON.stringify(d) : null;
    });
    await db.$executeRaw`
      INSERT INTO audit_log (id, "actorType", "actorId", action, "targetType", "targetId", details, "createdAt")
      SELECT gen_random_uuid()::text, u.actor_type, u.actor_id, u.action, u.target_type, u.target_id, u.details::jsonb, ${at}
      FROM unnest(
        ${rows.map((e) => e.actor.type)}::text[],
        ${rows.map((e) => e.actor.id ?? null)}::text[],
        ${rows.map((e) => e.action)}::text[],
        ${rows.map((e) => e.target?.type ?? null)}::text[],
        ${rows.map((e) => e.target?.id ?? null)}::text[],
        ${details}::text[]
      ) AS u(actor_type, actor_id, action, target_type, target_id, details)`;
  }
}
