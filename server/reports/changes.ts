/**
 * "What changed since the last report" (pure): between two stored report documents of one framework, the controls
 * whose status moved, and the open findings behind the framework's controls by severity, before and after.
 */
import { z } from "zod";
import { SEVERITIES } from "@/server/domain/severity";
import { controlStatus, type Report } from "./schema";

export const reportChanges = z.object({
  controls: z.array(z.object({ id: z.string(), title: z.string(), from: controlStatus.nullable(), to: controlStatus })),
  openFindings: z.array(z.object({ severity: z.enum(SEVERITIES), before: z.number().int(), after: z.number().int(), delta: z.number().int() })),
  passing: z.object({ before: z.number().int(), after: z.number().int() }),
  failing: z.object({ before: z.number().int(), after: z.number().int() }),
});
export type ReportChanges = z.infer<typeof reportChanges>;

export function reportDiff(previous: Report, current: Report): ReportChanges {
  const before = new Map(previous.controls.map((c) => [c.id, c.status]));
  return {
    // A control new to the catalogue since the previous report counts as changed (from null).
    controls: current.controls
      .filter((c) => before.get(c.id) !== c.status)
      .map((c) => ({ id: c.id, title: c.title, from: before.get(c.id) ?? null, to: c.status })),
    openFindings: SEVERITIES.map((severity) => {
      const b = previous.summary.openFindings[severity];
      const a = current.summary.openFindings[severity];
      return { severity, before: b, after: a, delta: a - b };
    }),
    passing: { before: previous.summary.passing, after: current.summary.passing },
    failing: { before: previous.summary.failing, after: current.summary.failing },
  };
}
