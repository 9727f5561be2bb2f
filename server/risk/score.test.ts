import { describe, expect, it } from "vitest";
import { createRng } from "@/server/demo/prng";
import { bandOf, type FindingBucket, type RiskInput, scoreApi, type SeverityCounts } from "./score";
import { defaultRiskWeights, riskWeightsSchema, SCORED_SEVERITIES } from "./weights";

const weights = defaultRiskWeights();
const BUCKETS: FindingBucket[] = ["openFindings", "attackSignals", "secretHygiene", "documentation", "ownership"];

function base(overrides: Partial<RiskInput> = {}): RiskInput {
  return {
    apiId: "a",
    exposure: "internal",
    dataClasses: [],
    authKinds: ["bearer"],
    ownerTeamId: "t",
    cleartext: false,
    endpoints: { total: 4, undeclared: 0, public: 0, weak: 0 },
    findings: {},
    docGapRatio: null,
    ...overrides,
  };
}

function randomInput(rng: ReturnType<typeof createRng>): RiskInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
  const total = Math.floor(rng.next() * 20);
  const undeclared = Math.floor(rng.next() * (total + 1));
  const findings: RiskInput["findings"] = {};
  for (const b of BUCKETS) {
    if (rng.next() < 0.5) continue;
    const counts: SeverityCounts = {};
    for (const s of SCORED_SEVERITIES) if (rng.next() < 0.5) counts[s] = Math.floor(rng.next() * 30);
    findings[b] = { counts, top: [] };
  }
  return base({
    exposure: pick(["internet", "partner", "internal", null]),
    dataClasses: ["pii", "financial", "credentials", "health"].filter(() => rng.next() < 0.4),
    ownerTeamId: rng.next() < 0.3 ? null : "t",
    cleartext: rng.next() < 0.2,
    endpoints: { total, undeclared, public: Math.floor(rng.next() * (total - undeclared + 1)), weak: 0 },
    findings,
    docGapRatio: rng.next() < 0.5 ? rng.next() : null,
  });
}

function withCritical(input: RiskInput, bucket: FindingBucket): RiskInput {
  const b = input.findings[bucket] ?? { counts: {}, top: [] };
  return { ...input, findings: { ...input.findings, [bucket]: { ...b, counts: { ...b.counts, critical: (b.counts.critical ?? 0) + 1 } } } };
}

describe("risk score", () => {
  it("bands: critical ≥ 80, high ≥ 60, medium ≥ 40, low below", () => {
    expect([100, 80, 79.9, 60, 59.9, 40, 39.9, 0].map(bandOf)).toEqual(["critical", "critical", "high", "high", "medium", "medium", "low", "low"]);
  });

  it("is a sum of named factors, 0–100, with the findings behind each", () => {
    const r = scoreApi(base({ exposure: "internet", dataClasses: ["pii"], ownerTeamId: null, findings: { openFindings: { counts: { high: 2 }, top: [{ id: "f1", title: "SQLi", severity: "high", ruleId: "40018" }] } } }), weights);
    expect(r.factors.map((f) => f.name)).toEqual(["exposure", "dataSensitivity", "authStrength", "openFindings", "attackSignals", "secretHygiene", "documentation", "ownership"]);
    expect(r.score).toBe(Math.round(r.factors.reduce((n, f) => n + f.points, 0) * 10) / 10);
    expect(r.factors.find((f) => f.name === "exposure")?.points).toBe(12);
    expect(r.factors.find((f) => f.name === "ownership")?.points).toBe(5);
    expect(r.factors.find((f) => f.name === "openFindings")?.findings).toEqual([{ id: "f1", title: "SQLi", severity: "high", ruleId: "40018" }]);
    const worst = scoreApi(
      base({
        exposure: "internet",
        dataClasses: ["pii", "financial", "credentials"],
        ownerTeamId: null,
        cleartext: true,
        endpoints: { total: 1, undeclared: 1, public: 0, weak: 0 },
        findings: Object.fromEntries(BUCKETS.map((b) => [b, { counts: { critical: 50, high: 50 }, top: [] }])),
        docGapRatio: 1,
      }),
      weights,
    );
    expect(worst.score).toBe(100);
    expect(worst.band).toBe("critical");
  });

  it("property: adding an open critical finding never lowers a score", () => {
    const rng = createRng(7);
    for (let i = 0; i < 500; i++) {
      const input = randomInput(rng);
      const before = scoreApi(input, weights).score;
      for (const b of BUCKETS) expect(scoreApi(withCritical(input, b), weights).score).toBeGreaterThanOrEqual(before);
    }
  });

  it("property: fifty (or any number of) low findings score below one critical", () => {
    const rng = createRng(11);
    for (let i = 0; i < 200; i++) {
      const input = base({ exposure: rng.next() < 0.5 ? "internet" : "internal" });
      const lows = scoreApi({ ...input, findings: { openFindings: { counts: { low: 50 + Math.floor(rng.next() * 1000) }, top: [] } } }, weights).score;
      const critical = scoreApi({ ...input, findings: { openFindings: { counts: { critical: 1 }, top: [] } } }, weights).score;
      expect(lows).toBeLessThan(critical);
    }
    expect(scoreApi(base({ findings: { openFindings: { counts: { low: 50 }, top: [] } } }), weights).score).toBeLessThan(
      scoreApi(base({ findings: { openFindings: { counts: { critical: 1 }, top: [] } } }), weights).score,
    );
  });

  it("property: resolving every finding of an Api lowers its score", () => {
    const rng = createRng(13);
    for (let i = 0; i < 300; i++) {
      const input = randomInput(rng);
      const withFinding = withCritical(input, "openFindings");
      expect(scoreApi({ ...withFinding, findings: {}, docGapRatio: null }, weights).score).toBeLessThan(scoreApi(withFinding, weights).score);
    }
  });

  it("property: identical evidence gives identical scores", () => {
    const rng = createRng(17);
    for (let i = 0; i < 200; i++) {
      const input = randomInput(rng);
      expect(scoreApi(structuredClone(input), weights)).toEqual(scoreApi(input, weights));
    }
  });

  it("weights validation keeps many lows below one critical", () => {
    expect(riskWeightsSchema.safeParse(weights).success).toBe(true);
    const bad = structuredClone(weights);
    bad.share.low = 0.7;
    bad.share.medium = 0.7;
    bad.share.high = 0.8;
    expect(riskWeightsSchema.safeParse(bad).success).toBe(false);
    const negative = structuredClone(weights);
    negative.factors.exposure = -1;
    expect(riskWeightsSchema.safeParse(negative).success).toBe(false);
  });
});
