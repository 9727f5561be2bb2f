"use client";
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";

type Report = RouterOutputs["reports"]["build"];
const SEVERITIES = ["critical", "high", "medium", "low", "info"] as const;
const tooltip = { contentStyle: { background: "var(--panel)", border: "1px solid var(--border)", color: "var(--text)" }, itemStyle: { color: "var(--text)" } };

/**
 * The report's two charts: failing controls per week, and open findings per control by severity. The charts are
 * pictures for sighted readers (hidden from screen readers); the tables below them say the same in text.
 */
export function ReportCharts({ report }: { report: Report }) {
  const trend = report.trend.points.map((p, i) => ({ week: p.slice(0, 10), failing: report.trend.failingControls[i] ?? 0 }));
  const bars = report.controls.map((c) => ({ control: c.id, ...c.open }));
  return (
    <div className="report-charts">
      <figure className="panel">
        <figcaption>Failing controls per week</figcaption>
        <div style={{ width: "100%", height: 220 }} aria-hidden="true">
          <ResponsiveContainer>
            <LineChart data={trend} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
              <XAxis dataKey="week" stroke="var(--muted)" minTickGap={24} />
              <YAxis allowDecimals={false} stroke="var(--muted)" width={36} />
              <Tooltip {...tooltip} />
              <Line type="stepAfter" dataKey="failing" name="failing controls" stroke="var(--critical)" isAnimationActive={false} />
            </LineChart>
          </ResponsiveContainer>
        </div>
        <details className="chart-text">
          <summary>As a table</summary>
          <table>
            <caption className="sr-only">Failing controls per week</caption>
            <thead>
              <tr>
                <th scope="col">Week ending</th>
                <th scope="col">Failing controls</th>
              </tr>
            </thead>
            <tbody>
              {trend.map((t) => (
                <tr key={t.week}>
                  <td>{t.week}</td>
                  <td>{t.failing}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </figure>
      <figure className="panel">
        <figcaption>Open findings per control, by severity</figcaption>
        <div style={{ width: "100%", height: 220 }} aria-hidden="true">
          <ResponsiveContainer>
            <BarChart data={bars} margin={{ top: 8, right: 8, bottom: 0, left: 0 }} accessibilityLayer={false}>
              <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
              <XAxis dataKey="control" stroke="var(--muted)" interval={0} fontSize={11} />
              <YAxis allowDecimals={false} stroke="var(--muted)" width={36} />
              <Tooltip {...tooltip} />
              <Legend />
              {SEVERITIES.map((s) => (
                <Bar key={s} dataKey={s} stackId="open" fill={`var(--${s})`} isAnimationActive={false} />
              ))}
            </BarChart>
          </ResponsiveContainer>
        </div>
        <p className="muted chart-text">The control table below lists these numbers.</p>
      </figure>
    </div>
  );
}
