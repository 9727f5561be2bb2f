/**
 * Remediation SLA (DESIGN.md §5): days to fix by severity, clock from first seen; the longest a risk may be accepted;
 * how long before an acceptance ends its reminder goes out. Info findings have no SLA.
 *
 * The values are admins' to change (Settings → SLA), stored like the rule thresholds: JSON in the `setting` table
 * under "findings.sla", only the values that differ from the defaults, merged over them key by key. A finding's due
 * date is firstSeen + the SLA days of its severity + the time it stood accepted (`slaPausedSeconds`, ./lifecycle.ts).
 */
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import type { Severity } from "@/server/domain/severity";

/** States in which the SLA clock runs (defined with the other finding words in server/domain/findings.ts). */
export { ACTIVE_STATUSES };

/** Severities with an SLA. */
export const SLA_SEVERITIES = ["critical", "high", "medium", "low"] as const satisfies readonly Severity[];
export type SlaSeverity = (typeof SLA_SEVERITIES)[number];

export const DEFAULT_SLA_SETTINGS = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 120,
  /** The longest a risk acceptance may run (people, scanners' own acceptances, suppression rules). */
  maxAcceptanceDays: 365,
  /** Days before an acceptance ends that its reminder goes out. */
  reminderDays: 14,
} as const;

export type SlaSettings = { -readonly [K in keyof typeof DEFAULT_SLA_SETTINGS]: number };

const days = z.number().int().min(1).max(3650);
export const slaSettingsSchema = z
  .object({
    critical: days,
    high: days,
    medium: days,
    low: days,
    maxAcceptanceDays: days,
    reminderDays: z.number().int().min(0).max(365),
  })
  .partial()
  .strict();

export const SLA_SETTINGS_KEY = "findings.sla";

/** The default SLA days per severity (DESIGN.md §5), null for info. */
export const SLA_DAYS: Readonly<Record<Severity, number | null>> = {
  critical: DEFAULT_SLA_SETTINGS.critical,
  high: DEFAULT_SLA_SETTINGS.high,
  medium: DEFAULT_SLA_SETTINGS.medium,
  low: DEFAULT_SLA_SETTINGS.low,
  info: null,
};

export async function loadSlaSettings(db: Db | Tx): Promise<SlaSettings> {
  const row = await db.setting.findUnique({ where: { key: SLA_SETTINGS_KEY } });
  const parsed = slaSettingsSchema.safeParse(row?.value ?? {});
  return { ...DEFAULT_SLA_SETTINGS, ...(parsed.success ? parsed.data : {}) };
}

const DAY_MS = 24 * 60 * 60 * 1000;

function isSlaSeverity(severity: string): severity is SlaSeverity {
  return (SLA_SEVERITIES as readonly string[]).includes(severity);
}

/** Days allowed for a severity, or null when the severity has no SLA (info, or an unknown word). */
export function slaDays(severity: string, settings: SlaSettings = DEFAULT_SLA_SETTINGS): number | null {
  return isSlaSeverity(severity) ? settings[severity] : null;
}

/** firstSeen + SLA days, or null when there is no SLA. */
export function slaDueAt(severity: string, firstSeenAt: Date, settings: SlaSettings = DEFAULT_SLA_SETTINGS): Date | null {
  const n = slaDays(severity, settings);
  return n === null ? null : new Date(firstSeenAt.getTime() + n * DAY_MS);
}

export function isOverdue(finding: { status: string; slaDueAt: Date | string | null }, now: Date = new Date()): boolean {
  if (!finding.slaDueAt || !(ACTIVE_STATUSES as readonly string[]).includes(finding.status)) return false;
  return new Date(finding.slaDueAt).getTime() < now.getTime();
}
