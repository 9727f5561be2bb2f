/**
 * Remediation SLA (DESIGN.md §5): days to fix by severity, clock from first seen. Info findings have no SLA.
 */
import { ACTIVE_STATUSES } from "@/server/domain/findings";
import type { Severity } from "@/server/domain/severity";

/** States in which the SLA clock runs (defined with the other finding words in server/domain/findings.ts). */
export { ACTIVE_STATUSES };

export const SLA_DAYS: Readonly<Record<Severity, number | null>> = {
  critical: 7,
  high: 30,
  medium: 90,
  low: 120,
  info: null,
};

const DAY_MS = 24 * 60 * 60 * 1000;

/** Days allowed for a severity, or null when the severity has no SLA (info, or an unknown word). */
export function slaDays(severity: string): number | null {
  return (SLA_DAYS as Record<string, number | null | undefined>)[severity] ?? null;
}

/** firstSeen + SLA days, or null when there is no SLA. */
export function slaDueAt(severity: string, firstSeenAt: Date): Date | null {
  const days = slaDays(severity);
  return days === null ? null : new Date(firstSeenAt.getTime() + days * DAY_MS);
}

export function isOverdue(finding: { status: string; slaDueAt: Date | string | null }, now: Date = new Date()): boolean {
  if (!finding.slaDueAt || !(ACTIVE_STATUSES as readonly string[]).includes(finding.status)) return false;
  return new Date(finding.slaDueAt).getTime() < now.getTime();
}
