/**
 * The compliance report's shapes (DESIGN.md §6): what is asked (framework, scope, period, format) and the typed JSON
 * document every output is made from — the page, the PDF, the JSON export and the report history. Aggregates only:
 * no finding, no evidence, no Api besides the scope's own name.
 */
import { z } from "zod";
import { FRAMEWORK_IDS, type FrameworkId } from "@/server/compliance/frameworks";
import { SEVERITIES } from "@/server/domain/severity";

export const REPORT_FORMATS = ["json", "pdf", "csv"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const slug = z.string().trim().toLowerCase().min(1).max(200);
const DAY_MS = 86_400_000;
/** A report without a period covers the last 90 days. */
export const DEFAULT_PERIOD_DAYS = 90;

/** What a report is asked for: `team` and `api` are exclusive (neither: every Api the asker may see). */
export const reportRequest = z
  .object({
    framework: z.enum(FRAMEWORK_IDS as [FrameworkId, ...FrameworkId[]]),
    team: slug.optional(),
    api: slug.optional(),
    from: z.coerce.date().optional(),
    to: z.coerce.date().optional(),
  })
  .strict()
  .refine((r) => !(r.team && r.api), { message: "give a team or an api, not both" });
export type ReportRequest = z.input<typeof reportRequest>;

export interface ReportParams {
  framework: FrameworkId;
  scope: { kind: "all" } | { kind: "team"; slug: string } | { kind: "api"; slug: string };
  from: Date;
  to: Date;
}

/** The request with its defaults: to = now, from = to − 90 days. */
export function reportParams(raw: z.output<typeof reportRequest>, now: Date = new Date()): ReportParams {
  const to = raw.to ?? now;
  const from = raw.from ?? new Date(to.getTime() - DEFAULT_PERIOD_DAYS * DAY_MS);
  const scope = raw.team ? { kind: "team" as const, slug: raw.team } : raw.api ? { kind: "api" as const, slug: raw.api } : { kind: "all" as const };
  return { framework: raw.framework, scope, from, to };
}

const count = z.number().int();
export const severityCounts = z.object(Object.fromEntries(SEVERITIES.map((s) => [s, count])) as Record<(typeof SEVERITIES)[number], typeof count>);

export const controlStatus = z.enum(["passing", "failing", "not_assessed"]);

export const reportControl = z.object({
  id: z.string(),
  title: z.string(),
  status: controlStatus,
  /** Apis with an open finding behind the control at the period's end. */
  apis: count,
  /** Open (active) findings behind the control at the period's end, by severity. */
  open: severityCounts,
  openTotal: count,
  /** Findings standing accepted at the period's end. */
  accepted: count,
  /** Open findings behind the control at each trend point. */
  trend: z.array(count),
});

export const report = z.object({
  kind: z.literal("postern.compliance-report"),
  version: z.literal(1),
  generatedAt: z.string(),
  framework: z.object({ id: z.enum(FRAMEWORK_IDS as [FrameworkId, ...FrameworkId[]]), name: z.string(), version: z.string() }),
  scope: z.object({ kind: z.enum(["all", "team", "api"]), slug: z.string().nullable(), label: z.string() }),
  period: z.object({ from: z.string(), to: z.string() }),
  /** Evidence sources ingested by the period's end: what the statuses rest on. */
  evidence: z.array(z.enum(["inventory", "scan", "traffic", "vault"])),
  summary: z.object({
    controls: count,
    passing: count,
    failing: count,
    notAssessed: count,
    apisInScope: count,
    /** Distinct open findings behind any control of the framework at the period's end, by severity. */
    openFindings: severityCounts,
  }),
  sla: z.object({ closed: count, closedWithinSla: count, share: z.number().nullable() }),
  mttrDays: z.object(
    Object.fromEntries(SEVERITIES.map((s) => [s, z.object({ resolved: count, meanDays: z.number().nullable() })])) as Record<
      (typeof SEVERITIES)[number],
      z.ZodObject<{ resolved: typeof count; meanDays: z.ZodNullable<z.ZodNumber> }>
    >,
  ),
  trend: z.object({
    points: z.array(z.string()),
    /** Controls failing at each point. */
    failingControls: z.array(count),
  }),
  controls: z.array(reportControl),
});
export type Report = z.infer<typeof report>;

export const scorecardsOutput = z.array(
  z.object({
    framework: z.enum(FRAMEWORK_IDS as [FrameworkId, ...FrameworkId[]]),
    name: z.string(),
    version: z.string(),
    controls: count,
    passing: count,
    failing: count,
    notAssessed: count,
  }),
);
