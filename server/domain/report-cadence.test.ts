import { describe, expect, it } from "vitest";
import { type Cadence, latestCompletePeriod, nextBoundary, previousPeriod, weekStart } from "./report-cadence";

const d = (iso: string) => new Date(iso);

describe("weekStart", () => {
  it.each([
    ["2026-12-07T04:20:00Z", "2026-12-07T00:00:00.000Z"], // a Monday
    ["2026-12-06T23:59:59Z", "2026-11-30T00:00:00.000Z"], // a Sunday
    ["2026-12-07T00:00:00Z", "2026-12-07T00:00:00.000Z"], // the boundary itself
    ["2027-01-01T12:00:00Z", "2026-12-28T00:00:00.000Z"], // across the year
  ])("%s → %s", (at, want) => expect(weekStart(d(at)).toISOString()).toBe(want));
});

describe("latestCompletePeriod and nextBoundary", () => {
  const rows: { cadence: Cadence; at: string; from: string; to: string; next: string }[] = [
    // Weekly: the previous Monday-to-Monday week.
    { cadence: "weekly", at: "2026-12-09T10:00:00Z", from: "2026-11-30", to: "2026-12-07", next: "2026-12-14" },
    { cadence: "weekly", at: "2026-12-07T00:00:00Z", from: "2026-11-30", to: "2026-12-07", next: "2026-12-14" },
    { cadence: "weekly", at: "2026-12-06T23:59:59.999Z", from: "2026-11-23", to: "2026-11-30", next: "2026-12-07" },
    { cadence: "weekly", at: "2027-01-02T08:00:00Z", from: "2026-12-21", to: "2026-12-28", next: "2027-01-04" },
    { cadence: "weekly", at: "2024-03-01T00:00:00Z", from: "2024-02-19", to: "2024-02-26", next: "2024-03-04" }, // leap year
    // Monthly: the previous calendar month.
    { cadence: "monthly", at: "2026-12-07T04:20:00Z", from: "2026-11-01", to: "2026-12-01", next: "2027-01-01" },
    { cadence: "monthly", at: "2027-01-01T00:00:00Z", from: "2026-12-01", to: "2027-01-01", next: "2027-02-01" }, // year boundary
    { cadence: "monthly", at: "2026-12-31T23:59:59Z", from: "2026-11-01", to: "2026-12-01", next: "2027-01-01" },
    { cadence: "monthly", at: "2024-03-15T00:00:00Z", from: "2024-02-01", to: "2024-03-01", next: "2024-04-01" }, // leap February
    { cadence: "monthly", at: "2023-03-01T00:00:00Z", from: "2023-02-01", to: "2023-03-01", next: "2023-04-01" }, // short February
    { cadence: "monthly", at: "2026-01-31T12:00:00Z", from: "2025-12-01", to: "2026-01-01", next: "2026-02-01" },
    { cadence: "monthly", at: "2026-05-31T23:00:00Z", from: "2026-04-01", to: "2026-05-01", next: "2026-06-01" },
  ];
  it.each(rows)("$cadence at $at: [$from, $to), next $next", ({ cadence, at, from, to, next }) => {
    const period = latestCompletePeriod(cadence, d(at));
    expect(period.from.toISOString()).toBe(`${from}T00:00:00.000Z`);
    expect(period.to.toISOString()).toBe(`${to}T00:00:00.000Z`);
    expect(nextBoundary(cadence, d(at)).toISOString()).toBe(`${next}T00:00:00.000Z`);
  });

  it("previousPeriod steps back one whole period", () => {
    const march = latestCompletePeriod("monthly", d("2024-04-10T00:00:00Z"));
    const feb = previousPeriod("monthly", march);
    expect([feb.from.toISOString(), feb.to.toISOString()]).toEqual(["2024-02-01T00:00:00.000Z", "2024-03-01T00:00:00.000Z"]);
    const week = previousPeriod("weekly", latestCompletePeriod("weekly", d("2027-01-05T00:00:00Z")));
    expect([week.from.toISOString(), week.to.toISOString()]).toEqual(["2026-12-21T00:00:00.000Z", "2026-12-28T00:00:00.000Z"]);
  });
});
