import { describe, expect, it } from "vitest";
import { SEVERITIES, compareSeverity, maxSeverity, severityFromName, severityFromScore, severityRank } from "./severity";

describe("severity helpers", () => {
  it("orders severities most severe first", () => {
    expect(SEVERITIES).toEqual(["critical", "high", "medium", "low", "info"]);
    expect(["low", "critical", "info", "high", "medium"].sort((a, b) => compareSeverity(a as never, b as never))).toEqual([
      "critical",
      "high",
      "medium",
      "low",
      "info",
    ]);
    expect(severityRank("critical")).toBeGreaterThan(severityRank("high"));
    expect(maxSeverity("low", "high")).toBe("high");
    expect(maxSeverity("medium", "info")).toBe("medium");
  });

  it("maps CVSS-like scores with the CVSS v3 bands", () => {
    expect(severityFromScore(9)).toBe("critical");
    expect(severityFromScore("9.8")).toBe("critical");
    expect(severityFromScore(8.9)).toBe("high");
    expect(severityFromScore(7)).toBe("high");
    expect(severityFromScore(6.9)).toBe("medium");
    expect(severityFromScore(4)).toBe("medium");
    expect(severityFromScore(3.9)).toBe("low");
    expect(severityFromScore(0.1)).toBe("low");
    expect(severityFromScore(0)).toBe("info");
    expect(severityFromScore(11)).toBeUndefined();
    expect(severityFromScore(-1)).toBeUndefined();
    expect(severityFromScore("high")).toBeUndefined();
    expect(severityFromScore("")).toBeUndefined();
    expect(severityFromScore(undefined)).toBeUndefined();
  });

  it("maps severity words", () => {
    expect(severityFromName("High")).toBe("high");
    expect(severityFromName("CRITICAL")).toBe("critical");
    expect(severityFromName("Moderate")).toBe("medium");
    expect(severityFromName("Informational")).toBe("info");
    expect(severityFromName("Information")).toBe("info");
    expect(severityFromName(" low ")).toBe("low");
    expect(severityFromName("unknown")).toBeUndefined();
    expect(severityFromName(3)).toBeUndefined();
  });
});
