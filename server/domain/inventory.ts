/**
 * The inventory's words (DESIGN.md §2), as values: what an Api's lifecycle, exposure and data classes may be. The
 * inventory service filters by them, the UI offers them as choices.
 */
export const LIFECYCLES = ["production", "experimental", "deprecated", "retired"] as const;
export type Lifecycle = (typeof LIFECYCLES)[number];

export const EXPOSURES = ["internet", "partner", "internal"] as const;
export type Exposure = (typeof EXPOSURES)[number];

export const DATA_CLASSES = ["pii", "financial", "credentials", "health"] as const;
export type DataClass = (typeof DATA_CLASSES)[number];
