/**
 * What the executive procedures answer (server/api/routers/executive.ts `.output()`): aggregates only — counts,
 * durations, shares, Api names and band changes. No finding titles, no evidence, no client or secret detail.
 */
import { z } from "zod";
import { BANDS } from "@/server/domain/risk";
import { trendPoint } from "@/server/risk/schemas";

const severityMttr = z.object({
  severity: z.string(),
  /** Mean days from first seen to resolved, for findings resolved in the window; null when none were. */
  days: z.number().nullable(),
  resolved: z.number().int(),
  previousMonthDays: z.number().nullable(),
  previousYearDays: z.number().nullable(),
  /** Percent change against the previous 30 days / the same 30 days a year before; null without a base. */
  monthOverMonth: z.number().nullable(),
  yearOverYear: z.number().nullable(),
});

export const executiveSummaryOutput = z.object({
  asOf: z.string(),
  trend: z.array(trendPoint),
  weekly: z.array(z.object({ week: z.string(), opened: z.number().int(), resolved: z.number().int() })),
  mttr: z.array(severityMttr),
  sla: z.array(
    z.object({
      team: z.string(),
      /** Findings closed (resolved) in the period that had an SLA, and how many of them within it. */
      closed: z.number().int(),
      withinSla: z.number().int(),
      /** withinSla ÷ closed in percent, one decimal; null when nothing was closed. */
      compliance: z.number().nullable(),
      openOverdue: z.number().int(),
    }),
  ),
  periodDays: z.number().int(),
  topRisks: z.array(z.object({ slug: z.string(), name: z.string(), score: z.number(), band: z.enum(BANDS), summary: z.string() })),
  changes: z.object({
    days: z.number().int(),
    newFindings: z.object({ critical: z.number().int(), high: z.number().int() }),
    resolvedFindings: z.object({ critical: z.number().int(), high: z.number().int() }),
    bandRises: z.array(z.object({ slug: z.string(), name: z.string(), from: z.enum(BANDS).nullable(), to: z.enum(BANDS) })),
  }),
});
export type ExecutiveSummary = z.infer<typeof executiveSummaryOutput>;
