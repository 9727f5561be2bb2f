/**
 * Risk weights (DESIGN.md §4): the maximum points of each factor and how findings of each severity saturate.
 * Stored as JSON in Setting "risk.weights", merged over the defaults; admins edit them in Settings.
 *
 * Findings-based factors use diminishing returns per severity:
 *   points = factorMax × min(1, Σ_severity share[s] × (1 − e^(−count[s] / saturation[s])))
 * so one critical reaches share.critical × 63 % of the factor while any number of lows never exceeds share.low of
 * it. The schema enforces share.low < share.critical × (1 − e^(−1/saturation.critical)): however many low findings
 * an Api has, they stay below a single critical.
 *
 * The factor maxima sum above 100 on purpose: an Api bad on most counts saturates at 100 instead of needing every
 * factor at its worst. Floors (0 = off) are the minimum scores of the profiles DESIGN.md §4 names (./score.ts); the
 * defaults sit on the band edges: high 60, critical 80.
 */
import { z } from "zod";
import type { Db } from "@/server/db/client";
import type { Tx } from "@/server/db/types";
import { FACTOR_NAMES, type FactorName, FLOOR_NAMES, type FloorName } from "@/server/domain/risk";

export const SCORED_SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;

export const DEFAULT_RISK_WEIGHTS = {
  factors: { exposure: 20, dataSensitivity: 15, authStrength: 20, openFindings: 35, attackSignals: 25, secretHygiene: 10, documentation: 5, ownership: 5 },
  share: { critical: 1, high: 0.7, medium: 0.35, low: 0.12, info: 0 },
  saturation: { critical: 1, high: 3, medium: 5, low: 10, info: 10 },
  floors: { exposedSensitiveData: 60, criticalFinding: 60, criticalFindingInternet: 80, attackSignal: 60, attackSignalInternet: 80 },
} as const;

const factorSchema = z.object(Object.fromEntries(FACTOR_NAMES.map((n) => [n, z.number().min(0).max(100)])) as Record<FactorName, z.ZodNumber>);
const floorSchema = z.object(Object.fromEntries(FLOOR_NAMES.map((n) => [n, z.number().min(0).max(100)])) as Record<FloorName, z.ZodNumber>);
const perSeverity = (min: number, max: number) =>
  z.object(Object.fromEntries(SCORED_SEVERITIES.map((s) => [s, z.number().min(min).max(max)])) as Record<(typeof SCORED_SEVERITIES)[number], z.ZodNumber>);

export const riskWeightsSchema = z
  .object({ factors: factorSchema, share: perSeverity(0, 1), saturation: perSeverity(0.1, 1000), floors: floorSchema })
  .strict()
  .refine((w) => w.share.low <= w.share.medium && w.share.medium <= w.share.high && w.share.high <= w.share.critical && w.share.info <= w.share.low, {
    message: "severity shares must not increase from critical to info",
    path: ["share"],
  })
  .refine((w) => w.share.low < w.share.critical * (1 - Math.exp(-1 / w.saturation.critical)), {
    message: "the low share must stay below what one critical finding reaches, so that many lows never outrank one critical",
    path: ["share", "low"],
  });

export type RiskWeights = z.infer<typeof riskWeightsSchema>;

export const RISK_WEIGHTS_KEY = "risk.weights";

export function defaultRiskWeights(): RiskWeights {
  return structuredClone(DEFAULT_RISK_WEIGHTS) as unknown as RiskWeights;
}

/** Stored weights merged over the defaults; an invalid stored value falls back to the defaults. */
export async function loadRiskWeights(db: Db | Tx): Promise<RiskWeights> {
  const row = await db.setting.findUnique({ where: { key: RISK_WEIGHTS_KEY } });
  const stored = (row?.value ?? {}) as Partial<Record<keyof RiskWeights, object>>;
  const d = defaultRiskWeights();
  const merged = {
    factors: { ...d.factors, ...(stored.factors ?? {}) },
    share: { ...d.share, ...(stored.share ?? {}) },
    saturation: { ...d.saturation, ...(stored.saturation ?? {}) },
    floors: { ...d.floors, ...(stored.floors ?? {}) },
  };
  const parsed = riskWeightsSchema.safeParse(merged);
  return parsed.success ? parsed.data : d;
}

export async function saveRiskWeights(db: Db | Tx, weights: RiskWeights): Promise<void> {
  const value = riskWeightsSchema.parse(weights);
  await db.setting.upsert({ where: { key: RISK_WEIGHTS_KEY }, create: { key: RISK_WEIGHTS_KEY, value }, update: { value } });
}
