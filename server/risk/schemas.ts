/**
 * What the risk procedures answer (server/api/routers/risk.ts `.output()`): the shapes a client sees, never the
 * database's. tRPC validates each answer against them and drops any key they do not name.
 */
import { z } from "zod";
import { BANDS } from "@/server/domain/risk";
import { SEVERITIES } from "@/server/domain/severity";
import { riskWeightsSchema } from "./weights";

const perBand = z.record(z.enum(BANDS), z.number().int());

export const trendPoint = z.object({
  day: z.string(),
  apis: z.number().int(),
  averageScore: z.number(),
  critical: z.number().int(),
  high: z.number().int(),
});
export type TrendPoint = z.infer<typeof trendPoint>;

export const riskOverviewOutput = z.object({
  distribution: perBand,
  unscored: z.number().int(),
  top: z.array(
    z.object({
      slug: z.string(),
      name: z.string(),
      owner: z.string().nullable(),
      score: z.number(),
      band: z.string(),
      mainFactor: z.object({ name: z.string(), label: z.string(), points: z.number() }).nullable(),
    }),
  ),
  counts: z.object({ ownerless: z.number().int(), shadow: z.number().int(), zombie: z.number().int(), staleSecrets: z.number().int() }),
  openFindings: z.record(z.enum(SEVERITIES), z.number().int()),
  attackSignals: z.object({ total: z.number().int(), byRule: z.array(z.object({ ruleId: z.string(), count: z.number().int() })) }),
  trend: z.array(trendPoint),
  /** Whether the viewer may open finding lists (executives may not). */
  linksToFindings: z.boolean(),
});

export const riskBreakdownOutput = z.object({
  slug: z.string(),
  score: z.number().nullable(),
  band: z.string().nullable(),
  factors: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      points: z.number(),
      max: z.number().nullable(),
      detail: z.string(),
      /** The findings behind the factor; empty for executives. */
      findings: z.array(z.object({ id: z.string(), title: z.string(), severity: z.string(), ruleId: z.string() })),
    }),
  ),
});

export const riskWeightsOutput = z.object({ weights: riskWeightsSchema, defaults: riskWeightsSchema });

const ranked = z.object({ score: z.number(), band: z.enum(BANDS), rank: z.number().int() });
export const weightsPreviewOutput = z.object({
  apis: z.number().int(),
  bandChanges: z.number().int(),
  distribution: z.object({ before: perBand, after: perBand }),
  rows: z.array(z.object({ slug: z.string(), name: z.string(), before: ranked, after: ranked })),
});

export const weightsSetOutput = z.object({ apisRescored: z.number().int() });
