"use client";
import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";
import { BANDS } from "@/server/domain/risk";
import { ChartFigure, TOOLTIP } from "@/components/ui/chart-figure";

const BAND_COLOURS: Record<string, string> = { critical: "var(--critical)", high: "var(--high)", medium: "var(--medium)", low: "var(--low)" };

/** Apis per risk band (the counts the cards above link from). */
export function BandChart({ distribution }: { distribution: Record<string, number> }) {
  const data = BANDS.map((band) => ({ band, apis: distribution[band] ?? 0 }));
  return (
    <ChartFigure height={200} caption={`Bar chart of APIs per risk band: ${data.map((d) => `${d.apis} ${d.band}`).join(", ")}.`}>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="band" stroke="var(--muted)" />
          <YAxis allowDecimals={false} stroke="var(--muted)" width={40} />
          <Tooltip {...TOOLTIP} />
          <Bar dataKey="apis" name="APIs" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.band} fill={BAND_COLOURS[d.band]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </ChartFigure>
  );
}

type TrendPoint = RouterOutputs["risk"]["overview"]["trend"][number];

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

/** The organisation's average risk score and critical/high Api counts per day. */
export function TrendChart({ points }: { points: TrendPoint[] }) {
  if (points.length === 0) return <p className="muted">No risk snapshots yet: the trend starts with the first correlation.</p>;
  const table = {
    label: "Organisation risk per day",
    columns: ["Day", "Average score", "Critical APIs", "High APIs"],
    rows: points.map((p) => [p.day, p.averageScore, p.critical, p.high]),
  };
  return (
    <ChartFigure height={260} caption={trendSummary(points)} table={table}>
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

/** A number that links to the list behind it (or a plain number when the viewer may not open that list). */
export function CountLink({ href, value, label }: { href: string | null; value: number; label: string }) {
  const body = (
    <>
      <div className="card-num">{value.toLocaleString("en")}</div>
      <div className="card-label">{label}</div>
    </>
  );
  return href ? (
    <Link href={href} className="panel" style={{ color: "inherit" }} aria-label={`${label}: ${value}`}>
      {body}
    </Link>
  ) : (
    <div className="panel">{body}</div>
  );
}
