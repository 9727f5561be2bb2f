"use client";
import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Cell, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import type { RouterOutputs } from "@/components/api-types";
import { BANDS } from "@/server/domain/risk";

const BAND_COLOURS: Record<string, string> = { critical: "var(--critical)", high: "var(--high)", medium: "var(--medium)", low: "var(--low)" };

/** Apis per risk band; each bar label links to the inventory sorted by risk. */
export function BandChart({ distribution }: { distribution: Record<string, number> }) {
  const data = BANDS.map((band) => ({ band, apis: distribution[band] ?? 0 }));
  return (
    <div style={{ width: "100%", height: 200 }} aria-hidden>
      <ResponsiveContainer>
        <BarChart data={data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
          <XAxis dataKey="band" stroke="var(--muted)" />
          <YAxis allowDecimals={false} stroke="var(--muted)" width={40} />
          <Tooltip contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)" }} />
          <Bar dataKey="apis" isAnimationActive={false}>
            {data.map((d) => (
              <Cell key={d.band} fill={BAND_COLOURS[d.band]} />
            ))}
          </Bar>
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

type TrendPoint = RouterOutputs["risk"]["overview"]["trend"][number];

/** The organisation's average risk score and critical/high Api counts per day. */
export function TrendChart({ points }: { points: TrendPoint[] }) {
  if (points.length === 0) return <p className="muted">No risk snapshots yet: the trend starts with the first correlation.</p>;
  return (
    <div style={{ width: "100%", height: 260 }}>
      <ResponsiveContainer>
        <LineChart data={points} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" />
          <XAxis dataKey="day" stroke="var(--muted)" minTickGap={24} />
          <YAxis yAxisId="score" domain={[0, 100]} stroke="var(--muted)" width={40} />
          <YAxis yAxisId="count" orientation="right" allowDecimals={false} stroke="var(--muted)" width={40} />
          <Tooltip contentStyle={{ background: "var(--panel)", border: "1px solid var(--border)" }} />
          <Legend />
          <Line yAxisId="score" type="monotone" dataKey="averageScore" name="average score" stroke="var(--accent)" dot={false} isAnimationActive={false} />
          <Line yAxisId="count" type="stepAfter" dataKey="critical" name="critical APIs" stroke="var(--critical)" dot={false} isAnimationActive={false} />
          <Line yAxisId="count" type="stepAfter" dataKey="high" name="high APIs" stroke="var(--high)" dot={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
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
