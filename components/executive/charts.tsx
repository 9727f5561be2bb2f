"use client";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";
import { TOOLTIP } from "@/components/ui/chart-figure";

type Summary = RouterOutputs["executive"]["summary"];

/**
 * The chart is a picture of the table beside it: hidden from assistive technology and out of the tab order
 * (accessibilityLayer off), while a summary sentence and a visually hidden table carry the same numbers aloud and
 * in print. (The risk trend is components/ui/trend-chart.tsx's, shared with the overview.)
 */
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
