"use client";
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";
import { ChartFigure, TOOLTIP, type ChartTable } from "@/components/ui/chart-figure";

/** One day of the organisation's risk (the overview's and the executive home's trend share the shape). */
export type TrendPoint = RouterOutputs["risk"]["overview"]["trend"][number];

/** The trend in one sentence: where it started and where it is now. */
export function trendSummary(points: readonly TrendPoint[]): string {
  const last = points[points.length - 1]!;
  const now = `average risk score ${last.averageScore}, ${last.critical} critical and ${last.high} high APIs`;
  if (points.length === 1) return `One daily snapshot so far (${last.day}): ${now}.`;
  const first = points[0]!;
  return (
    `From ${first.day} to ${last.day} (${points.length} daily snapshots) the average risk score went from ${first.averageScore} to ` +
    `${last.averageScore}, critical APIs from ${first.critical} to ${last.critical}, high APIs from ${first.high} to ${last.high}.`
  );
}

/** The numbers behind the trend: every day, or every 7th day counting back from the latest. */
function trendTable(points: readonly TrendPoint[], table: "daily" | "weekly"): ChartTable {
  const rows = table === "weekly" ? points.filter((_, i) => (points.length - 1 - i) % 7 === 0) : points;
  return {
    label: table === "weekly" ? "Risk trend, weekly" : "Organisation risk per day",
    columns: ["Day", "Average score", "Critical APIs", "High APIs"],
    rows: rows.map((p) => [p.day, p.averageScore, p.critical, p.high]),
  };
}

/**
 * The organisation's average risk score and critical/high Api counts per day, with `trendSummary` as its caption
 * and, for screen readers, a table of every day (`table="daily"`) or of every 7th (`"weekly"`, for a long history).
 */
export function TrendChart({ points, table = "daily" }: { points: readonly TrendPoint[]; table?: "daily" | "weekly" }) {
  if (points.length === 0) return <p className="muted">No risk snapshots yet: the trend starts with the first correlation.</p>;
  return (
    <ChartFigure height={260} caption={trendSummary(points)} table={trendTable(points, table)}>
      <ResponsiveContainer>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="day" stroke="var(--muted)" minTickGap={24} />
          <YAxis yAxisId="score" domain={[0, 100]} stroke="var(--muted)" width={40} />
          <YAxis yAxisId="count" orientation="right" allowDecimals={false} stroke="var(--muted)" width={40} />
          <Tooltip {...TOOLTIP} />
          <Legend />
          <Line yAxisId="score" type="monotone" dataKey="averageScore" name="average score" stroke="var(--accent)" dot={false} isAnimationActive={false} />
          <Line yAxisId="count" type="stepAfter" dataKey="critical" name="critical APIs" stroke="var(--critical)" dot={false} isAnimationActive={false} />
          <Line yAxisId="count" type="stepAfter" dataKey="high" name="high APIs" stroke="var(--high)" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}
