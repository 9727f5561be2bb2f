/**
 * The risk score (DESIGN.md §4): 0–100 per Api, the sum of named factor contributions, each explainable by the
 * facts and findings behind it. Pure: the inputs come from ./inputs.ts (aggregated in the database), the weights
 * from ./weights.ts. Identical inputs and weights give identical scores.
 *
 * Factors (maximum points = the weight; defaults sum to 100):
 * - exposure: internet 100 %, partner 60 %, unknown 50 %, internal 25 % of the weight;
 * - dataSensitivity: data classes the Api serves: credentials, financial, health 40 % each, PII 30 %, capped at 100 %;
 * - authStrength: share of endpoints with no declared auth (100 %), weak-only auth (60 %), explicitly public
 *   (20 %), plus 30 % when the Api is served over plain HTTP; an Api with no known endpoints and no auth kinds 50 %;
 * - openFindings: active scan and posture findings (except documentation-gaps and ownerless-api, which have their
 *   own factors), with diminishing returns per severity (./weights.ts);
 * - attackSignals: active traffic findings, same curve;
 * - secretHygiene: active secret findings, same curve;
 * - documentation: the active documentation-gaps finding's gap ratio (endpoints with gaps ÷ documented);
 * - ownership: full points when no team owns the Api.
 * score = min(100, Σ points), one decimal. Bands: critical ≥ 80, high ≥ 60, medium ≥ 40, else low.
 */
import type { Band, FactorName } from "@/server/domain/risk";
import type { RiskWeights } from "./weights";
import { SCORED_SEVERITIES } from "./weights";

export type SeverityCounts = Partial<Record<(typeof SCORED_SEVERITIES)[number], number>>;

export interface FindingRef {
  id: string;
  title: string;
  severity: string;
  ruleId: string;
}

export type FindingBucket = "openFindings" | "attackSignals" | "secretHygiene" | "documentation" | "ownership";

export interface RiskInput {
  apiId: string;
  exposure: string | null;
  dataClasses: string[];
  authKinds: string[];
  ownerTeamId: string | null;
  cleartext: boolean;
  endpoints: { total: number; undeclared: number; public: number; weak: number };
  findings: Partial<Record<FindingBucket, { counts: SeverityCounts; top: FindingRef[] }>>;
  /** documentation-gaps evidence gapRatio (0..1), when that finding is active. */
  docGapRatio: number | null;
}

export interface RiskFactor {
  name: FactorName;
  points: number;
  max: number;
  detail: string;
  findings: FindingRef[];
}

export interface RiskResult {
  score: number;
  band: Band;
  factors: RiskFactor[];
}

const round1 = (n: number) => Math.round(n * 10) / 10;

export function bandOf(score: number): Band {
  if (score >= 80) return "critical";
  if (score >= 60) return "high";
  if (score >= 40) return "medium";
  return "low";
}

/** The diminishing-returns curve over severity counts, 0..1. Non-decreasing in every count. */
export function findingsFraction(counts: SeverityCounts, weights: RiskWeights): number {
  let sum = 0;
  for (const s of SCORED_SEVERITIES) {
    const n = counts[s] ?? 0;
    if (n > 0) sum += weights.share[s] * (1 - Math.exp(-n / weights.saturation[s]));
  }
  return Math.min(1, sum);
}

const EXPOSURE: Record<string, number> = { internet: 1, partner: 0.6, internal: 0.25 };
const DATA: Record<string, number> = { credentials: 0.4, financial: 0.4, health: 0.4, pii: 0.3 };

function countsText(counts: SeverityCounts): string {
  const parts = SCORED_SEVERITIES.filter((s) => (counts[s] ?? 0) > 0).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(", ") : "none";
}

export function scoreApi(input: RiskInput, weights: RiskWeights): RiskResult {
  const w = weights.factors;
  const factors: RiskFactor[] = [];
  const add = (name: FactorName, fraction: number, detail: string, findings: FindingRef[] = []) => {
    const f = Math.max(0, Math.min(1, fraction));
    factors.push({ name, points: round1(w[name] * f), max: w[name], detail, findings });
  };

  const exposure = input.exposure ?? "unknown";
  add("exposure", EXPOSURE[exposure] ?? 0.5, `exposure ${exposure}`);

  const classes = [...input.dataClasses].sort();
  add("dataSensitivity", classes.reduce((n, c) => n + (DATA[c] ?? 0), 0), classes.length ? `serves ${classes.join(", ")}` : "no sensitive data classes known");

  const e = input.endpoints;
  let auth: number;
  let authDetail: string;
  if (e.total === 0) {
    auth = input.authKinds.length ? 0.2 : 0.5;
    authDetail = input.authKinds.length ? `auth ${input.authKinds.join(", ")}; no endpoints known` : "no endpoints or auth schemes known";
  } else {
    auth = (e.undeclared + 0.6 * e.weak + 0.2 * e.public) / e.total;
    authDetail = `${e.undeclared} of ${e.total} endpoints without declared auth, ${e.weak} weak-only, ${e.public} public`;
  }
  if (input.cleartext) {
    auth += 0.3;
    authDetail += "; served over plain HTTP";
  }
  add("authStrength", auth, authDetail);

  const bucket = (b: FindingBucket) => input.findings[b] ?? { counts: {}, top: [] };
  for (const [name, label] of [
    ["openFindings", "active findings"],
    ["attackSignals", "active attack signals"],
    ["secretHygiene", "active secret findings"],
  ] as const) {
    const b = bucket(name);
    add(name, findingsFraction(b.counts, weights), `${label}: ${countsText(b.counts)}`, b.top);
  }

  const docs = bucket("documentation");
  const docActive = docs.top.length > 0 || Object.values(docs.counts).some((n) => (n ?? 0) > 0);
  const ratio = docActive ? Math.max(0.2, input.docGapRatio ?? 0.5) : 0;
  add("documentation", ratio, docActive ? `documentation gaps on ${Math.round(ratio * 100)} % of documented endpoints` : "no open documentation gaps", docs.top);

  add("ownership", input.ownerTeamId ? 0 : 1, input.ownerTeamId ? "owned by a team" : "no owning team", bucket("ownership").top);

  const score = Math.min(100, round1(factors.reduce((n, f) => n + f.points, 0)));
  return { score, band: bandOf(score), factors };
}

/** The factor contributing most (ties: the first in FACTOR_NAMES order). */
export function mainFactor(factors: { name: string; points: number }[]): { name: string; points: number } | null {
  let best: { name: string; points: number } | null = null;
  for (const f of factors) if (!best || f.points > best.points) best = f;
  return best && best.points > 0 ? best : null;
}
