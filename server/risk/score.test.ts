import { describe, expect, it } from "vitest";
import { createRng } from "@/server/demo/prng";
import { BANDS, type Band } from "@/server/domain/risk";
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
    endpoints: { total: 4, undeclared: 0, public: 0, weak: 0, sensitiveWithoutAuth: 0 },
    findings: {},
    documentation: null,
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
    endpoints: { total, undeclared, public: Math.floor(rng.next() * (total - undeclared + 1)), weak: 0, sensitiveWithoutAuth: rng.next() < 0.3 ? 1 : 0 },
    findings,
    documentation: rng.next() < 0.5 ? { gapRatio: rng.next(), documented: 4, withGaps: 2, apiGaps: [] } : null,
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
    expect(r.factors.find((f) => f.name === "exposure")?.points).toBe(20);
    expect(r.factors.find((f) => f.name === "ownership")?.points).toBe(5);
    expect(r.factors.find((f) => f.name === "openFindings")?.findings).toEqual([{ id: "f1", title: "SQLi", severity: "high", ruleId: "40018" }]);
    const worst = scoreApi(
      base({
        exposure: "internet",
        dataClasses: ["pii", "financial", "credentials"],
        ownerTeamId: null,
        cleartext: true,
        endpoints: { total: 1, undeclared: 1, public: 0, weak: 0, sensitiveWithoutAuth: 1 },
        findings: Object.fromEntries(BUCKETS.map((b) => [b, { counts: { critical: 50, high: 50 }, top: [] }])),
        documentation: { gapRatio: 1, documented: 1, withGaps: 1, apiGaps: [] },
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
      expect(scoreApi({ ...withFinding, findings: {}, documentation: null }, weights).score).toBeLessThan(scoreApi(withFinding, weights).score);
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

  /**
   * The ranking a security lead would sign (DESIGN.md §4, issue 15): each profile and the band range it must land in.
   * `at least` and `at most` are inclusive; a row with one band pins it.
   */
  const sens = (n: number) => ({ total: 6, undeclared: n, public: 0, weak: 0, sensitiveWithoutAuth: n });
  const open = (counts: SeverityCounts, bucket: FindingBucket = "openFindings"): RiskInput["findings"] => ({ [bucket]: { counts, top: [] } });
  const docsGap = { documentation: { counts: { low: 1 }, top: [] } };
  const PROFILES: { name: string; input: Partial<RiskInput>; atLeast: Band; atMost: Band }[] = [
    // Must rise.
    { name: "internet-facing, no declared auth, card data", input: { exposure: "internet", dataClasses: ["financial"], authKinds: [], endpoints: { ...sens(6) } }, atLeast: "high", atMost: "critical" },
    { name: "internet-facing, no declared auth, credentials", input: { exposure: "internet", dataClasses: ["credentials"], authKinds: [], endpoints: { ...sens(6) } }, atLeast: "high", atMost: "critical" },
    { name: "internet-facing, one card endpoint without declared auth among authenticated ones", input: { exposure: "internet", dataClasses: ["financial", "pii"], endpoints: { total: 20, undeclared: 1, public: 0, weak: 0, sensitiveWithoutAuth: 1 } }, atLeast: "high", atMost: "critical" },
    { name: "internet-facing, card data, no endpoints known and no auth declared (catalogue entry)", input: { exposure: "internet", dataClasses: ["financial"], authKinds: [], endpoints: { total: 0, undeclared: 0, public: 0, weak: 0, sensitiveWithoutAuth: 0 } }, atLeast: "high", atMost: "critical" },
    { name: "internet-facing, credentials over plain HTTP", input: { exposure: "internet", dataClasses: ["credentials"], cleartext: true }, atLeast: "high", atMost: "critical" },
    { name: "internal, one open critical finding", input: { findings: open({ critical: 1 }) }, atLeast: "high", atMost: "high" },
    { name: "internet-facing, one open critical finding", input: { exposure: "internet", findings: open({ critical: 1 }) }, atLeast: "critical", atMost: "critical" },
    { name: "partner-facing, one open critical finding", input: { exposure: "partner", findings: open({ critical: 1 }) }, atLeast: "high", atMost: "high" },
    { name: "internal, active credential stuffing (high attack signal)", input: { findings: open({ high: 1 }, "attackSignals") }, atLeast: "high", atMost: "high" },
    { name: "internet-facing, active credential stuffing", input: { exposure: "internet", findings: open({ high: 1 }, "attackSignals") }, atLeast: "critical", atMost: "critical" },
    { name: "internet-facing, unauthenticated access to sensitive data (critical signal)", input: { exposure: "internet", dataClasses: ["pii"], findings: open({ critical: 1 }, "attackSignals") }, atLeast: "critical", atMost: "critical" },
    { name: "internal, a critical secret finding", input: { findings: open({ critical: 1 }, "secretHygiene") }, atLeast: "high", atMost: "high" },
    { name: "internet-facing, PII, weak-only auth everywhere, 8 high and 7 medium findings", input: { exposure: "internet", dataClasses: ["pii"], authKinds: ["apiKey"], endpoints: { total: 7, undeclared: 0, public: 0, weak: 7, sensitiveWithoutAuth: 0 }, findings: open({ high: 8, medium: 7 }) }, atLeast: "high", atMost: "critical" },
    { name: "internet-facing, card data, basic auth, 7 of 17 endpoints undeclared, 15 high findings", input: { exposure: "internet", dataClasses: ["financial", "pii"], authKinds: ["basic"], endpoints: { total: 17, undeclared: 7, public: 0, weak: 10, sensitiveWithoutAuth: 5 }, findings: open({ high: 15, medium: 17, low: 2 }) }, atLeast: "critical", atMost: "critical" },
    { name: "internet-facing, PII, bearer, 2 high findings", input: { exposure: "internet", dataClasses: ["pii"], findings: open({ high: 2, medium: 1 }) }, atLeast: "medium", atMost: "medium" },
    { name: "internet-facing, no declared auth, no sensitive data", input: { exposure: "internet", authKinds: [], endpoints: { total: 4, undeclared: 4, public: 0, weak: 0, sensitiveWithoutAuth: 0 }, findings: open({ medium: 4 }) }, atLeast: "medium", atMost: "medium" },
    { name: "a shadow API: unknown exposure, nothing declared, no owner, high shadow finding", input: { exposure: null, authKinds: [], endpoints: { total: 0, undeclared: 0, public: 0, weak: 0, sensitiveWithoutAuth: 0 }, ownerTeamId: null, findings: open({ high: 1 }) }, atLeast: "medium", atMost: "medium" },
    // Must stay down.
    { name: "internal, documented, bearer auth, nothing open", input: {}, atLeast: "low", atMost: "low" },
    { name: "internal, bearer, card data and PII, nothing open", input: { dataClasses: ["financial", "pii"] }, atLeast: "low", atMost: "low" },
    { name: "internet-facing, OAuth2 everywhere, no sensitive data, nothing open", input: { exposure: "internet", authKinds: ["oauth2"] }, atLeast: "low", atMost: "low" },
    { name: "internet-facing, OAuth2, card data and PII, nothing open", input: { exposure: "internet", authKinds: ["oauth2"], dataClasses: ["financial", "pii"] }, atLeast: "low", atMost: "medium" },
    { name: "internet-facing, fifty low findings", input: { exposure: "internet", findings: open({ low: 50 }) }, atLeast: "low", atMost: "low" },
    { name: "internal, fifty low and ten medium findings", input: { findings: open({ low: 50, medium: 10 }) }, atLeast: "low", atMost: "low" },
    { name: "internal, no owner and documentation gaps only", input: { ownerTeamId: null, findings: { ...docsGap, ownership: { counts: { medium: 1 }, top: [] } }, documentation: { gapRatio: 1, documented: 0, withGaps: 0, apiGaps: ["no owner or contact"] } }, atLeast: "low", atMost: "low" },
    { name: "internal, a stale secret", input: { findings: open({ medium: 1 }, "secretHygiene") }, atLeast: "low", atMost: "low" },
    { name: "internal, a missing rate limit (medium attack signal) sets no floor", input: { findings: open({ medium: 1 }, "attackSignals") }, atLeast: "low", atMost: "low" },
    { name: "internet-facing, error leakage (low attack signal) only", input: { exposure: "internet", findings: open({ low: 1 }, "attackSignals") }, atLeast: "low", atMost: "low" },
    { name: "internet-facing, public catalogue endpoints serving no sensitive data", input: { exposure: "internet", endpoints: { total: 6, undeclared: 0, public: 6, weak: 0, sensitiveWithoutAuth: 0 } }, atLeast: "low", atMost: "medium" },
    { name: "internet-facing, PII only on authenticated endpoints", input: { exposure: "internet", dataClasses: ["pii"], endpoints: { total: 6, undeclared: 0, public: 2, weak: 0, sensitiveWithoutAuth: 0 } }, atLeast: "low", atMost: "low" },
  ];
  const rank = (b: Band) => BANDS.length - BANDS.indexOf(b);

  it.each(PROFILES)("profile: $name → $atLeast … $atMost", ({ input, atLeast, atMost }) => {
    const r = scoreApi(base(input), weights);
    expect(rank(r.band), `scored ${r.score} (${r.band}): ${r.factors.map((f) => `${f.name} ${f.points}`).join(", ")}`).toBeGreaterThanOrEqual(rank(atLeast));
    expect(rank(r.band), `scored ${r.score} (${r.band})`).toBeLessThanOrEqual(rank(atMost));
    // Explainable: the score is the sum of the contributions listed, the floor among them when one applied.
    expect(Math.min(100, Math.round(r.factors.reduce((n, f) => n + f.points, 0) * 10) / 10)).toBeCloseTo(r.score, 5);
  });

  it("a floor is a named contribution with its reason, and switches off at 0", () => {
    const input = base({ exposure: "internet", findings: open({ critical: 1 }) });
    const r = scoreApi(input, weights);
    const floor = r.factors.find((f) => f.name === "floor");
    expect(floor?.detail).toMatch(/critical finding on an internet-facing API: at least 80/);
    expect(r.score).toBe(80);
    const off = structuredClone(weights);
    off.floors.criticalFindingInternet = 0;
    off.floors.criticalFinding = 0;
    const r2 = scoreApi(input, off);
    expect(r2.factors.some((f) => f.name === "floor")).toBe(false);
    expect(r2.score).toBeLessThan(60);
  });

  it("property: on any profile, any number of lows never outrank one critical", () => {
    const rng = createRng(19);
    for (let i = 0; i < 300; i++) {
      const input = randomInput(rng);
      const cleared = { ...input, findings: {} };
      const lows = scoreApi({ ...cleared, findings: open({ low: 50 + Math.floor(rng.next() * 1000) }) }, weights);
      const critical = scoreApi({ ...cleared, findings: open({ critical: 1 }) }, weights);
      if (critical.score < 100) expect(lows.score).toBeLessThan(critical.score);
      expect(rank(lows.band)).toBeLessThanOrEqual(rank(critical.band));
    }
  });

  it("documentation wording: never a percentage of documented endpoints when none are documented", () => {
    const none = scoreApi(base({ findings: docsGap, documentation: { gapRatio: 1, documented: 0, withGaps: 0, apiGaps: ["no version", "no endpoint documentation"] } }), weights);
    const d = none.factors.find((f) => f.name === "documentation")!;
    expect(d.detail).toBe("documentation gaps: no endpoint is documented; no version");
    expect(d.detail).not.toMatch(/%/);
    expect(d.points).toBe(5);
    const some = scoreApi(base({ findings: docsGap, documentation: { gapRatio: 0.05, documented: 20, withGaps: 1, apiGaps: [] } }), weights);
    expect(some.factors.find((f) => f.name === "documentation")!.detail).toBe("documentation gaps: 1 of 20 documented endpoints have gaps");
  });
});
