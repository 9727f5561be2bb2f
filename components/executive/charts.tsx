"use client";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";
import { TOOLTIP } from "@/components/ui/chart-figure";

type Summary = RouterOutputs["executive"]["summary"];

/**
 * The charts are pictures of the tables beside them: hidden from assistive technology and out of the tab order
 * (accessibilityLayer off), while a summary sentence and a visually hidden table carry the same numbers aloud and
 * in print.
 */
export function RiskTrendChart({ points }: { points: Summary["trend"] }) {
  if (points.length === 0) return <p className="muted">No risk snapshots yet: the trend starts with the first correlation.</p>;
  const first = points[0]!;
  const last = points.at(-1)!;
  const weekly = points.filter((_, i) => (points.length - 1 - i) % 7 === 0);
  return (
    <>
      <p data-testid="trend-summary">
        From {first.day} to {last.day} the average API risk score went from {first.averageScore} to {last.averageScore}; APIs in the critical band from{" "}
        {first.critical} to {last.critical}, in the high band from {first.high} to {last.high}.
      </p>
      <div style={{ width: "100%", height: 260 }} aria-hidden="true">
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
      </div>
      <table className="sr-only" aria-label="Risk trend, weekly">
        <thead>
          <tr>
            <th>Day</th>
            <th>Average score</th>
            <th>Critical APIs</th>
            <th>High APIs</th>
          </tr>
        </thead>
        <tbody>
          {weekly.map((p) => (
            <tr key={p.day}>
              <td>{p.day}</td>
              <td>{p.averageScore}</td>
              <td>{p.critical}</td>
              <td>{p.high}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

export function OpenedResolvedChart({ weeks }: { weeks: Summary["weekly"] }) {
  const opened = weeks.reduce((n, w) => n + w.opened, 0);
  const resolved = weeks.reduce((n, w) => n + w.resolved, 0);
  return (
    <>
      <p>
        Over the last {weeks.length} weeks {opened} findings were opened and {resolved} resolved.
      </p>
      <div style={{ width: "100%", height: 220 }} aria-hidden="true">
        <ResponsiveContainer>
          <BarChart data={weeks} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
            <XAxis dataKey="week" stroke="var(--muted)" minTickGap={16} />
            <YAxis allowDecimals={false} stroke="var(--muted)" width={40} />
            <Tooltip {...TOOLTIP} />
            <Legend />
            <Bar dataKey="opened" name="opened" fill="var(--high)" isAnimationActive={false} />
            <Bar dataKey="resolved" name="resolved" fill="var(--low)" isAnimationActive={false} />
          </BarChart>
        </ResponsiveContainer>
      </div>
      <table className="sr-only" aria-label="Findings opened and resolved per week">
        <thead>
          <tr>
            <th>Week of</th>
            <th>Opened</th>
            <th>Resolved</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <td>{w.week}</td>
              <td>{w.opened}</td>
              <td>{w.resolved}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
