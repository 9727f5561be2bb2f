/**
 * The SLA settings (Settings → SLA: days per severity, the maximum acceptance, the reminder lead time), read by
 * security and admins and changed by admins, and SLA compliance per team for reports.
 *
 * Changing the days of a severity recomputes the due dates of the findings still being worked on or accepted
 * (open, triaged, in progress, risk accepted) in one statement: firstSeen + the new days + the time they stood
 * accepted (`slaPausedSeconds`). Closed findings keep the due date they closed against, so past compliance does not
 * change with today's settings.
 */
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { recordAudit } from "@/server/audit/recorder";
import { can } from "@/server/auth/permissions";
import type { Actor } from "@/server/auth/roles";
import { findingScope } from "@/server/auth/scope";
import type { Db } from "@/server/db/client";
import { DomainError, forbidden } from "@/server/domain/errors";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import { DEFAULT_SLA_SETTINGS, loadSlaSettings, SLA_SETTINGS_KEY, SLA_SEVERITIES, type SlaSettings, slaSettingsSchema } from "./sla";

const values = z.object({
  critical: z.number().int(),
  high: z.number().int(),
  medium: z.number().int(),
  low: z.number().int(),
  maxAcceptanceDays: z.number().int(),
  reminderDays: z.number().int(),
});
export const slaSettingsOutput = z.object({ values, defaults: values });
export const slaSettingsChangeOutput = slaSettingsOutput.extend({
  /** Findings whose due date was recomputed. */
  recomputed: z.number().int(),
});

export async function getSlaSettings(prisma: Db): Promise<z.infer<typeof slaSettingsOutput>> {
  return { values: await loadSlaSettings(prisma), defaults: { ...DEFAULT_SLA_SETTINGS } };
}

/** States whose due date follows the settings: still worked on, or accepted (the clock resumes when it ends). */
const OPEN_FOR_SLA = [...ACTIVE_STATUSES, "risk_accepted"];

/** Stores only the values that differ from the defaults; recomputes due dates when days per severity changed. */
export async function setSlaSettings(
  prisma: Db,
  actor: Actor,
  input: Partial<SlaSettings>,
  options: { now?: Date } = {},
): Promise<z.infer<typeof slaSettingsChangeOutput>> {
  if (!can(actor, "settings:write")) throw forbidden("Requires permission settings:write");
  const parsed = slaSettingsSchema.safeParse(input);
  if (!parsed.success) throw new DomainError("BAD_REQUEST", parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "));
  const now = options.now ?? new Date();
  return prisma.$transaction(async (tx) => {
    const before = await loadSlaSettings(tx);
    const next: SlaSettings = { ...before, ...parsed.data };
    if (next.reminderDays >= next.maxAcceptanceDays) {
      throw new DomainError("BAD_REQUEST", "the reminder lead time must be shorter than the maximum acceptance");
    }
    const overrides = Object.fromEntries(
      Object.entries(next).filter(([key, value]) => value !== DEFAULT_SLA_SETTINGS[key as keyof SlaSettings]),
    ) as Prisma.InputJsonObject;
    await tx.setting.upsert({ where: { key: SLA_SETTINGS_KEY }, create: { key: SLA_SETTINGS_KEY, value: overrides }, update: { value: overrides } });
    const changed = SLA_SEVERITIES.filter((s) => next[s] !== before[s]);
    let recomputed = 0;
    if (changed.length) {
      recomputed = await tx.$executeRaw`
        UPDATE finding SET
          "slaDueAt" = "firstSeenAt" + (CASE severity
            WHEN 'critical' THEN ${next.critical}::int WHEN 'high' THEN ${next.high}::int
            WHEN 'medium' THEN ${next.medium}::int ELSE ${next.low}::int END) * interval '1 day'
            + "slaPausedSeconds" * interval '1 second',
          "updatedAt" = ${now}
        WHERE severity = ANY(${changed}::text[]) AND status = ANY(${OPEN_FOR_SLA}::text[])`;
    }
    await recordAudit(
      tx,
      {
        actor: { type: actor.type, id: actor.userId },
        action: "settings.sla",
        target: { type: "setting", id: SLA_SETTINGS_KEY },
        from: before,
        to: next,
        details: { recomputed },
      },
      now,
    );
    return { values: next, defaults: { ...DEFAULT_SLA_SETTINGS }, recomputed };
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Compliance

export const slaComplianceInput = z
  .object({ from: z.coerce.date(), to: z.coerce.date() })
  .refine((p) => p.from.getTime() < p.to.getTime(), { message: "from must be before to" });

const share = z.object({ closed: z.number().int(), closedWithinSla: z.number().int(), share: z.number().nullable() });
export const slaComplianceOutput = z.object({
  from: z.string(),
  to: z.string(),
  /** One row per team that closed findings in the period (team null: findings no team works on). */
  teams: z.array(share.extend({ team: z.object({ slug: z.string(), name: z.string() }).nullable() })),
  total: share,
});
export type SlaCompliance = z.infer<typeof slaComplianceOutput>;

const ratio = (closed: number, within: number) => (closed === 0 ? null : within / closed);

/**
 * Per team (the team that worked on the finding), the findings closed in [from, to) that had an SLA, and how many of
 * them closed by their due date (the time a finding stood accepted not counted: its due date moved). "Closed" means
 * resolved (fixed, not seen in a rescan, no longer applies, signal stopped); false positives, duplicates and
 * accepted risks are not remediation and are left out. Scoped to the findings the actor may see (executives: all,
 * as counts).
 */
export async function slaCompliance(prisma: Db, actor: Actor, raw: z.input<typeof slaComplianceInput>): Promise<SlaCompliance> {
  if (!can(actor, "findings:count")) throw forbidden("Requires permission findings:count");
  const parsed = slaComplianceInput.safeParse(raw);
  if (!parsed.success) throw new DomainError("BAD_REQUEST", parsed.error.issues.map((i) => i.message).join("; "));
  const { from, to } = parsed.data;
  const where: Prisma.FindingWhereInput = {
    AND: [findingScope(actor), { status: "resolved", resolvedAt: { gte: from, lt: to }, slaDueAt: { not: null } }],
  };
  const [all, within] = await Promise.all([
    prisma.finding.groupBy({ by: ["teamId"], where, _count: { _all: true } }),
    prisma.finding.groupBy({ by: ["teamId"], where: { AND: [where, { resolvedAt: { lte: prisma.finding.fields.slaDueAt } }] }, _count: { _all: true } }),
  ]);
  const withinBy = new Map(within.map((w) => [w.teamId, w._count._all]));
  const teamIds = all.map((a) => a.teamId).filter((id): id is string => !!id);
  const teams = new Map((await prisma.team.findMany({ where: { id: { in: teamIds } }, select: { id: true, slug: true, name: true } })).map((t) => [t.id, t]));
  const rows = all
    .map((a) => {
      const team = a.teamId ? teams.get(a.teamId) : undefined;
      const closed = a._count._all;
      const closedWithinSla = withinBy.get(a.teamId) ?? 0;
      return { team: team ? { slug: team.slug, name: team.name } : null, closed, closedWithinSla, share: ratio(closed, closedWithinSla) };
    })
    .sort((a, b) => (a.team?.name ?? "\uffff").localeCompare(b.team?.name ?? "\uffff"));
  const closed = rows.reduce((n, r) => n + r.closed, 0);
  const closedWithinSla = rows.reduce((n, r) => n + r.closedWithinSla, 0);
  return { from: from.toISOString(), to: to.toISOString(), teams: rows, total: { closed, closedWithinSla, share: ratio(closed, closedWithinSla) } };
}
