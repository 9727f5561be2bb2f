/**
 * Bulk actions on a selection of findings, as the app's pages make them: ticked rows (ids), everything a filter of the
 * Findings page matches (resolved into ids in one query, capped: ./service.ts findingIdsForFilter), or one group of
 * the triage queue (./queues.ts). The selection is resolved to ids the actor may see, then the workflow service
 * (./workflow.ts) acts on all of them in one transaction, or, for mapping to an Api, one transaction here. Answers
 * say how many matched, changed and were skipped, and why, without listing thousands of ids.
 */
import { z } from "zod";
import { type AuditOrigin, recordAudit } from "@/server/audit/recorder";
import { can } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import { findingScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import { DomainError, forbidden, notFound } from "@/server/domain/errors";
import { type EventActor, recordFindingEvents } from "./lifecycle";
import { triageGroupIds, triageGroupKey } from "./queues";
import { findingFilterInput, findingIdsForFilter, MAX_SELECTION } from "./service";
import { type ActionResult, assignFindingsTo, eventActor, transitionFindings, transitionInput } from "./workflow";

const findingId = z.string().min(1).max(64);

/** Exactly one of: ids, a Findings-page filter, a triage-queue group. */
const selectionShape = {
  ids: z.array(findingId).min(1).max(MAX_SELECTION).optional(),
  filter: findingFilterInput.optional(),
  group: triageGroupKey.optional(),
};

function exactlyOne(value: { ids?: unknown; filter?: unknown; group?: unknown }, ctx: z.RefinementCtx): void {
  const given = [value.ids, value.filter, value.group].filter((v) => v !== undefined).length;
  if (given !== 1) ctx.addIssue({ code: "custom", message: "give exactly one of ids, filter or group", path: [] });
}

export const bulkTransitionInput = z.object({ ...selectionShape, ...transitionInput.omit({ ids: true }).shape }).superRefine(exactlyOne);
export const bulkAssignInput = z
  .object({ ...selectionShape, assignee: z.string().min(1).max(64).nullable() })
  .superRefine(exactlyOne);
export const bulkMapInput = z.object({ ...selectionShape, api: z.string().trim().min(1).max(120) }).superRefine(exactlyOne);
type Selection = { ids?: string[]; filter?: z.input<typeof findingFilterInput>; group?: z.infer<typeof triageGroupKey> };

export const bulkResult = z.object({
  /** Findings the selection named (that the actor may see, for a filter or group). */
  matched: z.number().int(),
  changed: z.number().int(),
  /** Skipped: how many, why (grouped), and the first few. */
  skippedCount: z.number().int(),
  reasons: z.array(z.object({ reason: z.string(), count: z.number().int() })),
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type BulkResult = z.infer<typeof bulkResult>;

const SHOWN_SKIPS = 20;

export async function resolveSelection(prisma: Db, actor: Actor, selection: Selection): Promise<{ ids: string[]; explicit: boolean }> {
  if (selection.ids) return { ids: [...new Set(selection.ids)], explicit: true };
  if (selection.filter) return { ids: await findingIdsForFilter(prisma, actor, selection.filter), explicit: false };
  if (selection.group) return { ids: await triageGroupIds(prisma, actor, selection.group), explicit: false };
  throw new DomainError("BAD_REQUEST", "give exactly one of ids, filter or group");
}

function summarise(matched: number, result: ActionResult): BulkResult {
  const reasons = new Map<string, number>();
  for (const s of result.skipped) reasons.set(s.reason, (reasons.get(s.reason) ?? 0) + 1);
  return {
    matched,
    changed: result.changed,
    skippedCount: result.skipped.length,
    reasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count),
    skipped: result.skipped.slice(0, SHOWN_SKIPS),
  };
}

/**
 * Runs a workflow action on the resolved ids. (A selection of one finding fails loudly, as the workflow service does
 * for one finding: the refusal is the answer.)
 */
async function run(ids: string[], action: (ids: string[]) => Promise<ActionResult>): Promise<BulkResult> {
  if (ids.length === 0) return summarise(0, { changed: 0, skipped: [] });
  return summarise(ids.length, await action(ids));
}

/** `origin`: where the action came from, for the audit log (default ui; the REST API says api). */
export async function bulkTransition(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof bulkTransitionInput>,
  options: { origin?: AuditOrigin } = {},
): Promise<BulkResult> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = bulkTransitionInput.parse(raw);
  const { ids: _ids, filter: _filter, group: _group, ...move } = input;
  const { ids } = await resolveSelection(prisma, actor, input);
  return run(ids, (chunk) => transitionFindings(prisma, actor, { ...move, ids: chunk }, options));
}

export async function bulkAssign(
  prisma: Db,
  actor: Actor,
  raw: z.input<typeof bulkAssignInput>,
  options: { origin?: AuditOrigin } = {},
): Promise<BulkResult> {
  if (!can(actor, "findings:write")) throw forbidden("Requires permission findings:write");
  const input = bulkAssignInput.parse(raw);
  const { ids } = await resolveSelection(prisma, actor, input);
  return run(ids, (chunk) => assignFindingsTo(prisma, actor, { ids: chunk, assignee: input.assignee }, options));
}

export const bulkMapOutput = bulkResult.extend({ api: z.object({ slug: z.string(), name: z.string() }) });

/**
 * Maps every finding of the selection to one Api (e.g. a ZAP report's unmapped instances), in one transaction: the
 * owning team follows the Api, each finding moved gets an api_assigned event and an audit record.
 */
export async function bulkMapToApi(prisma: Db, actor: Actor, raw: z.input<typeof bulkMapInput>, now = new Date()): Promise<z.infer<typeof bulkMapOutput>> {
  if (!can(actor, "findings:map")) throw forbidden("Requires permission findings:map");
  const input = bulkMapInput.parse(raw);
  const api = await prisma.api.findUnique({ where: { slug: input.api }, select: { id: true, slug: true, name: true, ownerTeamId: true } });
  if (!api) throw notFound(`API "${input.api}"`);
  const { ids, explicit } = await resolveSelection(prisma, actor, input);
  const who: EventActor = eventActor(actor);
  const moved = await prisma.$transaction(
    async (tx) => {
      const found = await tx.finding.findMany({ where: { AND: [findingScope(actor), { id: { in: ids } }] }, select: { id: true } });
      const visible = found.map((f) => f.id);
      const rows: { id: string; from: string | null }[] = [];
      for (let i = 0; i < visible.length; i += 5000) {
        const chunk = visible.slice(i, i + 5000);
        rows.push(
          ...(await tx.$queryRaw<{ id: string; from: string | null }[]>`
            WITH before AS (
              SELECT f.id, a.slug FROM finding f LEFT JOIN api a ON a.id = f."apiId"
              WHERE f.id = ANY(${chunk}::text[]) AND f."apiId" IS DISTINCT FROM ${api.id} FOR UPDATE OF f
            )
            UPDATE finding f SET "apiId" = ${api.id}, "endpointId" = NULL, "teamId" = ${api.ownerTeamId}, "updatedAt" = ${now}
            FROM before WHERE f.id = before.id
            RETURNING f.id, before.slug AS "from"`),
        );
      }
      await recordFindingEvents(
        tx,
        rows.map((r) => ({ findingId: r.id, type: "api_assigned", fromValue: r.from, toValue: api.slug, actor: who })),
        now,
      );
      await recordAudit(
        tx,
        rows.map((r) => ({ actor: who, action: "finding.assign_api", target: { type: "finding", id: r.id }, from: r.from, to: api.slug, origin: "ui" as const })),
        now,
      );
      const missing = new Set(ids);
      for (const id of visible) missing.delete(id);
      const unchanged = visible.length - rows.length;
      return { changed: rows.length, skipped: [...missing].map((id) => ({ id, reason: "finding not found" })), unchanged };
    },
    { maxWait: 30_000, timeout: 300_000 },
  );
  if (explicit && ids.length === 1 && moved.skipped.length === 1) throw notFound("Finding");
  const result = summarise(ids.length, { changed: moved.changed, skipped: moved.skipped });
  if (moved.unchanged > 0) result.reasons.push({ reason: `already mapped to ${api.slug}`, count: moved.unchanged });
  return { ...result, skippedCount: result.skippedCount + moved.unchanged, api: { slug: api.slug, name: api.name } };
}
