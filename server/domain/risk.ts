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

/**
 * The minimum a profile must reach whatever its factor sum (DESIGN.md §4: "at least high … critical when
 * internet-facing"). Shown as one more named contribution, "floor", so the score stays the sum of what the UI lists.
 */
export const FLOOR_NAMES = ["exposedSensitiveData", "criticalFinding", "criticalFindingInternet", "attackSignal", "attackSignalInternet"] as const;
export type FloorName = (typeof FLOOR_NAMES)[number];
export const FLOOR_LABELS: Readonly<Record<FloorName, string>> = {
  exposedSensitiveData: "Internet-facing, sensitive data without declared auth or over plain HTTP",
  criticalFinding: "An open critical finding",
  criticalFindingInternet: "An open critical finding on an internet-facing API",
  attackSignal: "An active high or critical attack signal",
  attackSignalInternet: "An active high or critical attack signal on an internet-facing API",
};
/** The contribution that lifts a score to its floor. */
export const FLOOR_FACTOR = "floor";
export const FLOOR_FACTOR_LABEL = "Minimum for its profile";

/** Score bands, worst first: critical ≥ 80, high ≥ 60, medium ≥ 40, else low. */
export const BANDS = ["critical", "high", "medium", "low"] as const;
export type Band = (typeof BANDS)[number];

/** The label of a stored contribution's name: a factor, the floor, else the name itself. */
export function contributionLabel(name: string): string {
  if (name === FLOOR_FACTOR) return FLOOR_FACTOR_LABEL;
  return (FACTOR_LABELS as Record<string, string>)[name] ?? name;
}
