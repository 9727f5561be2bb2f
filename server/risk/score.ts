/**
 * The risk score (DESIGN.md §4): 0–100 per Api, the sum of named factor contributions, each explainable by the
 * facts and findings behind it. Pure: the inputs come from ./inputs.ts (aggregated in the database), the weights
 * from ./weights.ts. Identical inputs and weights give identical scores.
 *
 * Factors (maximum points = the weight):
 * - exposure: internet 100 %, partner 60 %, unknown 50 %, internal 20 % of the weight;
 * - dataSensitivity: data classes the Api serves: credentials, financial, health 70 % each, PII 50 %, capped at 100 %;
 * - authStrength: share of endpoints with no declared auth (100 %), weak-only auth (60 %), explicitly public
 *   (20 %), plus 30 % when the Api is served over plain HTTP; an Api with no known endpoints: 20 % when it names an
 *   auth scheme, else 100 % (nothing declares how it is authenticated);
 * - openFindings: active scan and posture findings (except documentation-gaps and ownerless-api, which have their
 *   own factors), with diminishing returns per severity (./weights.ts);
 * - attackSignals: active traffic findings, same curve;
 * - secretHygiene: active secret findings, same curve;
 * - documentation: the active documentation-gaps finding's gap ratio (endpoints with gaps ÷ documented; all of it
 *   when nothing is documented), at least 20 % while that finding is open;
 * - ownership: full points when no team owns the Api.
 *
 * Floors (weights.floors): the sum alone cannot express "this profile is at least high" without inflating every
 * other score, so the profiles DESIGN.md §4 names lift the score to a minimum, shown as one more contribution
 * ("floor", the points added) with the reason. The highest applicable floor wins:
 * - exposedSensitiveData: internet-facing, serves credentials/financial/health/PII, and either an endpoint serving
 *   those classes has no required auth (undeclared or public; credentials on an authentication endpoint are
 *   expected), or no endpoint requires auth at all, or it is served over plain HTTP;
 * - criticalFinding / criticalFindingInternet: an active critical finding of any kind;
 * - attackSignal / attackSignalInternet: an active attack signal of high or critical severity (credential stuffing,
 *   enumeration, exfiltration, unauthenticated access). Medium and low signals (a missing rate limit, error leakage)
 *   add points but set no floor: they describe exposure to abuse, not an attacker at work.
 * score = min(100, Σ points), one decimal. Bands: critical ≥ 80, high ≥ 60, medium ≥ 40, else low.
 */
import { type Band, type FactorName, FLOOR_FACTOR, FLOOR_LABELS, FLOOR_NAMES, type FloorName } from "@/server/domain/risk";
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
  /** sensitiveWithoutAuth: endpoints serving sensitive data classes without required auth (see floors above). */
  endpoints: { total: number; undeclared: number; public: number; weak: number; sensitiveWithoutAuth: number };
  findings: Partial<Record<FindingBucket, { counts: SeverityCounts; top: FindingRef[] }>>;
  /** The active documentation-gaps finding's evidence, when there is one. */
  documentation: { gapRatio: number; documented: number; withGaps: number; apiGaps: string[] } | null;
}

export interface RiskFactor {
  name: FactorName | typeof FLOOR_FACTOR;
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

const EXPOSURE: Record<string, number> = { internet: 1, partner: 0.6, internal: 0.2 };
const DATA: Record<string, number> = { credentials: 0.7, financial: 0.7, health: 0.7, pii: 0.5 };
const SENSITIVE = new Set(Object.keys(DATA));

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
    auth = input.authKinds.length ? 0.2 : 1;
    authDetail = input.authKinds.length ? `auth ${input.authKinds.join(", ")}; no endpoints known` : "no endpoints known and no auth scheme declared";
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
  const doc = input.documentation;
  const ratio = docActive ? Math.max(0.2, doc?.gapRatio ?? 0.5) : 0;
  add("documentation", ratio, docActive ? documentationText(doc) : "no open documentation gaps", docs.top);

  add("ownership", input.ownerTeamId ? 0 : 1, input.ownerTeamId ? "owned by a team" : "no owning team", bucket("ownership").top);

  const sum = round1(factors.reduce((n, f) => n + f.points, 0));
  const floor = floorOf(input, weights);
  if (floor && floor.points > sum) {
    factors.push({ name: FLOOR_FACTOR, points: round1(floor.points - sum), max: floor.points, detail: `${FLOOR_LABELS[floor.name]}: at least ${floor.points}`, findings: [] });
  }
  const score = Math.min(100, Math.max(sum, floor?.points ?? 0));
  return { score, band: bandOf(score), factors };
}

function documentationText(doc: RiskInput["documentation"]): string {
  if (!doc) return "open documentation gaps";
  const parts = doc.documented === 0 ? ["no endpoint is documented"] : [`${doc.withGaps} of ${doc.documented} documented endpoints have gaps`];
  // "no endpoint documentation" repeats the first part.
  parts.push(...doc.apiGaps.filter((g) => g !== "no endpoint documentation"));
  return `documentation gaps: ${parts.join("; ")}`;
}

/** The highest floor the Api's profile reaches (weights.floors; 0 = off), or null. */
export function floorOf(input: RiskInput, weights: RiskWeights): { name: FloorName; points: number } | null {
  const internet = input.exposure === "internet";
  const active = (b: FindingBucket) => input.findings[b]?.counts ?? {};
  const buckets: FindingBucket[] = ["openFindings", "attackSignals", "secretHygiene"];
  const critical = buckets.some((b) => (active(b).critical ?? 0) > 0);
  const attack = (active("attackSignals").critical ?? 0) + (active("attackSignals").high ?? 0) > 0;
  const e = input.endpoints;
  const noAuthRequired = e.total > 0 ? e.undeclared + e.public === e.total : input.authKinds.length === 0;
  const sensitive = input.dataClasses.some((c) => SENSITIVE.has(c));
  const applies: Record<FloorName, boolean> = {
    exposedSensitiveData: internet && sensitive && (e.sensitiveWithoutAuth > 0 || noAuthRequired || input.cleartext),
    criticalFinding: critical,
    criticalFindingInternet: critical && internet,
    attackSignal: attack,
    attackSignalInternet: attack && internet,
  };
  let best: { name: FloorName; points: number } | null = null;
  for (const name of FLOOR_NAMES) {
    const points = weights.floors[name];
    if (applies[name] && points > 0 && (!best || points > best.points)) best = { name, points };
  }
  return best;
}

/** The factor contributing most (ties: the first in FACTOR_NAMES order). */
export function mainFactor(factors: { name: string; points: number }[]): { name: string; points: number } | null {
  let best: { name: string; points: number } | null = null;
  for (const f of factors) if (!best || f.points > best.points) best = f;
  return best && best.points > 0 ? best : null;
}
