/**
 * The periods of scheduled compliance reports, in UTC (pure): a weekly report covers the previous full week, Monday
 * 00:00 to the next Monday 00:00; a monthly report the previous calendar month. A schedule is due at each period
 * boundary (its `nextRunAt`), and the run made then covers the period that just ended.
 */
export const CADENCES = ["weekly", "monthly"] as const;
export type Cadence = (typeof CADENCES)[number];

export interface Period {
  /** Inclusive start. */
  from: Date;
  /** Exclusive end: the boundary the period ends at. */
  to: Date;
}

const DAY_MS = 86_400_000;

/** Monday 00:00 UTC at or before `at`. */
export function weekStart(at: Date): Date {
  const day = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate()));
  const sinceMonday = (day.getUTCDay() + 6) % 7;
  return new Date(day.getTime() - sinceMonday * DAY_MS);
}

/** The first of the month 00:00 UTC at or before `at`. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** The latest boundary at or before `at`. */
export function boundaryAtOrBefore(cadence: Cadence, at: Date): Date {
  return cadence === "weekly" ? weekStart(at) : monthStart(at);
}

/** The first boundary strictly after `at`: when a schedule made at `at` first runs. */
export function nextBoundary(cadence: Cadence, at: Date): Date {
  const start = boundaryAtOrBefore(cadence, at);
  if (cadence === "weekly") return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/** The latest period complete at `at`: it ends at the latest boundary at or before `at`. */
export function latestCompletePeriod(cadence: Cadence, at: Date): Period {
  const to = boundaryAtOrBefore(cadence, at);
  if (cadence === "weekly") return { from: new Date(to.getTime() - 7 * DAY_MS), to };
  return { from: new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 1, 1)), to };
}

/** The period before `period` (for the demo's back runs). */
export function previousPeriod(cadence: Cadence, period: Period): Period {
  return latestCompletePeriod(cadence, new Date(period.from.getTime()));
}
