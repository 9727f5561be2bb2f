"use client";
import Link from "next/link";
import { Bar, BarChart, CartesianGrid, Cell, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
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
