/** A finding's words (DESIGN.md §5), as values: its statuses, which of them are active, and its kinds. */
export const FINDING_STATUSES = ["open", "triaged", "in_progress", "resolved", "risk_accepted", "false_positive", "duplicate"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** States in which the SLA clock runs (and a finding can be overdue): the "active" findings. */
export const ACTIVE_STATUSES = ["open", "triaged", "in_progress"] as const satisfies readonly FindingStatus[];

export const FINDING_KINDS = ["scan", "posture", "traffic", "secret"] as const;
export type FindingKind = (typeof FINDING_KINDS)[number];
