/** The risk score's words (DESIGN.md §4), as values: its factors with their labels, and its bands. */
export const FACTOR_NAMES = ["exposure", "dataSensitivity", "authStrength", "openFindings", "attackSignals", "secretHygiene", "documentation", "ownership"] as const;
export type FactorName = (typeof FACTOR_NAMES)[number];

export const FACTOR_LABELS: Readonly<Record<FactorName, string>> = {
  exposure: "Exposure",
  dataSensitivity: "Data sensitivity",
  authStrength: "Authentication strength",
  openFindings: "Open findings",
  attackSignals: "Active attack signals",
  secretHygiene: "Secret hygiene",
  documentation: "Documentation gaps",
  ownership: "Ownership",
};

/** Score bands, worst first: critical ≥ 80, high ≥ 60, medium ≥ 40, else low. */
export const BANDS = ["critical", "high", "medium", "low"] as const;
export type Band = (typeof BANDS)[number];
