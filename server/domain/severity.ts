/**
 * Severity helpers shared by every producer of findings (scanner parsers, correlation rules). One scale:
 * critical > high > medium > low > info.
 */

/** All severities, most severe first. */
export const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
export type Severity = (typeof SEVERITIES)[number];

const RANK: Record<Severity, number> = { critical: 4, high: 3, medium: 2, low: 1, info: 0 };

/** 4 for critical … 0 for info: larger is more severe. */
export function severityRank(severity: Severity): number {
  return RANK[severity];
}

/** Sort comparator: most severe first. */
export function compareSeverity(a: Severity, b: Severity): number {
  return RANK[b] - RANK[a];
}

export function maxSeverity(a: Severity, b: Severity): Severity {
  return RANK[a] >= RANK[b] ? a : b;
}

/**
 * A CVSS-like 0–10 score (SARIF `security-severity`, CVSS base score) as a severity, using the CVSS v3 rating bands:
 * ≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low, 0 info. Returns undefined for anything that is not a number in 0..10.
 */
export function severityFromScore(score: unknown): Severity | undefined {
  const n = typeof score === "number" ? score : typeof score === "string" && score.trim() !== "" ? Number(score) : NaN;
  if (!Number.isFinite(n) || n < 0 || n > 10) return undefined;
  if (n >= 9) return "critical";
  if (n >= 7) return "high";
  if (n >= 4) return "medium";
  if (n > 0) return "low";
  return "info";
}

/**
 * A severity word as scanners spell it ("High", "MEDIUM", "Informational", "moderate"…) as a severity, or undefined
 * when the word is not a severity (e.g. "unknown").
 */
export function severityFromName(name: unknown): Severity | undefined {
  if (typeof name !== "string") return undefined;
  switch (name.trim().toLowerCase()) {
    case "critical":
    case "crit":
    case "blocker":
      return "critical";
    case "high":
    case "major":
      return "high";
    case "medium":
    case "moderate":
    case "med":
      return "medium";
    case "low":
    case "minor":
      return "low";
    case "info":
    case "informational":
    case "information":
    case "none":
      return "info";
    default:
      return undefined;
  }
}
